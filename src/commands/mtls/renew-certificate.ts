import {Flags} from '@oclif/core'

import {UserError} from '../../lib/errors.js'
import {
  bringYourOwnFlags,
  certsDirFlag,
  certsDirOf,
  defaultTimeoutSeconds,
  kubernetesFlag,
  sentryVersionFlag,
  timeoutFlag,
  validUntilFlag,
} from '../../lib/flags.js'
import {type ClusterSession, KubeCommand} from '../../lib/kube-command.js'
import type {RestartOutcome, Workload} from '../../lib/kube/index.js'
import {confirm, passphrasePrompt} from '../../lib/output/prompt.js'
import {canPrompt} from '../../lib/output/terminal.js'
import {rfc1123} from '../../lib/output/time-layouts.js'
import {modeMessage, resolveRenewalMode} from '../../lib/renewal/mode.js'
import {clusterNextSteps} from '../../lib/renewal/next-steps.js'
import {renderPlan} from '../../lib/renewal/plan.js'
import {applyRenewal, prepareRenewal, type RenewalResult} from '../../lib/renewal/renew.js'
import {renewalNextSteps} from '../../lib/selfhosted/next-steps.js'
import {certsDirTarget} from '../../lib/selfhosted/target.js'

type Result = RenewalResult & {restarts: RestartOutcome[]; nextSteps: string[]}

export default class RenewCertificate extends KubeCommand<typeof RenewCertificate> {
  static override summary = 'Renew the root and issuer certificates.'
  static override description = `Three modes: fresh certificates (default); a new root signed with an existing root key (--private-key), which keeps the root public key so workloads keep trusting it; or certificates you bring (--ca-root-certificate, --issuer-public-certificate, --issuer-private-key), checked the way Sentry checks them before anything is written.
With -k the dapr-trust-bundle Secret and ConfigMap are replaced directly (no Helm), after a local backup; --restart then restarts dapr-sentry first, then the rest of the control plane, and waits. Without -k the certificates directory is renewed in place, with the old files kept in a timestamped backup folder, and Ctrl-C leaves it all old or all new.
An encrypted key's passphrase comes from DAPR_MTLS_KEY_PASSPHRASE, or is asked on the terminal (three tries), also when stdout is piped.`

  static override aliases = ['mtls:renew-cert', 'mtls:rnc']
  static override clusterOnlyFlags = ['restart', 'timeout', 'backup-dir', 'yes']

  static override selfHostedOnlyFlags = ['certs-dir', 'sentry-version']
  static override examples = [
    '<%= config.bin %> mtls renew-certificate --private-key ~/.dapr/root.key',
    '<%= config.bin %> mtls renew-certificate --valid-until 730 --dry-run',
    '<%= config.bin %> mtls renew-certificate --ca-root-certificate ca.crt --issuer-public-certificate issuer.crt --issuer-private-key issuer.key',
    '<%= config.bin %> mtls renew-certificate -k --valid-until 365 --restart',
    '<%= config.bin %> mtls renew-certificate -k --private-key root.key --dry-run',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    'private-key': Flags.string({summary: 'Root private key (PEM) that signs the new root certificate.'}),
    ...bringYourOwnFlags,
    'sentry-version': sentryVersionFlag,
    'valid-until': validUntilFlag,
    restart: Flags.boolean({
      summary: 'Restart the control plane after renewing (-k): dapr-sentry first, then the rest.',
    }),
    timeout: timeoutFlag('timeout', {
      summary: `How long the whole restart may take: seconds or a duration such as 90s, 5m [default: ${defaultTimeoutSeconds / 60}m].`,
    }),
    'backup-dir': Flags.string({
      summary: 'Where the old trust bundle is saved before it is replaced (-k).',
      defaultHelp: '~/.dapr/backups',
    }),
    'dry-run': Flags.boolean({summary: 'Print what would be generated, written and restarted; change nothing.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation at a terminal (-k).'}),
  }

  async run(): Promise<Result> {
    const mode = resolveRenewalMode(this.flags)
    const session = this.flags.kubernetes ? await this.cluster() : undefined
    const namespace = session?.controlPlane.namespace ?? ''
    const target = session
      ? session.kube.clusterTarget(session.clients, session.controlPlane, {
          backupDir: this.flags['backup-dir'] ?? session.kube.defaultBackupDir(),
          onBackup: (file) => {
            this.progress('info', `Previous trust bundle saved in ${file}`)
          },
        })
      : certsDirTarget(certsDirOf(this.flags), {sentryVersion: this.flags['sentry-version']})
    const workloads =
      session && this.flags.restart ? await session.kube.presentWorkloads(session.clients, namespace) : []
    if (session && this.flags.restart && workloads.length === 0) {
      throw new UserError(`--restart found no control-plane workloads in namespace ${namespace}; nothing was changed`, {
        hint: 'Check -n, or drop --restart and restart the control plane your own way after renewing.',
      })
    }
    // Everything is read and checked before the first line of progress: bad input fails with its error alone.
    const prepared = await prepareRenewal(target, mode, {
      restarts: workloads.map((w) => `${w.kind} ${namespace}/${w.name}`),
      keyOptions: {prompt: passphrasePrompt()},
    })
    const nextSteps = session
      ? clusterNextSteps({
          rootKept: prepared.plan.rootPublicKeyKept,
          restartingControlPlane: this.flags.restart ?? false,
        })
      : renewalNextSteps(target.location, !prepared.plan.rootPublicKeyKept)
    if (session) this.bannerFrom(this.flags['dry-run'] ? prepared.plan.current : prepared.plan.next)
    if (this.flags['dry-run']) {
      const result: Result = {plan: prepared.plan, written: false, backup: undefined, restarts: [], nextSteps}
      this.print(result, () => renderPlan(prepared.plan))
      return result
    }
    // At a terminal, a cluster renewal shows its plan and asks first; scripts (no terminal) are never asked.
    if (session && !this.flags.yes && canPrompt() && !this.jsonEnabled()) {
      process.stderr.write(renderPlan(prepared.plan) + '\n')
      if (!(await confirm('Replace the trust bundle now?', false)))
        throw new UserError('cancelled; nothing was changed')
    }
    this.progress('pending', 'Starting certificate rotation')
    this.progress('info', modeMessage(mode))
    if (session) this.progress('info', `Updating certificates in namespace ${namespace} of your Kubernetes cluster`)
    for (const warning of prepared.plan.warnings) this.progress('warning', warning)
    const result: Result = {...(await applyRenewal(target, prepared)), restarts: [], nextSteps}
    if (!session && result.backup) this.progress('info', `Previous certificates saved in ${result.backup}`)
    const root = result.plan.next.find((c) => c.role === 'root')
    const through = root ? rfc1123(root.notAfter) : ''
    this.result('success', `Certificate rotation is successful! Your new certificate is valid through ${through}`)
    if (session && this.flags.restart) result.restarts = await this.restart(session, workloads)
    // Self-hosted, the steps are commands to paste, a block of the result; with -k, notes beside it.
    if (!session && !this.jsonEnabled()) this.log(['', ...nextSteps].join('\n'))
    for (const step of session ? nextSteps : []) this.progress('info', step)
    return result
  }

  private async restart(session: ClusterSession, workloads: Workload[]): Promise<RestartOutcome[]> {
    const wait = this.startWait('Restarting the control plane')
    try {
      const outcomes = await session.kube.restartWithSummary(
        session.clients,
        session.controlPlane.namespace,
        workloads,
        {
          timeoutSeconds: this.flags.timeout ?? defaultTimeoutSeconds,
          progress: wait.update,
          summary: (text) => {
            wait.stop()
            process.stderr.write(text + '\n')
          },
        },
      )
      this.progress('success', 'All control plane services have restarted successfully!')
      return outcomes
    } finally {
      wait.stop()
    }
  }
}
