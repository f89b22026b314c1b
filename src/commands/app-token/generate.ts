// `dapr app-token generate`: make a new app API token for self-hosted daprd.
import {TokenGenerate} from '../../lib/token-commands/generate.js'

export default class AppTokenGenerate extends TokenGenerate {
  static override kind = 'app' as const
  static override summary = 'Make a new app API token for self-hosted daprd.'
  static override description = `Prints \`export APP_API_TOKEN=...\` for eval, or writes APP_API_TOKEN=... to an env file with mode 0600 (--out). daprd reads APP_API_TOKEN when it starts; the app needs the same value to check the dapr-api-token header.`

  static override examples = [
    'eval "$(<%= config.bin %> app-token generate)"',
    '<%= config.bin %> app-token generate --out ~/.dapr/app-token.env',
  ]
}
