// `dapr mtls rotate`: changes the root without downtime, one phase per run (add-root, switch-issuer, prune), on the
// cluster (-k) or a certificates directory.
import {Flags} from '@oclif/core'

import {UsageError} from '../../lib/errors.js'
import {
  backupPolicyOf,
  bringYourOwnFlags,
  bundleWriteFlags,
  certsDirFlag,
  certsDirOf,
  kubernetesFlag,
  restartFlagNames,
  sentryVersionFlag,
  validUntilFlag,
} from '../../lib/flags.js'
import {type ClusterSession, KubeCommand} from '../../lib/kube-command.js'
import {outputFlag} from '../../lib/output/format.js'
import {passphrasePrompt} from '../../lib/output/prompt.js'
import {resolveRenewalMode} from '../../lib/renewal/mode.js'
import {restartRequestOf} from '../../lib/restarts/request.js'
import {planRestarts, type RestartsResult} from '../../lib/restarts/run.js'
import {rotationPhases} from '../../lib/rotation/phases.js'
import {renderRotationPlan, renderRotationStatus, rotationNextSteps} from '../../lib/rotation/render.js'
import {
  applyRotation,
  assertSwitchAllowed,
  completeRotation,
  type NewRootSource,
  prepareRotation,
  type RotationPlan,
  type RotationRequest,
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
  restarts: RestartsResult | undefined
  nextSteps: string[]
}

export default class Rotate extends KubeCommand<typeof Rotate> {
  static override summary = 'Change the root certificate without downtime, one phase per run.'
  static override description = `Each run does the next phase of a rotation: add-root (the new root joins the current ones; the issuer stays), switch-issuer (the issuer signed by the new root takes over, once every sidecar trusts the new root), prune (the old roots go, once every certificate from the old issuer has expired). Where a rotation stands is read from the cluster (a Secret beside the trust bundle) or, self-hosted, from ~/.dapr/rotation/; an interrupted run is completed by running it again.
With -k the control plane restarts after add-root and prune (sidecar injector before apps; --no-restart skips it); --restart-apps then restarts the Dapr-enabled workloads, and before switch-issuer restarts those whose sidecars do not trust the new root yet.`

  static override examples = [
    '<%= config.bin %> mtls rotate -k --status',
    '<%= config.bin %> mtls rotate -k --phase add-root --restart-apps --root-key-out root.key',
    '<%= config.bin %> mtls rotate -k --phase switch-issuer --dry-run',
    '<%= config.bin %> mtls rotate --status',
    '<%= config.bin %> mtls rotate --phase add-root',
  ]

  static override selfHostedOnlyFlags = ['certs-dir', 'config-file', 'sentry-version']
  static override clusterOnlyFlags = [...restartFlagNames]

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
    ...bundleWriteFlags,
    restart: Flags.boolean({
      summary: 'Restart the control plane after add-root and prune (-k) [default: true].',
      allowNo: true,
    }),
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
    const request: RotationRequest = {
      expectedPhase: this.flags.phase,
      source: this.newRootSource(),
      force: this.flags.force ?? false,
      skipWait: this.flags['skip-wait'] ?? false,
      keyOptions: {prompt: passphrasePrompt()},
    }
    let prepared = await prepareRotation(target, request)
    const rootKeyOut = prepared.rootKeyPem === undefined ? undefined : this.flags['root-key-out']
    if (rootKeyOut !== undefined) await assertKeyFileWritable(rootKeyOut)
    // add-root and prune change ca.crt: the control plane restarts (unless --no-restart), and with --restart-apps the
    // apps. switch-issuer changes no anchor: nothing restarts after it.
    const restartsAfter =
      session && prepared.plan.phase !== 'switch-issuer'
        ? await planRestarts(session, restartRequestOf({...this.flags, restart: this.flags.restart ?? true}))
        : undefined
    if (this.flags['dry-run']) return this.done(prepared.plan, {written: false})
    // Before the switch, --restart-apps restarts what blocks it (a rollout can replace it); the guard looks again.
    const blocking = prepared.plan.blockers.filter((b) => b.replaceable).map((b) => b.owner)
    if (session && prepared.plan.phase === 'switch-issuer' && this.flags['restart-apps'] && blocking.length > 0) {
      const only = blocking.map((owner) => session.kube.parseWorkload(owner))
      const plan = await planRestarts(session, {
        ...restartRequestOf({...this.flags, restart: false}),
        controlPlane: false,
        apps: {namespaces: [], only},
      })
      await this.restartAfterWrite(session, plan)
      prepared = await prepareRotation(target, {...request, expectedPhase: 'switch-issuer'})
    }
    const {plan} = prepared
    assertSwitchAllowed(plan, request.force)
    if (session) await this.confirmWrite(renderRotationPlan(plan), `Run ${plan.phase} now?`, this.flags.yes)
    if (rootKeyOut !== undefined && prepared.rootKeyPem !== undefined) {
      await writeKeyFile(rootKeyOut, prepared.rootKeyPem)
      this.progress('info', `New root private key written to ${rootKeyOut} (mode 0600); keep it safe`)
    }
    for (const warning of plan.warnings) this.progress('warning', warning)
    const written = await applyRotation(target, prepared)
    this.result(
      'success',
      `Rotation phase ${plan.phase} ${plan.completing ? 'completed' : 'done'} for ${target.location}`,
    )
    const restarts = session && restartsAfter ? await this.restartAfterWrite(session, restartsAfter) : undefined
    await completeRotation(target, plan.phase, written.state)
    return this.done(
      {...plan, earliestPrune: written.earliestPrune ?? plan.earliestPrune},
      {written: true, backup: written.backup, restarts},
    )
  }

  /** The result, and what to do next: the plan itself when nothing was written (--dry-run). */
  private done(
    plan: RotationPlan,
    outcome: {written: boolean; backup?: string | undefined; restarts?: RestartsResult | undefined},
  ): RotateResult {
    const nextSteps = rotationNextSteps({
      mode: this.flags.kubernetes ? 'kubernetes' : 'self-hosted',
      phase: plan.phase,
      certsDir: this.flags['certs-dir'],
      namespaceFlag: (this.flags as {namespace?: string}).namespace,
      appsRestarted: (outcome.restarts?.apps.length ?? 0) > 0,
      earliestPrune: plan.earliestPrune,
    })
    const result: RotateResult = {
      plan,
      written: outcome.written,
      backup: outcome.backup,
      restarts: outcome.restarts,
      nextSteps,
    }
    if (!outcome.written) this.print(result, () => renderRotationPlan(plan))
    else for (const step of nextSteps) this.progress('info', step)
    return result
  }

  private target(session: ClusterSession | undefined): RotationTarget {
    // Each phase's write records its backup as written by `rotate <phase>`.
    const backup = backupPolicyOf(this.flags, 'rotate', this.backupEvents())
    if (session) return session.kube.clusterRotationTarget(session.clients, session.controlPlane, backup)
    return certsDirRotationTarget(certsDirOf(this.flags), {
      configFile: this.flags['config-file'] ?? defaultConfigFile(),
      sentryVersion: this.flags['sentry-version'],
      backup,
    })
  }

  private newRootSource(): NewRootSource {
    const mode = resolveRenewalMode(this.flags)
    if (mode.kind === 'provided') {
      if (this.flags['root-key-out'] !== undefined) {
        throw new UsageError('--root-key-out only applies when the new root is generated here', 'Drop --root-key-out.')
      }
      return mode
    }
    if (mode.kind !== 'fresh')
      throw new UsageError(`--${mode.kind === 'root-key' ? 'private-key' : 'backup'} does not apply to rotate`)
    return {kind: 'generate', validityDays: mode.validityDays, rootKeyOut: this.flags['root-key-out']}
  }
}
