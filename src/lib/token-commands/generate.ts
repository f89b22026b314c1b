// `<topic> generate`: a new token for self-hosted daprd, printed as a shell line for eval or written to an env file
// (0600). With -k the token belongs in a Secret: `create -k`.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../command.js'
import {UsageError} from '../errors.js'
import {kubernetesFlag} from '../flags.js'
import {shells} from '../selfhosted/env.js'
import {renderTokenExport, writeTokenEnvFile} from '../tokens/env-file.js'
import {type TokenKind, tokenKinds} from '../tokens/kinds.js'
import {newToken} from '../tokens/token-value.js'

export abstract class TokenGenerate extends BaseCommand<typeof TokenGenerate> {
  static kind: TokenKind = 'api'

  static override flags = {
    kubernetes: kubernetesFlag,
    out: Flags.string({summary: 'Write NAME=token to this env file (mode 0600) instead of printing it.'}),
    force: Flags.boolean({summary: 'Replace an existing --out file.', dependsOn: ['out']}),
    shell: Flags.option({options: shells, default: 'bash' as const, summary: 'The shell to print for.'})(),
  }

  async run(): Promise<{envName: string; file?: string; token?: string}> {
    const info = tokenKinds[(this.ctor as typeof TokenGenerate).kind]
    if (this.flags.kubernetes) {
      throw new UsageError(
        `${info.topic} generate is for self-hosted daprd`,
        `On Kubernetes the token lives in a Secret: dapr ${info.topic} create -k --app-namespace <namespace>`,
      )
    }
    const token = newToken()
    const {out} = this.flags
    if (out === undefined) {
      if (!this.jsonEnabled()) this.log(renderTokenExport(info, token, this.flags.shell))
      return {envName: info.envName, token}
    }
    await writeTokenEnvFile(out, info, token, {replace: this.flags.force})
    this.progress('success', `${info.envName} written to ${out} (mode 0600). Load it with: set -a; . ${out}; set +a`)
    return {envName: info.envName, file: out}
  }
}
