// Doctor's checks that only a cluster has, each a pure function of what was read: the ConfigMap against the Secret,
// the keys Sentry owns, who else manages the objects, the sidecars' trust anchors, and the user's rights.
import {issuerChainsTo} from '../certs/index.js'
import type {BundleProblem} from '../expiry.js'
import type {DoctorCheck} from './checks.js'

export function configMapCheck(problems: BundleProblem[], namespace: string): DoctorCheck {
  const title = 'Secret and ConfigMap ca.crt are byte-identical'
  const [problem] = problems
  if (problem === undefined) {
    return {
      id: 'configmap',
      title,
      status: 'ok',
      detail: `both ${namespace}/dapr-trust-bundle objects hold the same root`,
    }
  }
  return {id: 'configmap', title, status: 'fail', detail: problem.message, hint: problem.hint}
}

/** Pure: who else writes the objects (Helm, Argo CD, Flux), with what each means for a direct write. */
export function ownershipCheck(owners: string[], warnings: string[]): DoctorCheck {
  const title = 'no other tool reverts a direct write'
  if (owners.length === 0) {
    return {id: 'ownership', title, status: 'ok', detail: 'not managed by Helm, Argo CD or Flux'}
  }
  return {
    id: 'ownership',
    title,
    status: 'warn',
    detail: `dapr-trust-bundle is managed by ${[...new Set(owners)].join(', ')}`,
    hint: warnings.join(' '),
    items: warnings,
  }
}

/** What the Secret holds besides the bundle: Sentry's JWT keys (kept by every write) and a pending issuer. */
export interface SentryKeys {
  namespace: string
  sentryOwnedKeys: string[]
  pendingIssuerCertPem: string | undefined
  /** Whether the pending issuer chains to the roots in place; undefined when there is none. */
  pendingChains: boolean | undefined
}

export function sentryKeysCheck(keys: SentryKeys): DoctorCheck {
  const title = "Sentry's own keys are safe"
  const jwt =
    keys.sentryOwnedKeys.length > 0 ? `${keys.sentryOwnedKeys.join(', ')} present, kept by every write` : 'no JWT keys'
  if (keys.pendingIssuerCertPem === undefined) return {id: 'sentry-keys', title, status: 'ok', detail: jwt}
  if (keys.pendingChains === false) {
    return {
      id: 'sentry-keys',
      title,
      status: 'fail',
      detail: `the pending issuer (issuer.next.crt) does not chain to ca.crt: Sentry would promote an issuer no sidecar trusts; ${jwt}`,
      hint: `Remove issuer.next.crt and issuer.next.key from Secret ${keys.namespace}/dapr-trust-bundle if they are stale, or put their root back.`,
    }
  }
  return {
    id: 'sentry-keys',
    title,
    status: 'warn',
    detail: `Sentry's own rotation is pending (issuer.next.crt, issuer.next.key); ${jwt}`,
    hint: 'A renewal must keep the root it chains to (renew with --private-key), or wait until Sentry completes it.',
  }
}

/** A pod with a daprd container, as the sidecar check needs it. */
export interface SidecarAnchors {
  namespace: string
  name: string
  /** `<namespace>/<kind>/<name>` of what replaces the pod, or `<namespace>/pod/<name> (<owner>)` when nothing does. */
  owner: string
  /** Whether a rollout can replace it (so restart-apps can). */
  restartable: boolean
  trustAnchorsPem: string | undefined
}

/**
 * Pure: the sidecars whose DAPR_TRUST_ANCHORS hold no root the issuer chains to (by name and signature, as Go's
 * verifier builds chains: a root renewed with the same key still counts): they keep working until their workload
 * certificate renews, then fail every call. Grouped by what owns them, with the command that restarts them.
 */
export function sidecarCheck(pods: SidecarAnchors[], issuerCertPem: string): DoctorCheck {
  const title = 'sidecars trust the root in use (their DAPR_TRUST_ANCHORS)'
  if (pods.length === 0) return {id: 'sidecars', title, status: 'ok', detail: 'no running pod has a daprd container'}
  const cache = new Map<string, boolean>()
  const trusts = (pem: string) => {
    let found = cache.get(pem)
    if (found === undefined) {
      try {
        found = issuerChainsTo(issuerCertPem, pem)
      } catch {
        found = false
      }
      cache.set(pem, found)
    }
    return found
  }
  const stale = new Map<string, number>()
  const restartable = new Set<string>()
  let unknown = 0
  for (const pod of pods) {
    if (pod.trustAnchorsPem === undefined) {
      unknown++
      continue
    }
    if (trusts(pod.trustAnchorsPem)) continue
    stale.set(pod.owner, (stale.get(pod.owner) ?? 0) + 1)
    if (pod.restartable) restartable.add(pod.owner)
  }
  const count = [...stale.values()].reduce((a, b) => a + b, 0)
  if (count === 0) {
    const note = unknown > 0 ? `; ${unknown} without a DAPR_TRUST_ANCHORS value to check` : ''
    return {
      id: 'sidecars',
      title,
      status: unknown > 0 ? 'warn' : 'ok',
      detail: `${pods.length - unknown} of ${pods.length} sidecars trust it${note}`,
    }
  }
  const items = [...stale].map(([owner, n]) => `${owner}: ${n} pod${n === 1 ? '' : 's'}`)
  const only = [...restartable].map((owner) => `--only ${owner}`).join(' ')
  return {
    id: 'sidecars',
    title,
    status: 'fail',
    detail: `${count} pod${count === 1 ? '' : 's'} in ${stale.size} workload${stale.size === 1 ? '' : 's'} do not trust the root the issuer chains to, and fail once their certificate renews: ${items.slice(0, 5).join(', ')}${items.length > 5 ? ` and ${items.length - 5} more` : ''}`,
    hint:
      restartable.size > 0
        ? `Restart them: dapr mtls restart-apps -k ${only}${restartable.size < stale.size ? '; recreate the bare pods and Jobs by hand' : ''}`
        : 'Recreate these pods (no rollout can replace them).',
    items,
  }
}

/** Pure: the rights check, with the manifest that grants what is missing. */
export function accessCheck(missing: string[], manifest: string | undefined, total: number): DoctorCheck {
  const title = 'you may do what a renewal needs'
  if (missing.length === 0) {
    return {id: 'access', title, status: 'ok', detail: `all ${total} permissions a renewal with --restart uses`}
  }
  return {
    id: 'access',
    title,
    status: 'warn',
    detail: `${missing.length} of ${total} missing: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`,
    hint: manifest
      ? 'Apply the Role and RoleBinding printed below (kubectl apply -f -), or run as a user who may.'
      : 'Ask a cluster admin for these rights.',
    items: missing,
  }
}
