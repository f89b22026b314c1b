// The rotation service over an in-memory target: what each phase writes and records, when it refuses, and how a run
// cut short after its write is completed by the next one. (The real targets are proven on the test cluster and a
// certificates directory with real Sentry and daprd; this pins the decisions between the reads and the writes.)
import assert from 'node:assert/strict'

import {generateBundle, parseCertificates, type TrustBundle} from '../../../src/lib/certs/index.js'
import type {RotationState, Sidecar} from '../../../src/lib/rotation/phases.js'
import {
  applyRotation,
  assertSwitchAllowed,
  completeRotation,
  prepareRotation,
  type RotationRequest,
  rotationStatusReport,
  type RotationTarget,
} from '../../../src/lib/rotation/rotate.js'

class MemoryTarget implements RotationTarget {
  readonly mode = 'kubernetes'
  readonly location = 'dapr-system/dapr-trust-bundle'
  readonly writes = ['Secret', 'ConfigMap']
  state: RotationState | undefined
  sidecarList: Sidecar[] = []
  stale: string[] = []
  /** Every write, in order: 'state' or 'bundle'. */
  log: string[] = []
  failBundleWrite = false

  constructor(public bundle: TrustBundle) {}
  settings() {
    return Promise.resolve({
      trustDomain: 'cluster.local',
      namespace: 'dapr-system',
      clockSkewMs: 15 * 60_000,
      sentryVersion: '1.16.2',
      window: {reloadAllowanceMs: 130_000, workloadCertTtlMs: 24 * 3_600_000, clockSkewMs: 15 * 60_000},
    })
  }
  readBundle() {
    return Promise.resolve(this.bundle)
  }
  readState() {
    return Promise.resolve(this.state)
  }
  saveState(state: RotationState) {
    this.state = state
    this.log.push('state')
    return Promise.resolve()
  }
  clearState() {
    this.state = undefined
    this.log.push('clear')
    return Promise.resolve()
  }
  writeBundle(bundle: TrustBundle) {
    // The phase names the backup; the memory target keeps none.
    if (this.failBundleWrite) return Promise.reject(new Error('the apiserver went away'))
    this.bundle = bundle
    this.log.push('bundle')
    return Promise.resolve({backup: 'backup.yaml'})
  }
  sidecars() {
    return Promise.resolve(this.sidecarList)
  }
  staleControlPlane() {
    return Promise.resolve(this.stale)
  }
}

const request: RotationRequest = {
  source: {kind: 'generate', validityDays: 365, rootKeyOut: undefined},
  force: false,
  skipWait: false,
}
const roots = (pem: string) => parseCertificates(pem, 'ca.crt').length

async function runPhase(target: MemoryTarget, extra: Partial<RotationRequest> = {}, now = new Date()) {
  const prepared = await prepareRotation(target, {...request, ...extra, now})
  assertSwitchAllowed(prepared.plan, extra.force ?? false)
  const written = await applyRotation(target, prepared, () => now)
  await completeRotation(target, prepared.plan.phase, written.state, () => now)
  return {prepared, written}
}

describe('the rotation service', () => {
  let target: MemoryTarget
  beforeEach(async () => {
    target = new MemoryTarget((await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle)
  })

  it('records the state before the add-root write and the time after it; the new root key is never in the state', async () => {
    const {prepared} = await runPhase(target)
    assert.deepEqual(target.log, ['state', 'bundle', 'state', 'state'])
    assert.equal(roots(target.bundle.rootCertPem), 2)
    assert.ok(prepared.rootKeyPem?.includes('PRIVATE KEY'))
    assert.doesNotMatch(JSON.stringify(target.state), /PRIVATE KEY-----[\s\S]*PRIVATE KEY[\s\S]*PRIVATE KEY/)
    assert.ok(!JSON.stringify(target.state).includes(prepared.rootKeyPem?.split('\n')[1] ?? '^$'))
    assert.ok(target.state?.rootAddedAt && target.state.rootAddCompletedAt)
  })

  it('a failed add-root write leaves the state to retry from: the same new root, not a second one', async () => {
    target.failBundleWrite = true
    const prepared = await prepareRotation(target, request)
    await assert.rejects(applyRotation(target, prepared), /went away/)
    const newRoot = target.state?.newRootCertPem
    target.failBundleWrite = false
    await runPhase(target, {expectedPhase: 'add-root'})
    assert.equal(target.state?.newRootCertPem, newRoot)
    assert.equal(roots(target.bundle.rootCertPem), 2)
  })

  it('completes an add-root cut short after its write (restarts not done) instead of moving on', async () => {
    const prepared = await prepareRotation(target, request)
    await applyRotation(target, prepared)
    const report = await rotationStatusReport(target)
    assert.deepEqual([report.phase, report.completing], ['add-root', true])
    const {prepared: rerun} = await runPhase(target, {expectedPhase: 'add-root'})
    assert.equal(rerun.plan.completing, true)
    assert.equal(roots(target.bundle.rootCertPem), 2, 'the root is not added twice')
    assert.equal((await rotationStatusReport(target)).phase, 'switch-issuer')
  })

  it('refuses the switch while a sidecar does not trust the new root, and --force overrides only that', async () => {
    await runPhase(target)
    target.sidecarList = [
      {
        name: 'apps/orders-1',
        owner: 'apps/deployment/orders',
        replaceable: true,
        trustAnchorsPem: target.state?.oldRootsCertPem,
      },
    ]
    await assert.rejects(runPhase(target), /cannot switch yet: 1 sidecar of apps\/deployment\/orders does not trust/)
    assert.equal((await rotationStatusReport(target)).phase, 'switch-issuer', 'nothing switched')
    await runPhase(target, {force: true})
    assert.equal(target.bundle.issuerCertPem, target.state?.pendingIssuerCertPem)
  })

  it('refuses to prune before the window, names the time, and --skip-wait overrides only that', async () => {
    const start = new Date()
    const at = (ms: number) => new Date(start.getTime() + ms)
    await runPhase(target, {}, start)
    await runPhase(target, {}, start)
    // The switch reaching Sentry (130 s allowance) + workloadCertTTL (24 h) + allowedClockSkew (15 m).
    const earliest = at(130_000 + 24 * 3_600_000 + 15 * 60_000).toISOString()
    await assert.rejects(runPhase(target, {}, at(24 * 3_600_000)), new RegExp(`can be pruned only after ${earliest}`))
    assert.equal(roots(target.bundle.rootCertPem), 2)
    await runPhase(target, {skipWait: true}, at(24 * 3_600_000))
    assert.equal(roots(target.bundle.rootCertPem), 1)
    assert.equal(target.state, undefined, 'the rotation state is gone')
  })

  it('refuses a --phase that is not the next one before reading any new material', async () => {
    await assert.rejects(runPhase(target, {expectedPhase: 'prune'}), /next phase is add-root/)
    assert.deepEqual(target.log, [])
  })
})
