import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/command.js'
import {certsDirFlag, certsDirOf} from '../../lib/flags.js'
import {readCertsDir} from '../../lib/selfhosted/certs-dir.js'
import {type EnvLine, mtlsEnv, renderEnv, shells} from '../../lib/selfhosted/env.js'
import {settingsFromIssuer} from '../../lib/selfhosted/target.js'

export default class Env extends BaseCommand<typeof Env> {
  static override summary = 'Print the environment variables daprd needs for self-hosted mTLS.'
  static override description = `Prints DAPR_TRUST_ANCHORS, DAPR_CERT_CHAIN, DAPR_CERT_KEY and NAMESPACE as shell lines that read the certificate files when evaluated, so no key is printed.
Load them with: eval "$(dapr mtls env)"   (PowerShell: dapr mtls env --shell powershell | Invoke-Expression)`

  static override examples = ['eval "$(<%= config.bin %> mtls env)"', '<%= config.bin %> mtls env --shell powershell']

  static override flags = {
    'certs-dir': certsDirFlag,
    shell: Flags.option({options: shells, default: 'bash' as const, summary: 'The shell to print for.'})(),
  }

  async run(): Promise<{variables: EnvLine[]}> {
    const {dir, bundle} = await readCertsDir(certsDirOf(this.flags), {needsKey: true})
    const variables = mtlsEnv(dir, settingsFromIssuer(bundle.issuerCertPem).namespace)
    if (!this.jsonEnabled()) this.log(renderEnv(variables, this.flags.shell))
    return {variables}
  }
}
