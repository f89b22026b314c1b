// The rotation service: reads where a rotation stands, plans the next phase (nothing written), and runs it through a
// target that is the cluster or a certificates directory. Each phase's write goes through the target's own write
// protocol (validation, backup, conditional writes, read-back); the state is recorded before and after it, so a run
// interrupted anywhere is completed by running the same phase again.
import {
  assertValidBundle,
  type CertificateInfo,
  describeBundle,
  generateBundle,
  parseCertificates,
  type TrustBundle,
} from '../certs/index.js'
import {UsageError, UserError} from '../errors.js'
import type {KeyLoadOptions} from '../renewal/inputs.js'
import {loadPrivateKey, readInputFile} from '../renewal/inputs.js'
import type {ControlPlaneSettings} from '../renewal/new-bundle.js'
import {
  earliestPrune,
  nextBundle,
  type PruneWindow,
  type RotationPhase,
  type RotationState,
  type RotationStatus,
  rotationStatus,
  type Sidecar,
  type SidecarBlockers,
  sidecarsMissingRoot,
} from './phases.js'

export interface RotationSettings extends ControlPlaneSettings {
  window: PruneWindow
}

/** The cluster or a certificates directory, as the rotation sees it. */
export interface RotationTarget {
  readonly mode: 'kubernetes' | 'self-hosted'
  /** namespace/dapr-trust-bundle, or the directory. */
  readonly location: string
  /** What a phase's write replaces, for plans. */
  readonly writes: string[]
  settings(): Promise<RotationSettings>
  readBundle(): Promise<TrustBundle>
  readState(): Promise<RotationState | undefined>
  saveState(state: RotationState): Promise<void>
  clearState(): Promise<void>
  /** Writes the phase's bundle by the target's protocol; its backup is recorded as written by `rotate <phase>`. */
  writeBundle(bundle: TrustBundle, phase: RotationPhase): Promise<{backup: string | undefined}>
  /** The running sidecars with the anchors they hold; undefined when they cannot be listed here. */
  sidecars(): Promise<Sidecar[] | undefined>
  /** Control-plane pods that started before `since` (they may hold the old anchors); none self-hosted. */
  staleControlPlane(since: Date): Promise<string[]>
}

/** Where a new root comes from: generated here, or brought (one new root, and the issuer it signed). */
export type NewRootSource =
  | {kind: 'generate'; validityDays: number; rootKeyOut: string | undefined}
  | {kind: 'provided'; rootCertFile: string; issuerCertFile: string; issuerKeyFile: string}

export interface RotationRequest {
  /** The phase the caller expects (--phase); refused when the rotation is elsewhere. */
  expectedPhase?: RotationPhase | undefined
  source: NewRootSource
  /** switch-issuer even though some sidecars do not trust the new root yet. */
  force: boolean
  /** prune before the window has passed. */
  skipWait: boolean
  keyOptions?: KeyLoadOptions
  now?: Date
}

export interface RotationPlan {
  phase: RotationPhase
  /** The phase's write is already in place (an interrupted run): this run records it and does what was left. */
  completing: boolean
  location: string
  writes: string[]
  current: CertificateInfo[]
  next: CertificateInfo[]
  /** switch-issuer: sidecars (by owner) and control-plane pods that do not trust the new root yet. */
  blockers: {owner: string; sidecars: string[]; replaceable: boolean}[]
  staleControlPlane: string[]
  /** False where the sidecars cannot be listed (self-hosted, not Linux): the user must make sure. */
  sidecarsChecked: boolean
  /** prune: the earliest time the old roots can go. */
  earliestPrune: string | undefined
  warnings: string[]
}

export interface PreparedRotation {
  plan: RotationPlan
  state: RotationState
  /** How long after the switch the old roots must stay. */
  window: PruneWindow
  bundle: TrustBundle
  /** A generated new root's private key, written by the command to --root-key-out before anything else. */
  rootKeyPem: string | undefined
}

export interface RotationStatusReport {
  location: string
  /** 'none' when no rotation is in progress. */
  phase: RotationPhase | 'none'
  completing: boolean
  startedAt: string | undefined
  rootAddedAt: string | undefined
  issuerSwitchedAt: string | undefined
  earliestPrune: string | undefined
  /** What the next run does, in one sentence. */
  next: string
  blockers: RotationPlan['blockers']
  staleControlPlane: string[]
  sidecarsChecked: boolean
  certificates: CertificateInfo[]
}

const phaseWords: Record<RotationPhase, string> = {
  'add-root': 'add the new root beside the current ones',
  'switch-issuer': 'switch to the issuer signed by the new root',
  prune: 'remove the old roots',
}

function known(status: RotationStatus): {phase: RotationPhase | 'none'; completing: boolean} {
  if (status.phase === 'conflict') {
    throw new UserError(`the rotation state does not match the trust bundle: ${status.reason}`, {
      hint: 'Something else changed the bundle during the rotation. Check it (dapr mtls expiry), then remove the rotation state to start over.',
    })
  }
  return status.phase === 'none'
    ? {phase: 'none', completing: false}
    : {phase: status.phase, completing: status.written}
}

/** The new root and its issuer for add-root: generated, or the ones the user brings, checked first. */
async function newRootMaterial(
  source: NewRootSource,
  settings: ControlPlaneSettings,
  keyOptions: KeyLoadOptions | undefined,
  now: Date,
): Promise<{root: string; issuer: string; key: string; rootKeyPem: string | undefined}> {
  if (source.kind === 'generate') {
    const generated = await generateBundle({
      trustDomain: settings.trustDomain,
      namespace: settings.namespace,
      validityDays: source.validityDays,
      clockSkewMs: settings.clockSkewMs,
      now,
    })
    const {bundle} = generated
    return {
      root: bundle.rootCertPem,
      issuer: bundle.issuerCertPem,
      key: bundle.issuerKeyPem,
      rootKeyPem: generated.rootKeyPem,
    }
  }
  const [root, issuer, keyPem] = await Promise.all([
    readInputFile(source.rootCertFile, '--ca-root-certificate'),
    readInputFile(source.issuerCertFile, '--issuer-public-certificate'),
    readInputFile(source.issuerKeyFile, '--issuer-private-key'),
  ])
  if (parseCertificates(root, source.rootCertFile).length !== 1) {
    throw new UsageError(
      `${source.rootCertFile} must hold exactly one certificate: the one new root to add`,
      'The current roots stay in the bundle by themselves; give only the new one.',
    )
  }
  const key = (await loadPrivateKey(keyPem, source.issuerKeyFile, keyOptions))
    .export({type: 'pkcs8', format: 'pem'})
    .toString()
  return {root, issuer, key, rootKeyPem: undefined}
}

function checkPhase(expected: RotationPhase | undefined, actual: RotationPhase | 'none'): void {
  const next = actual === 'none' ? 'add-root' : actual
  if (expected !== undefined && expected !== next) {
    throw new UsageError(
      `--phase ${expected} does not match the rotation: the next phase is ${next}`,
      'Check with `dapr mtls rotate --status`; nothing was changed.',
    )
  }
}

async function switchBlockers(
  target: RotationTarget,
  state: RotationState,
): Promise<Pick<RotationPlan, 'blockers' | 'staleControlPlane' | 'sidecarsChecked'>> {
  const [sidecars, stale] = await Promise.all([
    target.sidecars(),
    state.rootAddedAt ? target.staleControlPlane(new Date(state.rootAddedAt)) : Promise.resolve([]),
  ])
  const missing: SidecarBlockers = sidecars
    ? sidecarsMissingRoot(sidecars, state.newRootCertPem)
    : {byOwner: new Map(), count: 0}
  return {
    blockers: [...missing.byOwner.entries()].map(([owner, list]) => ({
      owner,
      sidecars: list.map((s) => s.name),
      replaceable: list.every((s) => s.replaceable),
    })),
    staleControlPlane: stale,
    sidecarsChecked: sidecars !== undefined,
  }
}

/** Where the rotation stands, and what the next run would do and what blocks it; changes nothing. */
export async function rotationStatusReport(target: RotationTarget): Promise<RotationStatusReport> {
  const [bundle, state, settings] = await Promise.all([target.readBundle(), target.readState(), target.settings()])
  const {phase, completing} = known(rotationStatus(bundle, state))
  const guard =
    state && phase === 'switch-issuer' && !completing
      ? await switchBlockers(target, state)
      : {blockers: [], staleControlPlane: [], sidecarsChecked: true}
  const prune = state ? earliestPrune(state, settings.window) : undefined
  const nextWords =
    phase === 'none'
      ? `no rotation in progress; the next run will ${phaseWords['add-root']}`
      : `${completing ? 'complete' : 'run'} ${phase}: ${phaseWords[phase]}`
  return {
    location: target.location,
    phase,
    completing,
    startedAt: state?.startedAt,
    rootAddedAt: state?.rootAddedAt,
    issuerSwitchedAt: state?.issuerSwitchedAt,
    earliestPrune: prune?.toISOString(),
    next: nextWords,
    ...guard,
    certificates: describeBundle(bundle),
  }
}

/** Reads, decides and checks the next phase; nothing is written. Refusals (guard, window, bad input) throw here. */
export async function prepareRotation(target: RotationTarget, request: RotationRequest): Promise<PreparedRotation> {
  const now = request.now ?? new Date()
  const [bundle, stored, settings] = await Promise.all([target.readBundle(), target.readState(), target.settings()])
  const status = known(rotationStatus(bundle, stored))
  checkPhase(request.expectedPhase, status.phase)
  const warnings: string[] = []
  let state: RotationState
  let rootKeyPem: string | undefined
  if (stored === undefined) {
    const material = await newRootMaterial(request.source, settings, request.keyOptions, now)
    rootKeyPem = material.rootKeyPem
    state = {
      startedAt: now.toISOString(),
      newRootCertPem: material.root,
      pendingIssuerCertPem: material.issuer,
      pendingIssuerKeyPem: material.key,
      oldRootsCertPem: bundle.rootCertPem,
    }
    // The pending issuer must be one Sentry takes under the new root alone, and beside the old roots.
    assertValidBundle(
      {rootCertPem: material.root, issuerCertPem: material.issuer, issuerKeyPem: material.key},
      {now, sentryVersion: settings.sentryVersion, sources: newSources(request.source)},
    )
  } else {
    state = stored
    if (request.source.kind === 'provided' || request.source.rootKeyOut !== undefined) {
      warnings.push(
        'a rotation is already in progress: the new root it started with is kept, the new material given is not used',
      )
    }
  }
  const phase: RotationPhase = status.phase === 'none' ? 'add-root' : status.phase
  const next = status.phase !== 'none' && status.completing ? bundle : nextBundle(phase, bundle, state)
  const report = assertValidBundle(next, {now, sentryVersion: settings.sentryVersion})
  // A generated root and issuer share one validity by design, so "they expire together" only speaks to brought ones.
  const noise = new Set(['anchor-expired', ...(request.source.kind === 'provided' ? [] : ['expiry-overlap'])])
  warnings.push(...report.warnings.filter((w) => !noise.has(w.rule)).map((w) => `${w.source}: ${w.message}`))

  const plan: RotationPlan = {
    phase,
    completing: status.phase !== 'none' && status.completing,
    location: target.location,
    writes: target.writes,
    current: describeBundle(bundle, now),
    next: describeBundle(next, now),
    blockers: [],
    staleControlPlane: [],
    sidecarsChecked: true,
    earliestPrune: undefined,
    warnings,
  }
  if (phase === 'switch-issuer' && !plan.completing) {
    Object.assign(plan, await switchBlockers(target, state))
  }
  if (phase === 'prune' && !plan.completing) {
    const earliest = earliestPrune(state, settings.window)
    plan.earliestPrune = earliest?.toISOString()
    if (earliest && now < earliest && !request.skipWait) {
      throw new UserError(
        `the old roots can be pruned only after ${earliest.toISOString()}: workload certificates from the old issuer may still be in use until then`,
        {hint: 'Run again after that time (--status shows it), or pass --skip-wait if you know every sidecar renewed.'},
      )
    }
  }
  return {plan, state, window: settings.window, bundle: next, rootKeyPem}
}

function newSources(source: NewRootSource) {
  return source.kind === 'provided'
    ? {rootCert: source.rootCertFile, issuerCert: source.issuerCertFile, issuerKey: source.issuerKeyFile}
    : undefined
}

/** The switch is refused while a sidecar or control-plane pod does not trust the new root (unless forced). */
export function assertSwitchAllowed(plan: RotationPlan, force: boolean): void {
  if (plan.phase !== 'switch-issuer' || plan.completing || force) return
  const sidecars = plan.blockers.reduce((count, b) => count + b.sidecars.length, 0)
  if (sidecars === 0 && plan.staleControlPlane.length === 0) return
  const parts: string[] = []
  if (sidecars > 0) {
    parts.push(
      `${sidecars} sidecar${sidecars === 1 ? '' : 's'} of ${plan.blockers.map((b) => `${b.owner}${b.replaceable ? '' : ' (no rollout can replace it)'}`).join(', ')}`,
    )
  }
  if (plan.staleControlPlane.length > 0) parts.push(`control-plane pods ${plan.staleControlPlane.join(', ')}`)
  const verb = sidecars + plan.staleControlPlane.length === 1 ? 'does' : 'do'
  throw new UserError(`the issuer cannot switch yet: ${parts.join(' and ')} ${verb} not trust the new root`, {
    hint: 'Restart them first (--restart-apps restarts the Dapr workloads that need it; `dapr mtls rotate --phase add-root` restarts a control plane that has not), or pass --force to switch anyway.',
  })
}

export interface RotationWrite {
  backup: string | undefined
  state: RotationState
  /** After switch-issuer: when the old roots can go. */
  earliestPrune: string | undefined
}

/**
 * Runs a prepared phase's write, with the state recorded before and after it, so an interrupted run is completed by
 * running the same phase again. What follows the write (restarts) is the caller's; `completeRotation` then records it.
 */
export async function applyRotation(
  target: RotationTarget,
  prepared: PreparedRotation,
  now: () => Date = () => new Date(),
): Promise<RotationWrite> {
  const {plan} = prepared
  let state = prepared.state
  let backup: string | undefined
  if (!plan.completing) {
    // A phase written again (after a rollback, say) starts its clock again: times of an earlier write are void.
    if (plan.phase === 'add-root') {
      state = {...state, rootAddedAt: undefined, rootAddCompletedAt: undefined}
      await target.saveState(state)
    }
    if (plan.phase === 'switch-issuer') state = {...state, issuerSwitchedAt: undefined}
    ;({backup} = await target.writeBundle(prepared.bundle, plan.phase))
  }
  if (plan.phase === 'add-root' && state.rootAddedAt === undefined) {
    state = {...state, rootAddedAt: now().toISOString()}
    await target.saveState(state)
  }
  if (plan.phase === 'switch-issuer' && state.issuerSwitchedAt === undefined) {
    state = {...state, issuerSwitchedAt: now().toISOString()}
    await target.saveState(state)
  }
  return {backup, state, earliestPrune: earliestPrune(state, prepared.window)?.toISOString()}
}

/** After the restarts that follow add-root or prune: records add-root as done, or ends the rotation. */
export async function completeRotation(
  target: RotationTarget,
  phase: RotationPhase,
  state: RotationState,
  now: () => Date = () => new Date(),
): Promise<void> {
  if (phase === 'add-root') await target.saveState({...state, rootAddCompletedAt: now().toISOString()})
  if (phase === 'prune') await target.clearState()
}
