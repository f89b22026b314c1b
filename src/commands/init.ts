// `dapr init`: the certificates directory and Configuration file (self-hosted), or the control plane installed with
// Helm and mTLS settled from the start (-k). Which flags belong to which mode is checked before anything runs.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/command.js'
import {
  backupDirFlag,
  backupPolicyOf,
  bringYourOwnFlags,
  certsDirFlag,
  certsDirOf,
  keepFlag,
  kubernetesFlag,
  sentryVersionFlag,
  validUntilFlag,
} from '../lib/flags.js'
import {installFlags, normalizeBooleanValues} from '../lib/helm/flags.js'
import type {InstallResult} from '../lib/helm/install.js'
import {assertInitFlagsFitMode, installOptions} from '../lib/helm/options.js'
import type {InstallPlan} from '../lib/helm/plan.js'
import {expiryBanner} from '../lib/output/banner.js'
import {passphrasePrompt} from '../lib/output/prompt.js'
import {resolveRenewalMode} from '../lib/renewal/mode.js'
import {defaultConfigFile} from '../lib/selfhosted/config-file.js'
import {initSelfHosted, renderSelfHostedInit, type SelfHostedInitResult} from '../lib/selfhosted/init.js'

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Set up Dapr mTLS certificates, or install the Dapr control plane with them (-k).'
  static override description = `With -k: installs the control plane with Helm (release dapr; the namespace is created if missing), mTLS on unless --enable-mtls=false. Certificates you bring, or make with --generate-certs, are checked by Sentry's rules before Helm runs and reach Helm in a temporary 0600 values file, never on its command line; without them Sentry generates its own.
Without -k: creates ca.crt, issuer.crt and issuer.key in the certificates directory (keys mode 0600) and a Dapr Configuration file with spec.mtls.enabled: true (an existing file is edited in place, comments kept). Existing certificates are never replaced without --force. Every place is checked for writing before the first write.
An encrypted key's passphrase comes from DAPR_MTLS_KEY_PASSPHRASE, or is asked on the terminal (three tries).`

  static override examples = [
    '<%= config.bin %> init -k --generate-certs --root-key-out root.key --enable-ha --wait',
    '<%= config.bin %> init -k --chart ./dapr-1.16.2.tgz --runtime-version 1.16.2 --dry-run',
    '<%= config.bin %> init --enable-mtls --root-key-out ~/.dapr/root.key',
    '<%= config.bin %> init --enable-mtls --valid-until 730 --trust-domain example.org',
    '<%= config.bin %> init --enable-mtls=false',
  ]

  // Self-hosted flags have no parse-time default either, so a given one can be told apart (see assertInitFlagsFitMode).
  static override flags = {
    kubernetes: kubernetesFlag,
    'enable-mtls': Flags.boolean({summary: 'Turn mutual TLS on (=false turns it off).', default: true, allowNo: true}),
    ...installFlags,
    'certs-dir': certsDirFlag,
    'config-file': Flags.string({summary: 'Dapr Configuration file to create or edit [default: ~/.dapr/config.yaml].'}),
    'valid-until': validUntilFlag,
    'trust-domain': Flags.string({summary: 'Trust domain of the new root (self-hosted) [default: cluster.local].'}),
    'root-key-out': Flags.string({
      summary: 'Also write a new root private key to this file (mode 0600; -k: with --generate-certs).',
    }),
    ...bringYourOwnFlags,
    'sentry-version': sentryVersionFlag,
    force: Flags.boolean({summary: 'Replace existing certificates (the old ones are backed up).'}),
    'backup-dir': backupDirFlag,
    keep: keepFlag,
  }

  override async init(): Promise<void> {
    this.argv = normalizeBooleanValues(this.argv)
    await super.init()
  }

  async run(): Promise<SelfHostedInitResult | InstallResult | InstallPlan> {
    assertInitFlagsFitMode(this.flags.kubernetes, this.flags)
    return this.flags.kubernetes ? this.installOnKubernetes() : this.initSelfHosted()
  }

  private async installOnKubernetes(): Promise<InstallResult | InstallPlan> {
    const options = installOptions(this.flags)
    const {installDapr, installedMessage} = await import('../lib/helm/install.js')
    const outcome = await installDapr(options, {
      dryRun: this.flags['dry-run'] ?? false,
      keyOptions: {prompt: passphrasePrompt()},
      progress: this.progress.bind(this),
    })
    if (outcome.dryRun) {
      const {renderInstallPlan} = await import('../lib/helm/plan.js')
      this.print(outcome.plan, () => renderInstallPlan(outcome.plan))
      return outcome.plan
    }
    this.result('success', installedMessage(outcome.result.namespace))
    // The ⚠ banner, from the certificates just installed (Sentry's own, when none were given, are new).
    const banner = expiryBanner(outcome.result.certificates)
    if (banner) this.progress('warning', banner)
    return outcome.result
  }

  private async initSelfHosted(): Promise<SelfHostedInitResult> {
    const result = await initSelfHosted({
      certsDir: certsDirOf(this.flags),
      configFile: this.flags['config-file'] ?? defaultConfigFile(),
      enableMtls: this.flags['enable-mtls'],
      mode: resolveRenewalMode(this.flags),
      trustDomain: this.flags['trust-domain'] ?? 'cluster.local',
      sentryVersion: this.flags['sentry-version'],
      trustDomainGiven: this.flags['trust-domain'] !== undefined,
      force: this.flags.force ?? false,
      rootKeyOut: this.flags['root-key-out'],
      keyOptions: {prompt: passphrasePrompt()},
      backup: backupPolicyOf(this.flags, 'init', this.backupEvents()),
    })
    for (const warning of result.warnings) this.progress('warning', warning)
    if (result.configFileBackup) this.progress('info', `Previous Configuration saved as ${result.configFileBackup}`)
    if (result.rootKeyFile)
      this.progress('info', `Root private key written to ${result.rootKeyFile} (mode 0600); keep it safe`)
    this.print(result, () => renderSelfHostedInit(result))
    return result
  }
}
