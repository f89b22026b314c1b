// Doctor's checks on plain data: each row OK, WARN or FAIL when it should be, and the exit code by the worst.
import assert from 'node:assert/strict'

import {generateBundle, type TrustBundle} from '../../../src/lib/certs/index.js'
import {
  bundleChecks,
  type DoctorCheck,
  doctorExitCode,
  errorCheck,
  worstStatus,
} from '../../../src/lib/doctor/checks.js'
import {
  accessCheck,
  configMapCheck,
  ownershipCheck,
  sentryKeysCheck,
  sidecarCheck,
  type SidecarAnchors,
} from '../../../src/lib/doctor/cluster-checks.js'
import {backupsCheck, keyModeCheck} from '../../../src/lib/doctor/certs-dir.js'

const day = 86_400_000
const sources = {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'}
const options = {warnDays: 30, sources}
const byId = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c]))
const statuses = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]))
const fresh = (validityDays = 365, now = new Date()) =>
  generateBundle({namespace: 'dapr-system', validityDays, clockSkewMs: 0, now}).then((g) => g.bundle)

describe('doctor checks', () => {
  let good: TrustBundle
  let other: TrustBundle
  before(async () => {
    ;[good, other] = await Promise.all([fresh(), fresh()])
  })

  it('passes a fresh bundle on every row; root and issuer ending together is said, not warned, far from expiry', () => {
    const checks = bundleChecks(good, {...options, sentryVersion: '1.16.2'})
    assert.deepEqual(statuses(checks), {
      anchors: 'ok',
      'issuer-chain': 'ok',
      'issuer-key': 'ok',
      'sentry-rules': 'ok',
      'issuer-expiry': 'ok',
      'root-expiry': 'ok',
      'expired-roots': 'ok',
      'expiry-overlap': 'ok',
    })
    assert.match(byId(checks)['sentry-rules']?.title ?? '', /Sentry 1\.16\.2/)
    assert.match(byId(checks)['expiry-overlap']?.detail ?? '', /^no: both expire/)
  })

  it('fails the key row for a key of another issuer, and the chain row for an issuer of another root', () => {
    const wrongKey = statuses(bundleChecks({...good, issuerKeyPem: other.issuerKeyPem}, options))
    assert.equal(wrongKey['issuer-key'], 'fail')
    assert.equal(wrongKey['issuer-chain'], 'ok')
    assert.equal(wrongKey['sentry-rules'], 'fail')
    const wrongRoot = byId(bundleChecks({...good, rootCertPem: other.rootCertPem}, options))
    assert.equal(wrongRoot['issuer-chain']?.status, 'fail')
    assert.equal(wrongRoot.anchors?.status, 'ok')
    assert.ok(wrongRoot['issuer-chain']?.hint)
    assert.match(wrongRoot['issuer-chain']?.items?.join('\n') ?? '', /\(issuer-chains-to-anchor\)/)
  })

  it('fails an issuer that is not a root in ca.crt, and an expired bundle', async () => {
    const notRoot = statuses(bundleChecks({...good, rootCertPem: good.issuerCertPem}, options))
    assert.equal(notRoot.anchors, 'fail')
    const expired = await fresh(30, new Date(Date.now() - 60 * day))
    const rows = statuses(bundleChecks(expired, options))
    assert.equal(rows['issuer-expiry'], 'fail')
    assert.equal(rows['root-expiry'], 'fail')
    assert.equal(rows['sentry-rules'], 'fail')
  })

  it('warns within the window, about the issuer, the root, and then about their ending together', async () => {
    const soon = statuses(bundleChecks(await fresh(10), options))
    assert.equal(soon['issuer-expiry'], 'warn')
    assert.equal(soon['root-expiry'], 'warn')
    assert.equal(soon['expiry-overlap'], 'warn')
    assert.equal(statuses(bundleChecks(await fresh(10), {...options, warnDays: 5}))['issuer-expiry'], 'ok')
  })

  it('warns that an expired extra root can be pruned, and keeps a valid extra root OK', async () => {
    const old = await fresh(30, new Date(Date.now() - 60 * day))
    const pruneable = byId(bundleChecks({...good, rootCertPem: old.rootCertPem + good.rootCertPem}, options))
    assert.equal(pruneable['expired-roots']?.status, 'warn')
    assert.equal(pruneable['root-expiry']?.status, 'ok', 'the root in use is fine')
    const extra = byId(bundleChecks({...good, rootCertPem: good.rootCertPem + other.rootCertPem}, options))
    assert.equal(extra['expired-roots']?.status, 'ok')
    assert.match(extra['expired-roots']?.detail ?? '', /1 extra valid root/)
  })

  it('exits by the worst: 4 a failure, then 1 could not check, then 3 a warning, else 0', () => {
    const row = (status: DoctorCheck['status']): DoctorCheck => ({id: status, title: '', status, detail: ''})
    assert.equal(doctorExitCode([row('ok')]), 0)
    assert.equal(doctorExitCode([row('ok'), row('warn')]), 3)
    assert.equal(doctorExitCode([row('warn'), row('error')]), 1)
    assert.equal(doctorExitCode([row('error'), row('fail'), row('warn')]), 4)
    assert.equal(worstStatus([]), 'ok')
    assert.equal(errorCheck('x', 'x', new Error('boom')).detail, 'could not check: boom')
  })

  describe('cluster rows', () => {
    const anchors = (owner: string, pem: string | undefined, restartable = true): SidecarAnchors => ({
      namespace: 'apps',
      name: `${owner}-${Math.random()}`,
      owner,
      restartable,
      trustAnchorsPem: pem,
    })
    const inUse = () => good.issuerCertPem

    it('fails sidecars whose anchors lack the root in use, grouped by owner, with the command that restarts them', () => {
      const result = sidecarCheck(
        [
          anchors('apps/deployment/new', good.rootCertPem),
          anchors('apps/deployment/both', other.rootCertPem + good.rootCertPem),
          anchors('apps/deployment/stale', other.rootCertPem),
          anchors('apps/deployment/stale', other.rootCertPem),
          anchors('apps/pod/bare (Pod (no owner))', 'not a certificate', false),
        ],
        inUse(),
      )
      assert.equal(result.status, 'fail')
      assert.deepEqual(result.items, ['apps/deployment/stale: 2 pods', 'apps/pod/bare (Pod (no owner)): 1 pod'])
      assert.match(result.detail, /^3 pods in 2 workloads do not trust the root/)
      assert.match(result.hint ?? '', /restart-apps -k --only apps\/deployment\/stale; recreate the bare pods/)
    })

    it("counts a root renewed with the same key as trusted: Go's verifier chains by name and signature", async () => {
      const {createPrivateKey} = await import('node:crypto')
      const {bundle: original, rootKeyPem} = await generateBundle({namespace: 'dapr-system', validityDays: 100})
      const renewed = await generateBundle({
        namespace: 'dapr-system',
        validityDays: 200,
        rootKey: createPrivateKey(rootKeyPem ?? ''),
        currentRoots: original.rootCertPem,
      })
      assert.notEqual(renewed.bundle.rootCertPem, original.rootCertPem)
      const sidecar = [anchors('a/deployment/x', original.rootCertPem)]
      assert.equal(sidecarCheck(sidecar, renewed.bundle.issuerCertPem).status, 'ok')
      assert.equal(sidecarCheck(sidecar, other.issuerCertPem).status, 'fail')
    })

    it('passes sidecars that all trust the root, and warns for those whose anchors cannot be seen', () => {
      assert.equal(sidecarCheck([anchors('a/deployment/x', good.rootCertPem)], inUse()).status, 'ok')
      assert.equal(sidecarCheck([], inUse()).status, 'ok')
      assert.equal(sidecarCheck([anchors('a/deployment/x', undefined)], inUse()).status, 'warn')
    })

    it('ConfigMap, ownership, Sentry keys and rights', () => {
      assert.equal(configMapCheck([], 'dapr-system').status, 'ok')
      assert.equal(configMapCheck([{rule: 'configmap-mismatch', message: 'm', hint: 'h'}], 'x').status, 'fail')
      assert.equal(ownershipCheck([], []).status, 'ok')
      assert.equal(ownershipCheck(['Helm (release dapr)'], ['upgrade with --reuse-values']).status, 'warn')
      const keys = {
        namespace: 'n',
        sentryOwnedKeys: ['jwt.key'],
        pendingIssuerCertPem: undefined,
        pendingChains: undefined,
      }
      assert.equal(sentryKeysCheck(keys).status, 'ok')
      assert.equal(sentryKeysCheck({...keys, pendingIssuerCertPem: 'p', pendingChains: true}).status, 'warn')
      assert.equal(sentryKeysCheck({...keys, pendingIssuerCertPem: 'p', pendingChains: false}).status, 'fail')
      assert.equal(accessCheck([], undefined, 18).status, 'ok')
      assert.equal(accessCheck(['update secrets'], 'kind: Role', 18).status, 'warn')
    })
  })

  it('self-hosted: an issuer key others can read, and backups inside the watched directory, are warnings', () => {
    assert.equal(keyModeCheck(0o600).status, 'ok')
    assert.equal(keyModeCheck(0o644).status, 'warn')
    assert.equal(keyModeCheck(0o640).status, 'warn')
    assert.equal(backupsCheck(undefined).status, 'ok')
    assert.equal(backupsCheck('/c/backups').status, 'warn')
  })
})
