// `dapr mtls env`: what self-hosted daprd needs in its environment to reach Sentry over mTLS, as shell lines to eval.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/command.js'
import {certsDirFlag, certsDirOf} from '../../lib/flags.js'
import {readCertsDir} from '../../lib/selfhosted/certs-dir.js'
import {type EnvLine, issuerKeyWarning, mtlsEnv, renderEnv, shells} from '../../lib/selfhosted/env.js'
import {settingsFromIssuer} from '../../lib/selfhosted/target.js'

export default class Env extends BaseCommand<typeof Env> {
  static override summary = 'Print the environment variables daprd needs for self-hosted mTLS.'
  static override description = `Prints DAPR_TRUST_ANCHORS, NAMESPACE and DAPR_CONTROLPLANE_TRUST_DOMAIN (from the issuer's SPIFFE subject, or --trust-domain) as shell lines that read the certificate files when evaluated. Without DAPR_CONTROLPLANE_TRUST_DOMAIN, daprd expects Sentry's trust domain to be "localhost" and waits forever for a cluster.local Sentry.
The Dapr docs' DAPR_CERT_CHAIN and DAPR_CERT_KEY are read by no current daprd and would put the issuer private key into every child process: they are printed only with --with-issuer-key.
Load them with: eval "$(dapr mtls env)"   (PowerShell: dapr mtls env --shell powershell | Invoke-Expression)`

  static override examples = ['eval "$(<%= config.bin %> mtls env)"', '<%= config.bin %> mtls env --shell powershell']

  static override flags = {
    'certs-dir': certsDirFlag,
    shell: Flags.option({options: shells, default: 'bash' as const, summary: 'The shell to print for.'})(),
    'trust-domain': Flags.string({
      summary: "Sentry's trust domain [default: from the issuer's SPIFFE subject, else cluster.local].",
    }),
    'with-issuer-key': Flags.boolean({
      summary: 'Also print the docs’ DAPR_CERT_CHAIN and DAPR_CERT_KEY (no current daprd reads them).',
    }),
  }

  async run(): Promise<{variables: EnvLine[]}> {
    const withIssuerKey = this.flags['with-issuer-key']
    const {dir, bundle} = await readCertsDir(certsDirOf(this.flags), {needsKey: withIssuerKey})
    const fromIssuer = settingsFromIssuer(bundle.issuerCertPem)
    const variables = mtlsEnv(dir, {
      namespace: fromIssuer.namespace,
      trustDomain: this.flags['trust-domain'] ?? fromIssuer.trustDomain,
      withIssuerKey,
    })
    if (withIssuerKey) this.progress('warning', issuerKeyWarning)
    if (!this.jsonEnabled()) this.log(renderEnv(variables, this.flags.shell))
    return {variables}
  }
}
