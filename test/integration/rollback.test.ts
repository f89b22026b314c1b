// `dapr mtls backups -k` and `dapr mtls rollback -k` on the test cluster: undo the last change exactly, undo the undo,
// keep the newest --keep, refuse a backup Sentry would refuse, and change nothing when there is nothing to undo.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {generateBundle} from '../../src/lib/certs/index.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {assertCleanFailure} from '../helpers/cli.js'
import {adminKubeconfig, daprK, freshHomeEachTest, readClusterBundle, readTrustBundleObjects} from './context.js'

interface Listed {
  backups: {path: string; origin: {writtenBy: string; server: string; namespace: string}; rootFingerprint: string}[]
}

describe('dapr mtls rollback -k and dapr mtls backups -k', function () {
  this.timeout(240_000)
  const home = freshHomeEachTest()
  const jwt = {'jwt.key': 'JWT SIGNING KEY (Sentry-owned)\n', 'jwks.json': '{"keys":[]}'}

  beforeEach(async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null, secret: {data: jwt}})
  })

  const list = async (): Promise<Listed> => {
    const result = await daprK(home(), ['mtls', 'backups', '-k', '-o', 'json'])
    assert.equal(result.exitCode, 0, result.stderr)
    return JSON.parse(result.stdout) as Listed
  }

  it('after a renewal, puts back all three keys and the ConfigMap exactly; a second rollback undoes the first', async () => {
    const original = await readTrustBundleObjects()
    const renewed = await daprK(home(), ['mtls', 'renew-certificate', '-k'])
    assert.equal(renewed.exitCode, 0, renewed.stderr)
    const afterRenewal = await readTrustBundleObjects()
    assert.notDeepEqual(afterRenewal, original, 'the renewal changed the objects (so the comparisons below can fail)')

    const first = await daprK(home(), ['mtls', 'rollback', '-k'])
    assert.equal(first.exitCode, 0, first.stderr)
    assert.match(first.stdout, /^Rolled back: dapr-system\/dapr-trust-bundle holds the bundle saved in /m)
    assert.match(first.stderr, /Rolling back to .* \(saved .* UTC, before renew\)/)
    assert.deepEqual(await readTrustBundleObjects(), original)

    const second = await daprK(home(), ['mtls', 'rollback', '-k'])
    assert.equal(second.exitCode, 0, second.stderr)
    assert.match(second.stderr, /\(saved .* UTC, before rollback\)/)
    assert.deepEqual(await readTrustBundleObjects(), afterRenewal)

    const {backups} = await list()
    assert.deepEqual(
      backups.map((b) => b.origin.writtenBy),
      ['rollback', 'rollback', 'renew'],
    )
    assert.ok(backups.every((b) => b.origin.namespace === 'dapr-system' && b.origin.server.startsWith('https://')))
  })

  it('--dry-run shows the plan and changes nothing; a bundle already in place is "nothing to roll back"', async () => {
    assert.equal((await daprK(home(), ['mtls', 'renew-certificate', '-k'])).exitCode, 0)
    const before = await readClusterBundle()
    const dry = await daprK(home(), ['mtls', 'rollback', '-k', '--dry-run', '--restart-apps'])
    assert.equal(dry.exitCode, 0, dry.stderr)
    assert.match(dry.stdout, /^Rollback plan for dapr-system\/dapr-trust-bundle: put back the bundle saved in /)
    assert.match(dry.stdout, /backup +root/)
    assert.match(dry.stdout, /Deployment dapr-system\/dapr-sentry/)
    assert.deepEqual(await readClusterBundle(), before)

    // The renewal's backup holds the original; rolling back to it twice writes once.
    const [renewal] = (await list()).backups
    assert.equal((await daprK(home(), ['mtls', 'rollback', '-k', '--backup', renewal?.path ?? ''])).exitCode, 0)
    const restored = await readClusterBundle()
    const again = await daprK(home(), ['mtls', 'rollback', '-k', '--backup', renewal?.path ?? ''])
    assert.equal(again.exitCode, 0, again.stderr)
    assert.match(again.stderr, /Nothing to roll back: dapr-system\/dapr-trust-bundle already holds the bundle saved in/)
    const after = await readClusterBundle()
    assert.equal(after.secretVersion, restored.secretVersion, 'nothing written')
    assert.equal(after.configMapVersion, restored.configMapVersion)
  })

  it('refuses a backup whose bundle Sentry would refuse (expired), naming the rule, and writes nothing', async () => {
    const expired = await generateBundle({
      namespace: 'dapr-system',
      validityDays: 30,
      clockSkewMs: 0,
      now: new Date(Date.now() - 60 * 86_400_000),
    })
    const b64 = (text: string) => Buffer.from(text).toString('base64')
    // A Secret as `kubectl get secret -o yaml` saves it: rollback also takes a hand-made backup.
    const file = path.join(home().dir, 'by-hand.yaml')
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: dapr-trust-bundle, namespace: dapr-system}',
        'data:',
        `  ca.crt: ${b64(expired.bundle.rootCertPem)}`,
        `  issuer.crt: ${b64(expired.bundle.issuerCertPem)}`,
        `  issuer.key: ${b64(expired.bundle.issuerKeyPem)}`,
        '',
      ].join('\n'),
    )
    const before = await readClusterBundle()
    const result = await daprK(home(), ['mtls', 'rollback', '-k', '--backup', file])
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /by-hand\.yaml ca\.crt: the certificate .* expired on .*\(validity-period\)/)
    assert.deepEqual(await readClusterBundle(), before)
    assert.deepEqual(readdirSync(home().dir), ['by-hand.yaml'], 'no backup written either')
  })

  it("refuses another cluster's backup, and keeps backups 0600 in a 0700 folder", async () => {
    assert.equal((await daprK(home(), ['mtls', 'renew-certificate', '-k'])).exitCode, 0)
    const [ours] = (await list()).backups
    const file = ours?.path ?? ''
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.equal(statSync(home().backups).mode & 0o777, 0o700)
    const elsewhere = path.join(home().dir, 'elsewhere.yaml')
    writeFileSync(
      elsewhere,
      readFileSync(file, 'utf8').replace(/"server":"[^"]+"/, '"server":"https://elsewhere:6443"'),
    )
    const before = await readClusterBundle()
    const result = await daprK(home(), ['mtls', 'rollback', '-k', '--backup', elsewhere])
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /was taken of https:\/\/elsewhere:6443, namespace dapr-system, not of this bundle/)
    assert.deepEqual(await readClusterBundle(), before)
  })

  it('says there is nothing to roll back to when this cluster has no backup, and changes nothing', async () => {
    const before = await readClusterBundle()
    const result = await daprK(home(), ['mtls', 'rollback', '-k'])
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /no backup of dapr-system\/dapr-trust-bundle of https:\/\/.* in .*\.dapr\/backups/)
    assert.deepEqual(await readClusterBundle(), before)
  })

  it('--keep 2 keeps the two newest backups of this bundle, and says when it prunes', async () => {
    const outputs: string[] = []
    for (let i = 0; i < 4; i++) {
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--keep', '2'])
      assert.equal(result.exitCode, 0, result.stderr)
      outputs.push(result.stderr)
    }
    assert.doesNotMatch(outputs[1] ?? '', /Pruned/)
    assert.match(outputs[2] ?? '', /Pruned 1 older backup, keeping the newest 2/)
    assert.equal((await list()).backups.length, 2)
    assert.equal(readdirSync(home().backups).length, 2)
  })
})
