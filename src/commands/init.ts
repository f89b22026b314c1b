import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/command.js'
import {certsDirFlag, validUntilFlag} from '../lib/flags.js'
import {passphrasePrompt} from '../lib/output/prompt.js'
import {rfc1123} from '../lib/output/time-layouts.js'
import {resolveRenewalMode} from '../lib/renewal/mode.js'
import {defaultConfigFile} from '../lib/selfhosted/config-file.js'
import {initSelfHosted, type SelfHostedInitResult} from '../lib/selfhosted/init.js'

/** The Dapr docs write `--enable-mtls=false`; oclif spells a false boolean `--no-enable-mtls`. */
function normalizeBooleanValues(argv: string[]): string[] {
  return argv.map((arg) => {
    const match = /^--(enable-mtls|enable-ha|wait)=(true|false)$/i.exec(arg)
    if (!match) return arg
    return match[2]?.toLowerCase() === 'true' ? `--${match[1]}` : `--no-${match[1]}`
  })
}

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Set up Dapr mTLS certificates.'
  static override description = `Without -k: creates ca.crt, issuer.crt and issuer.key in the certificates directory (keys mode 0600) and a Dapr Configuration file with spec.mtls.enabled: true (an existing file is edited in place, comments kept). Existing certificates are never replaced without --force.`

  static override examples = [
    '<%= config.bin %> init --enable-mtls',
    '<%= config.bin %> init --enable-mtls --valid-until 730 --root-key-out ~/.dapr/root.key',
    '<%= config.bin %> init --enable-mtls=false',
  ]

  static override flags = {
    'enable-mtls': Flags.boolean({
      summary: 'Turn mutual TLS on (--enable-mtls=false turns it off).',
      default: true,
      allowNo: true,
    }),
    'certs-dir': certsDirFlag,
    'config-file': Flags.string({
      summary: 'Dapr Configuration file to create or edit.',
      default: () => Promise.resolve(defaultConfigFile()),
      defaultHelp: () => Promise.resolve('~/.dapr/config.yaml'),
    }),
    'valid-until': validUntilFlag,
    'trust-domain': Flags.string({summary: 'Trust domain of the new root.', default: 'cluster.local'}),
    'root-key-out': Flags.string({summary: 'Also write the new root private key to this file (mode 0600).'}),
    'ca-root-certificate': Flags.string({summary: 'Root certificate(s) you bring (PEM).'}),
    'issuer-public-certificate': Flags.string({summary: 'Issuer certificate you bring (PEM).'}),
    'issuer-private-key': Flags.string({summary: 'Issuer private key you bring (PEM).'}),
    force: Flags.boolean({summary: 'Replace existing certificates (the old ones are backed up).'}),
  }

  override async init(): Promise<void> {
    this.argv = normalizeBooleanValues(this.argv)
    await super.init()
  }

  async run(): Promise<SelfHostedInitResult> {
    const mode = resolveRenewalMode(this.flags)
    const result = await initSelfHosted({
      certsDir: this.flags['certs-dir'],
      configFile: this.flags['config-file'],
      enableMtls: this.flags['enable-mtls'],
      mode,
      trustDomain: this.flags['trust-domain'],
      force: this.flags.force,
      rootKeyOut: this.flags['root-key-out'],
      keyOptions: {prompt: passphrasePrompt(this.jsonEnabled())},
    })
    if (result.backupDir) this.progress('info', `Previous certificates saved in ${result.backupDir}`)
    if (result.rootKeyFile)
      this.progress('info', `Root private key written to ${result.rootKeyFile} (mode 0600); keep it safe`)
    this.print(result, () => renderInit(result))
    return result
  }
}

function renderInit(result: SelfHostedInitResult): string {
  const config = `Configuration ${result.configFile} ${result.configFileChange} (spec.mtls.enabled: ${result.mtlsEnabled})`
  if (!result.mtlsEnabled) return `Mutual TLS is disabled. ${config}`
  const root = result.certificates.find((c) => c.role === 'root')
  return [
    `Success! mTLS certificates written to ${result.certsDir ?? ''}, valid through ${root ? rfc1123(root.notAfter) : ''}.`,
    config,
    '',
    'Next steps:',
    `  1. Start Sentry with these certificates: sentry --issuer-credentials ${result.certsDir ?? ''} --trust-domain ${root?.subject.replace(/^O=/, '') ?? 'cluster.local'}`,
    '  2. Load them into your shell for daprd: eval "$(dapr mtls env)"',
    `  3. Run daprd with --enable-mtls --sentry-address localhost:50001 --config ${result.configFile}`,
    '  Check expiry any time with: dapr mtls expiry',
  ].join('\n')
}
