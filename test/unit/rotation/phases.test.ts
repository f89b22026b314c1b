// Where a root rotation stands, and what each phase writes, decided from the bundle and the state alone.
import assert from 'node:assert/strict'

import {generateBundle, parseCertificates, type TrustBundle} from '../../../src/lib/certs/index.js'
import {
  earliestPrune,
  nextBundle,
  type RotationState,
  rotationStatus,
  sidecarsMissingRoot,
  withNewRoot,
  withoutOldRoots,
} from '../../../src/lib/rotation/phases.js'

const fresh = () => generateBundle({namespace: 'dapr-system', validityDays: 365, clockSkewMs: 0})

async function rotationStart(): Promise<{bundle: TrustBundle; state: RotationState}> {
  const [{bundle}, {bundle: next}] = await Promise.all([fresh(), fresh()])
  return {
    bundle,
    state: {
      startedAt: '2026-11-29T10:00:00.000Z',
      newRootCertPem: next.rootCertPem,
      pendingIssuerCertPem: next.issuerCertPem,
      pendingIssuerKeyPem: next.issuerKeyPem,
      oldRootsCertPem: bundle.rootCertPem,
    },
  }
}

const roots = (pem: string) => parseCertificates(pem, 'ca.crt').length

describe('root rotation phases', () => {
  it('walks none → add-root → switch-issuer → prune from the bundle and the state', async () => {
    const {bundle, state} = await rotationStart()
    assert.deepEqual(rotationStatus(bundle, undefined), {phase: 'none'})
    assert.deepEqual(rotationStatus(bundle, state), {phase: 'add-root', written: false})

    const added = nextBundle('add-root', bundle, state)
    assert.equal(roots(added.rootCertPem), 2)
    assert.equal(added.issuerCertPem, bundle.issuerCertPem, 'add-root keeps the issuer')
    // Written, but not recorded or not completed (the restarts): the rerun completes add-root.
    assert.deepEqual(rotationStatus(added, state), {phase: 'add-root', written: true})
    const recorded = {...state, rootAddedAt: '2026-11-29T10:01:00.000Z'}
    assert.deepEqual(rotationStatus(added, recorded), {phase: 'add-root', written: true})
    const completed = {...recorded, rootAddCompletedAt: '2026-11-29T10:02:00.000Z'}
    assert.deepEqual(rotationStatus(added, completed), {phase: 'switch-issuer', written: false})

    const switched = nextBundle('switch-issuer', added, completed)
    assert.equal(switched.rootCertPem, added.rootCertPem, 'switch-issuer keeps both roots')
    assert.deepEqual(rotationStatus(switched, completed), {phase: 'switch-issuer', written: true})
    const switchedState = {...completed, issuerSwitchedAt: '2026-11-29T11:00:00.000Z'}
    assert.deepEqual(rotationStatus(switched, switchedState), {phase: 'prune', written: false})

    const pruned = nextBundle('prune', switched, switchedState)
    assert.equal(roots(pruned.rootCertPem), 1)
    assert.equal(pruned.rootCertPem.trim(), state.newRootCertPem.trim())
    assert.deepEqual(rotationStatus(pruned, switchedState), {phase: 'prune', written: true})
  })

  it('sees a bundle changed behind the rotation as a conflict, not as a phase', async () => {
    const {bundle, state} = await rotationStart()
    const renewedMeanwhile = (await fresh()).bundle
    assert.equal(rotationStatus(renewedMeanwhile, state).phase, 'conflict')
    const issuerOnly = {...bundle, issuerCertPem: state.pendingIssuerCertPem}
    assert.equal(rotationStatus(issuerOnly, state).phase, 'conflict')
  })

  it('appends the new root once, after the current roots byte for byte, and prunes only the old ones', async () => {
    const {bundle, state} = await rotationStart()
    const added = withNewRoot(bundle.rootCertPem, state.newRootCertPem)
    assert.ok(added.startsWith(bundle.rootCertPem))
    assert.equal(
      withoutOldRoots(added, state.oldRootsCertPem, state.newRootCertPem).trim(),
      state.newRootCertPem.trim(),
    )
  })

  it('allows pruning after the switch reached Sentry plus the workload TTL and the clock skew', async () => {
    const {state} = await rotationStart()
    const window = {reloadAllowanceMs: 130_000, workloadCertTtlMs: 24 * 3_600_000, clockSkewMs: 15 * 60_000}
    assert.equal(earliestPrune(state, window), undefined, 'not before the switch')
    const at = earliestPrune({...state, issuerSwitchedAt: '2026-11-29T11:00:00.000Z'}, window)
    assert.equal(at?.toISOString(), '2026-11-30T11:17:10.000Z')
  })

  it('blocks the switch on sidecars that do not trust the new root, grouped by owner', async () => {
    const {bundle, state} = await rotationStart()
    const both = withNewRoot(bundle.rootCertPem, state.newRootCertPem)
    const blockers = sidecarsMissingRoot(
      [
        {name: 'apps/checkout-1', owner: 'apps/deployment/checkout', replaceable: true, trustAnchorsPem: both},
        {
          name: 'apps/orders-1',
          owner: 'apps/deployment/orders',
          replaceable: true,
          trustAnchorsPem: bundle.rootCertPem,
        },
        {
          name: 'apps/orders-2',
          owner: 'apps/deployment/orders',
          replaceable: true,
          trustAnchorsPem: bundle.rootCertPem,
        },
        {name: 'jobs/migrate-x', owner: 'jobs/Job migrate', replaceable: false, trustAnchorsPem: undefined},
      ],
      state.newRootCertPem,
    )
    assert.equal(blockers.count, 3)
    assert.deepEqual(
      [...blockers.byOwner.entries()].map(([owner, list]) => [owner, list.map((s) => s.name)]),
      [
        ['apps/deployment/orders', ['apps/orders-1', 'apps/orders-2']],
        ['jobs/Job migrate', ['jobs/migrate-x']],
      ],
    )
  })
})
