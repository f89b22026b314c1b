// `dapr api-token generate`: make a new Dapr API token for self-hosted daprd.
import {TokenGenerate} from '../../lib/token-commands/generate.js'

export default class ApiTokenGenerate extends TokenGenerate {
  static override kind = 'api' as const
  static override summary = 'Make a new Dapr API token for self-hosted daprd.'
  static override description = `Prints \`export DAPR_API_TOKEN=...\` for eval, or writes DAPR_API_TOKEN=... to an env file with mode 0600 (--out). daprd reads DAPR_API_TOKEN when it starts; the app needs the same value to call its sidecar.`

  static override examples = [
    'eval "$(<%= config.bin %> api-token generate)"',
    '<%= config.bin %> api-token generate --out ~/.dapr/api-token.env',
  ]
}
