// `dapr mtls renew-certificate`: a new trust bundle for the cluster (-k) or the certificates directory, checked by
// Sentry's rules before anything is written, then (with -k) the control plane and applications restarted in order.
import {Flags} from '@oclif/core'

import {BundleWriteCommand} from '../../lib/bundle-write-command.js'
import {
  bringYourOwnFlags,
  bundleWriteClusterOnlyFlags,
  bundleWriteFlags,
  certsDirFlag,
  kubernetesFlag,
  sentryVersionFlag,
  validUntilFlag,
} from '../../lib/flags.js'
import {passphrasePrompt} from '../../lib/output/prompt.js'
import {rfc1123} from '../../lib/output/time-layouts.js'
import {modeMessage, resolveRenewalMode} from '../../lib/renewal/mode.js'
import type {BundleWriteResult} from '../../lib/renewal/result.js'

export default class RenewCertificate extends BundleWriteCommand<typeof RenewCertificate> {
  static override summary = 'Renew the root and issuer certificates.'
  static override description = `Three modes: fresh certificates (default); a new root signed with an existing root key (--private-key), which keeps the root public key so workloads keep trusting it; or certificates you bring (--ca-root-certificate, --issuer-public-certificate, --issuer-private-key), checked the way Sentry checks them before anything is written.
With -k the dapr-trust-bundle Secret and ConfigMap are replaced directly (no Helm); --restart then restarts dapr-sentry first, then the rest of the control plane, and waits; --restart-apps then restarts every Dapr-enabled application, a few at a time. Without -k the certificates directory is renewed in place, and Ctrl-C leaves it all old or all new.
Every write first saves the bundle it replaces (the newest --keep backups are kept, under ~/.dapr/backups): dapr mtls rollback puts it back.
An encrypted key's passphrase comes from DAPR_MTLS_KEY_PASSPHRASE, or is asked on the terminal (three tries), also when stdout is piped.`

  static override aliases = ['mtls:renew-cert', 'mtls:rnc']
  static override clusterOnlyFlags = bundleWriteClusterOnlyFlags
  static override selfHostedOnlyFlags = ['certs-dir', 'sentry-version']
  static override examples = [
    '<%= config.bin %> mtls renew-certificate --private-key ~/.dapr/root.key',
    '<%= config.bin %> mtls renew-certificate --valid-until 730 --dry-run',
    '<%= config.bin %> mtls renew-certificate --ca-root-certificate ca.crt --issuer-public-certificate issuer.crt --issuer-private-key issuer.key',
    '<%= config.bin %> mtls renew-certificate -k --valid-until 365 --restart',
    '<%= config.bin %> mtls renew-certificate -k --restart-apps --app-namespace shop --concurrency 10',
    '<%= config.bin %> mtls renew-certificate -k --private-key root.key --dry-run',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    'private-key': Flags.string({summary: 'Root private key (PEM) that signs the new root certificate.'}),
    ...bringYourOwnFlags,
    'sentry-version': sentryVersionFlag,
    'valid-until': validUntilFlag,
    ...bundleWriteFlags,
  }

  async run(): Promise<BundleWriteResult> {
    const mode = resolveRenewalMode(this.flags)
    const write = await this.prepareWrite('renew', () => mode, {prompt: passphrasePrompt()})
    const root = write.prepared.plan.next.find((c) => c.role === 'root')
    return this.finishWrite(write, {
      question: 'Replace the trust bundle now?',
      announce: () => {
        this.progress('pending', 'Starting certificate rotation')
        this.progress('info', modeMessage(mode))
        const namespace = write.session?.controlPlane.namespace
        if (namespace)
          this.progress('info', `Updating certificates in namespace ${namespace} of your Kubernetes cluster`)
      },
      success: `Certificate rotation is successful! Your new certificate is valid through ${root ? rfc1123(root.notAfter) : ''}`,
      unchanged: 'The certificates given are already in place; nothing was written.',
    })
  }
}
