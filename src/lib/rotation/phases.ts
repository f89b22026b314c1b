// Zero-downtime root rotation as pure decisions (DESIGN.md section 13). Three phases, one run each:
//   add-root       ca.crt = current roots + the new root; the issuer stays. Every sidecar must come to trust the new
//                  root (sidecars keep the anchors they were injected with), so apps are restarted after this.
//   switch-issuer  the pending issuer (signed by the new root) replaces the issuer, once every sidecar trusts the new
//                  root. Sidecars move to the new issuer at their next certificate renewal; nothing restarts.
//   prune          the old roots go, once every workload certificate from the old issuer has expired: the switch
//                  reaching Sentry, plus workloadCertTTL, plus allowedClockSkew.
// Where the rotation stands is derived from the bundle in place and the rotation state kept beside it, so a phase
// that was interrupted after its write is completed by running it again, never repeated.
import {type ParsedCertificate, parseCertificates, type TrustBundle} from '../certs/index.js'

export type RotationPhase = 'add-root' | 'switch-issuer' | 'prune'
export const rotationPhases: RotationPhase[] = ['add-root', 'switch-issuer', 'prune']

/** What a rotation keeps between runs, beside the bundle (never the new root's private key). */
export interface RotationState {
  /** When add-root started (the state was first written). */
  startedAt: string
  /** The new root, and the issuer it signed with its key, waiting for switch-issuer. */
  newRootCertPem: string
  pendingIssuerCertPem: string
  pendingIssuerKeyPem: string
  /** The roots in place before the rotation: what prune removes. */
  oldRootsCertPem: string
  /** When the bundle with both roots was found written (set on the run that wrote it, or the rerun that saw it). */
  rootAddedAt?: string
  /**
   * When add-root finished what follows its write (the control plane restarted, so the injector hands both roots to
   * new pods). Until then a rerun completes add-root instead of moving on.
   */
  rootAddCompletedAt?: string
  /** When the bundle with the pending issuer was found written. */
  issuerSwitchedAt?: string
}

/**
 * Where a rotation stands: the phase the next run does, and whether that phase's write is already in place (an
 * interrupted run: the rerun records it and does what was left, such as the restarts).
 */
export type RotationStatus =
  | {phase: 'none'}
  | {phase: RotationPhase; written: boolean}
  /** The bundle does not match the state: something else changed it in between. */
  | {phase: 'conflict'; reason: string}

/** Two certificates name the same trust anchor when their subject and public key are the same (Go's view). */
export function sameAnchor(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return (
    a.certificate.subject === b.certificate.subject &&
    Buffer.from(a.certificate.publicKey.rawData).equals(Buffer.from(b.certificate.publicKey.rawData))
  )
}

/** Whether the PEM bundle `roots` holds the anchor `anchor` (by subject and key). */
export function holdsAnchor(rootsPem: string, anchor: ParsedCertificate): boolean {
  try {
    return parseCertificates(rootsPem, 'anchors').some((root) => sameAnchor(root, anchor))
  } catch {
    return false
  }
}

function single(pem: string, label: string): ParsedCertificate {
  const [certificate] = parseCertificates(pem, label)
  if (!certificate) throw new Error(`${label} holds no certificate`)
  return certificate
}

/** Pure: the phase the next run does, from the bundle in place and the state kept beside it. */
export function rotationStatus(bundle: TrustBundle, state: RotationState | undefined): RotationStatus {
  if (state === undefined) return {phase: 'none'}
  const newRoot = single(state.newRootCertPem, 'the new root')
  const hasNewRoot = holdsAnchor(bundle.rootCertPem, newRoot)
  const issuerSwitched = bundle.issuerCertPem.trim() === state.pendingIssuerCertPem.trim()
  const oldRoots = parseCertificates(state.oldRootsCertPem, 'the old roots').filter((old) => !sameAnchor(old, newRoot))
  const hasOldRoot = oldRoots.some((old) => holdsAnchor(bundle.rootCertPem, old))
  if (!hasNewRoot) {
    if (issuerSwitched) return {phase: 'conflict', reason: 'the pending issuer is in place but the new root is not'}
    if (bundle.rootCertPem.trim() !== state.oldRootsCertPem.trim()) {
      return {phase: 'conflict', reason: 'the roots changed since the rotation started'}
    }
    return {phase: 'add-root', written: false}
  }
  if (!issuerSwitched) {
    if (!hasOldRoot) {
      return {phase: 'conflict', reason: 'the old roots are gone but the issuer was never switched to the new root'}
    }
    return state.rootAddedAt === undefined || state.rootAddCompletedAt === undefined
      ? {phase: 'add-root', written: true}
      : {phase: 'switch-issuer', written: false}
  }
  if (state.issuerSwitchedAt === undefined) return {phase: 'switch-issuer', written: true}
  return {phase: 'prune', written: !hasOldRoot}
}

/** ca.crt with the new root appended, exactly once (the current roots byte for byte first). */
export function withNewRoot(rootCertPem: string, newRootCertPem: string): string {
  const current = rootCertPem.endsWith('\n') ? rootCertPem : `${rootCertPem}\n`
  return `${current}${newRootCertPem.trim()}\n`
}

/** ca.crt without the old roots: the anchors that are not one of them, in their order. */
export function withoutOldRoots(rootCertPem: string, oldRootsCertPem: string, newRootCertPem: string): string {
  const newRoot = single(newRootCertPem, 'the new root')
  const old = parseCertificates(oldRootsCertPem, 'the old roots').filter((root) => !sameAnchor(root, newRoot))
  const kept = parseCertificates(rootCertPem, 'ca.crt').filter((root) => !old.some((o) => sameAnchor(o, root)))
  return kept.map((root) => `${root.pem.trim()}\n`).join('')
}

/** The bundle each phase writes. */
export function nextBundle(phase: RotationPhase, current: TrustBundle, state: RotationState): TrustBundle {
  switch (phase) {
    case 'add-root':
      return {...current, rootCertPem: withNewRoot(current.rootCertPem, state.newRootCertPem)}
    case 'switch-issuer':
      return {...current, issuerCertPem: state.pendingIssuerCertPem, issuerKeyPem: state.pendingIssuerKeyPem}
    case 'prune':
      return {
        ...current,
        rootCertPem: withoutOldRoots(current.rootCertPem, state.oldRootsCertPem, state.newRootCertPem),
      }
  }
}

/** How long after the switch every old-issuer workload certificate has expired. */
export interface PruneWindow {
  /** When the switch is taken to have reached Sentry: the write, plus how long Sentry may take to reload it. */
  reloadAllowanceMs: number
  workloadCertTtlMs: number
  clockSkewMs: number
}

/** Pure: the earliest time the old roots can go; undefined before the switch. */
export function earliestPrune(state: RotationState, window: PruneWindow): Date | undefined {
  if (state.issuerSwitchedAt === undefined) return undefined
  const switched = new Date(state.issuerSwitchedAt).getTime()
  return new Date(switched + window.reloadAllowanceMs + window.workloadCertTtlMs + window.clockSkewMs)
}

/** A process or pod running a sidecar, as the switch-issuer guard sees it. */
export interface Sidecar {
  /** "<namespace>/<pod>" or "pid 1234 (app-id)". */
  name: string
  /** "<namespace>/deployment/<name>", or what owns it when no rollout can replace it ("Job migrate", "Pod"). */
  owner: string
  /** Whether a rollout (or, self-hosted, a restart by the user) can give it new anchors. */
  replaceable: boolean
  /** The anchors it was started with; undefined when they could not be read. */
  trustAnchorsPem: string | undefined
}

export interface SidecarBlockers {
  /** Owner → the sidecars under it that do not trust the new root (or whose anchors could not be read). */
  byOwner: Map<string, Sidecar[]>
  count: number
}

/** Pure: the sidecars that would fail once the issuer moves to the new root, grouped by owner. */
export function sidecarsMissingRoot(sidecars: Sidecar[], newRootCertPem: string): SidecarBlockers {
  const newRoot = single(newRootCertPem, 'the new root')
  const byOwner = new Map<string, Sidecar[]>()
  let count = 0
  for (const sidecar of sidecars) {
    if (sidecar.trustAnchorsPem !== undefined && holdsAnchor(sidecar.trustAnchorsPem, newRoot)) continue
    byOwner.set(sidecar.owner, [...(byOwner.get(sidecar.owner) ?? []), sidecar])
    count++
  }
  return {byOwner, count}
}
