// `dapr mtls rotate`: changes the root without downtime, one phase per run (add-root, switch-issuer, prune), on the
// cluster (-k) or a certificates directory.
import {Flags} from '@oclif/core'

import {UsageError, UserError} from '../../lib/errors.js'
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
import {outputFlag} from '../../lib/output/format.js'
import {confirm, passphrasePrompt} from '../../lib/output/prompt.js'
import {canPrompt} from '../../lib/output/terminal.js'
import {resolveRenewalMode} from '../../lib/renewal/mode.js'
import {rotationPhases} from '../../lib/rotation/phases.js'
import {renderRotationPlan, renderRotationStatus, rotationNextSteps} from '../../lib/rotation/render.js'
import {
  applyRotation,
  assertSwitchAllowed,
  completeRotation,
  type NewRootSource,
  prepareRotation,
  type PreparedRotation,
  type RotationPlan,
  type RotationStatusReport,
  rotationStatusReport,
  type RotationTarget,
} from '../../lib/rotation/rotate.js'
import {defaultConfigFile} from '../../lib/selfhosted/config-file.js'
import {assertKeyFileWritable, writeKeyFile} from '../../lib/selfhosted/key-file.js'
import {certsDirRotationTarget} from '../../lib/selfhosted/rotation-target.js'

interface RotateResult {
  plan: RotationPlan
  written: boolean
  backup: string | undefined
  restarted: {controlPlane: string[]; apps: string[]}
  nextSteps: string[]
}

export default class Rotate extends KubeCommand<typeof Rotate> {
  static override summary = 'Change the root certificate without downtime, one phase per run.'
  static override description = `Each run does the next phase of a rotation: add-root (the new root joins the current ones; the issuer stays), switch-issuer (the issuer signed by the new root takes over, once every sidecar trusts the new root), prune (the old roots go, once every certificate from the old issuer has expired). Where a rotation stands is read from the cluster (a Secret beside the trust bundle) or, self-hosted, from ~/.dapr/rotation/; an interrupted run is completed by running it again.
With -k the control plane restarts after add-root and prune (sidecar injector before apps; --no-restart skips it), and --restart-apps restarts the Dapr-enabled workloads that need the new root.`

  static override examples = [
    '<%= config.bin %> mtls rotate -k --status',
    '<%= config.bin %> mtls rotate -k --phase add-root --restart-apps --root-key-out root.key',
    '<%= config.bin %> mtls rotate -k --phase switch-issuer --dry-run',
    '<%= config.bin %> mtls rotate --status',
    '<%= config.bin %> mtls rotate --phase add-root',
  ]

  static override selfHostedOnlyFlags = ['certs-dir', 'config-file', 'sentry-version']
  static override clusterOnlyFlags = [
    'restart',
    'restart-apps',
    'app-namespace',
    'concurrency',
    'timeout',
    'backup-dir',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    'config-file': Flags.string({
      summary:
        "Self-hosted Sentry's Configuration file, for workloadCertTTL and allowedClockSkew [default: ~/.dapr/config.yaml].",
    }),
    'sentry-version': sentryVersionFlag,
    status: Flags.boolean({summary: 'Show where the rotation stands, what the next run does and what blocks it.'}),
    phase: Flags.option({
      options: rotationPhases,
      summary: 'The phase you expect to run; refused if the rotation is elsewhere.',
    })(),
    'valid-until': validUntilFlag,
    'root-key-out': Flags.string({
      summary: 'Write the new root private key to this file (mode 0600); it is never stored in the cluster.',
    }),
    ...bringYourOwnFlags,
    force: Flags.boolean({summary: 'switch-issuer even though some sidecars do not trust the new root yet.'}),
    'skip-wait': Flags.boolean({summary: 'prune before every certificate from the old issuer has expired.'}),
    restart: Flags.boolean({
      summary: 'Restart the control plane after add-root and prune (-k) [default: true].',
      allowNo: true,
    }),
    'restart-apps': Flags.boolean({summary: 'Restart the Dapr-enabled workloads that need the new root (-k).'}),
    'app-namespace': Flags.string({
      summary: 'Only apps in this namespace (repeatable; default all namespaces).',
      multiple: true,
    }),
    concurrency: Flags.integer({summary: 'Apps restarted at a time [default: 5].', min: 1}),
    timeout: timeoutFlag('timeout', {summary: `How long the restarts may take [default: ${defaultTimeoutSeconds}s].`}),
    'backup-dir': Flags.string({
      summary: 'Where the old trust bundle is saved before each write (-k).',
      defaultHelp: '~/.dapr/backups',
    }),
    'dry-run': Flags.boolean({summary: 'Print the plan of the next phase; change nothing.'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation at a terminal.'}),
    output: outputFlag,
  }

  async run(): Promise<RotateResult | RotationStatusReport> {
    const session = this.flags.kubernetes ? await this.cluster() : undefined
    const target = this.target(session)
    if (this.flags.status) {
      const report = await rotationStatusReport(target)
      this.print(report, () => renderRotationStatus(report))
      return report
    }
    const prepared = await prepareRotation(target, {
      expectedPhase: this.flags.phase,
      source: this.newRootSource(),
      force: this.flags.force ?? false,
      skipWait: this.flags['skip-wait'] ?? false,
      keyOptions: {prompt: passphrasePrompt()},
    })
    if (this.flags['root-key-out'] !== undefined && prepared.rootKeyPem !== undefined) {
      await assertKeyFileWritable(this.flags['root-key-out'])
    }
    let plan = prepared.plan
    if (this.flags['dry-run']) return this.printed(plan, false, undefined, {controlPlane: [], apps: []})
    const restarted: RotateResult['restarted'] = {controlPlane: [], apps: []}
    // Before the switch, --restart-apps restarts what blocks it; the guard then looks again.
    let ready = prepared
    if (session && plan.phase === 'switch-issuer' && this.flags['restart-apps'] && plan.blockers.length > 0) {
      restarted.apps = await this.restartApps(
        session,
        plan.blockers.filter((b) => b.replaceable).map((b) => b.owner),
      )
      ready = await this.prepareAgain(target)
      plan = ready.plan
    }
    assertSwitchAllowed(plan, this.flags.force ?? false)
    if (!this.flags.yes && canPrompt() && !this.jsonEnabled()) {
      process.stderr.write(renderRotationPlan(plan) + '\n')
      if (!(await confirm(`Run ${plan.phase} now?`, false))) throw new UserError('cancelled; nothing was changed')
    }
    if (this.flags['root-key-out'] !== undefined && ready.rootKeyPem !== undefined) {
      await writeKeyFile(this.flags['root-key-out'], ready.rootKeyPem)
      this.progress('info', `New root private key written to ${this.flags['root-key-out']} (mode 0600); keep it safe`)
    }
    for (const warning of plan.warnings) this.progress('warning', warning)
    const written = await applyRotation(target, ready)
    plan = {...plan, earliestPrune: written.earliestPrune ?? plan.earliestPrune}
    this.result(
      'success',
      `Rotation phase ${plan.phase} ${plan.completing ? 'completed' : 'done'} for ${target.location}`,
    )
    if (session && plan.phase !== 'switch-issuer') {
      if (this.flags.restart ?? true) restarted.controlPlane = await this.restartControlPlane(session)
      if (this.flags['restart-apps']) restarted.apps = await this.restartApps(session, undefined)
    }
    await completeRotation(target, plan.phase, written.state)
    return this.printed(plan, true, written.backup, restarted)
  }

  private printed(
    plan: RotationPlan,
    written: boolean,
    backup: string | undefined,
    restarted: RotateResult['restarted'],
  ): RotateResult {
    const nextSteps = rotationNextSteps({
      mode: this.flags.kubernetes ? 'kubernetes' : 'self-hosted',
      phase: plan.phase,
      certsDir: this.flags['certs-dir'],
      namespaceFlag: (this.flags as {namespace?: string}).namespace,
      appsRestarted: restarted.apps.length > 0,
      earliestPrune: plan.earliestPrune,
    })
    const result: RotateResult = {plan, written, backup, restarted, nextSteps}
    if (!written) this.print(result, () => renderRotationPlan(plan))
    else for (const step of nextSteps) this.progress('info', step)
    return result
  }

  private target(session: ClusterSession | undefined): RotationTarget {
    if (session) {
      return session.kube.clusterRotationTarget(session.clients, session.controlPlane, {
        backupDir: this.flags['backup-dir'] ?? session.kube.defaultBackupDir(),
        onBackup: (file) => {
          this.progress('info', `Previous trust bundle saved in ${file}`)
        },
      })
    }
    return certsDirRotationTarget(certsDirOf(this.flags), {
      configFile: this.flags['config-file'] ?? defaultConfigFile(),
      sentryVersion: this.flags['sentry-version'],
    })
  }

  private newRootSource(): NewRootSource {
    const mode = resolveRenewalMode(this.flags)
    if (mode.kind === 'root-key') throw new UsageError('--private-key does not apply to rotate')
    if (mode.kind === 'provided') {
      if (this.flags['root-key-out'] !== undefined) {
        throw new UsageError('--root-key-out only applies when the new root is generated here', 'Drop --root-key-out.')
      }
      return mode
    }
    return {kind: 'generate', validityDays: mode.validityDays, rootKeyOut: this.flags['root-key-out']}
  }

  private async prepareAgain(target: RotationTarget): Promise<PreparedRotation> {
    return prepareRotation(target, {
      expectedPhase: 'switch-issuer',
      source: this.newRootSource(),
      force: this.flags.force ?? false,
      skipWait: false,
    })
  }

  private async restartControlPlane(session: ClusterSession): Promise<string[]> {
    const {kube, clients, controlPlane} = session
    const workloads = await kube.presentWorkloads(clients, controlPlane.namespace)
    const wait = this.startWait('Restarting the control plane')
    try {
      const outcomes = await kube.restartWithSummary(clients, controlPlane.namespace, workloads, {
        timeoutSeconds: this.flags.timeout ?? defaultTimeoutSeconds,
        progress: wait.update,
        summary: (text) => {
          wait.stop()
          process.stderr.write(text + '\n')
        },
      })
      return outcomes.map((o) => o.name)
    } finally {
      wait.stop()
    }
  }

  /** Restarts the given workloads, or every Dapr-enabled one in scope; throws naming any that did not finish. */
  private async restartApps(session: ClusterSession, only: string[] | undefined): Promise<string[]> {
    const {kube, clients} = session
    const workloads = only
      ? only.map((owner) => kube.parseWorkload(owner))
      : await kube.listDaprWorkloads(clients, {namespaces: this.flags['app-namespace'] ?? []})
    const concurrency = this.flags.concurrency ?? 5
    const outcomes = await kube.restartApps(clients, workloads, {
      concurrency,
      timeoutMs: (this.flags.timeout ?? defaultTimeoutSeconds) * 1000,
      onFinished: (outcome, finished, total) => {
        this.progress(outcome.done ? 'success' : 'failure', kube.appRestartProgress(outcome, finished, total))
      },
    })
    kube.assertAppRestartsDone(outcomes, {concurrency})
    return outcomes.map((o) => kube.formatWorkload(o))
  }
}
