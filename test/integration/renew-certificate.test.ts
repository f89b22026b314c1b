// `dapr mtls renew-certificate -k` against the real test cluster: what lands in the Secret and ConfigMap, what
// openssl says about it, what happens to the control plane with --restart, and what happens when it must refuse.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {installDaprFixture} from '../cluster/fixture.js'
import {assertCleanFailure} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {
  adminKubeconfig,
  clients,
  daprK,
  grantReadOnly,
  kubectl,
  readClusterBundle,
  restrictedKubeconfig,
  freshHomeEachTest,
} from './context.js'

describe('dapr mtls renew-certificate -k', function () {
  this.timeout(240_000)
  const home = freshHomeEachTest()
  let work: OpenSslDir
  let rootKeyPath: string

  beforeEach(async () => {
    work = new OpenSslDir()
    const fixture = await installDaprFixture(adminKubeconfig(), {certDir: work.path('fixture')})
    rootKeyPath = fixture.rootKeyPath ?? ''
    work.write('old-ca.crt', fixture.bundle.caCrt)
  })
  afterEach(() => {
    work.cleanup()
  })

  it('renews with fresh certificates: identical ca.crt in Secret and ConfigMap, a chain openssl verifies, a restorable backup', async () => {
    const before = await readClusterBundle()
    const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--valid-until', '200'])
    assert.equal(result.exitCode, 0, result.stderr)
    const lines = result.stdout.trim().split('\n')
    assert.match(
      lines.at(-1)!,
      /^Certificate rotation is successful! Your new certificate is valid through \w{3}, \d\d \w{3} \d{4} [\d:]{8} UTC$/,
    )

    const after = await readClusterBundle()
    assert.equal(after.configMapCaCrt, after.caCrt, 'ConfigMap ca.crt must equal the Secret byte for byte')
    assert.notEqual(after.caCrt, before.caCrt)
    work.write('ca.crt', after.caCrt)
    work.write('issuer.crt', after.issuerCrt)
    work.write('issuer.key', after.issuerKey)
    assert.match(work.openssl('verify', '-CAfile', 'ca.crt', 'issuer.crt'), /issuer.crt: OK/)
    assert.equal(work.publicKeyOf('issuer.key'), work.publicKeyOf('issuer.crt'))
    assert.match(
      work.openssl('x509', '-in', 'issuer.crt', '-noout', '-subject'),
      /spiffe:\/\/cluster.local\/ns\/dapr-system\/dapr-sentry/,
    )

    const [backup] = readdirSync(home().backups)
    assert.ok(backup, 'a backup file is written')
    const backupFile = path.join(home().backups, backup)
    assert.match(result.stderr, new RegExp(backupFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    await kubectl('replace', '-f', backupFile)
    const restored = await readClusterBundle()
    assert.equal(restored.caCrt, before.caCrt)
    assert.equal(restored.issuerKey, before.issuerKey)
    assert.equal(restored.configMapCaCrt, before.caCrt)
    assert.ok(readFileSync(backupFile, 'utf8').includes('kind: ConfigMap'))
  })

  it('renews with the existing root key without changing the root public key; the new issuer verifies against the old root', async () => {
    const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--private-key', rootKeyPath])
    assert.equal(result.exitCode, 0, result.stderr)
    const after = await readClusterBundle()
    work.write('ca.crt', after.caCrt)
    work.write('issuer.crt', after.issuerCrt)
    assert.equal(work.publicKeyOf('ca.crt'), work.publicKeyOf('old-ca.crt'))
    assert.notEqual(after.caCrt, work.read('old-ca.crt'))
    assert.match(work.openssl('verify', '-CAfile', 'old-ca.crt', 'issuer.crt'), /issuer.crt: OK/)
    assert.equal(after.configMapCaCrt, after.caCrt)
  })

  describe('certificates you bring', () => {
    it('installs a valid bundle as given', async () => {
      work.bundle('a-')
      const result = await daprK(home(), [
        'mtls',
        'renew-certificate',
        '-k',
        ...work.byoFlags('a-ca.crt', 'a-issuer.crt', 'a-issuer.key'),
      ])
      assert.equal(result.exitCode, 0, result.stderr)
      const after = await readClusterBundle()
      assert.equal(after.caCrt, work.read('a-ca.crt'))
      assert.equal(after.configMapCaCrt, work.read('a-ca.crt'))
      assert.equal(after.issuerCrt, work.read('a-issuer.crt'))
    })

    for (const [name, files] of [
      ['a key that does not match the issuer', ['a-ca.crt', 'a-issuer.crt', 'b-issuer.key']],
      ['an issuer from another root', ['a-ca.crt', 'b-issuer.crt', 'b-issuer.key']],
    ] as const) {
      it(`refuses ${name} with exit 1 and leaves the cluster objects byte-for-byte unchanged`, async () => {
        work.bundle('a-')
        work.bundle('b-')
        const before = await readClusterBundle()
        const result = await daprK(home(), [
          'mtls',
          'renew-certificate',
          '-k',
          ...work.byoFlags(files[0], files[1], files[2]),
        ])
        assert.equal(result.exitCode, 1, result.stderr)
        assertCleanFailure(result)
        assert.deepEqual(await readClusterBundle(), before)
      })
    }
  })

  describe('--restart', () => {
    const podsOf = async (app: string) => {
      const {core} = clients()
      const pods = await core.listNamespacedPod({namespace: 'dapr-system', labelSelector: `app=${app}`})
      return pods.items.filter((p) => !p.metadata?.deletionTimestamp)
    }
    const restartedAt = async (kind: 'deployment' | 'statefulset', name: string) =>
      kubectl(
        'get',
        kind,
        name,
        '-n',
        'dapr-system',
        '-o',
        `jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}`,
      )

    it('restarts dapr-sentry first, then the rest of the control plane, all rolled out with a new restartedAt', async () => {
      const oldPods = new Set(
        (await Promise.all(['dapr-sentry', 'dapr-operator', 'dapr-scheduler-server'].map(podsOf)))
          .flat()
          .map((p) => p.metadata?.uid),
      )
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--restart', '--timeout', '180'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stderr, /All control plane services have restarted successfully!/)
      for (const name of ['dapr-sentry', 'dapr-operator', 'dapr-sidecar-injector']) {
        assert.notEqual(await restartedAt('deployment', name), '', `${name} has a restartedAt`)
        await kubectl('rollout', 'status', `deployment/${name}`, '-n', 'dapr-system', '--timeout=5s')
      }
      for (const name of ['dapr-placement-server', 'dapr-scheduler-server']) {
        assert.notEqual(await restartedAt('statefulset', name), '', `${name} has a restartedAt`)
        await kubectl('rollout', 'status', `statefulset/${name}`, '-n', 'dapr-system', '--timeout=5s')
      }
      const [sentry] = await podsOf('dapr-sentry')
      const others = (
        await Promise.all(
          ['dapr-operator', 'dapr-sidecar-injector', 'dapr-placement-server', 'dapr-scheduler-server'].map(podsOf),
        )
      ).flat()
      assert.ok(sentry && !oldPods.has(sentry.metadata?.uid), 'sentry has a new pod')
      const sentryReady = sentry.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime
      assert.ok(sentryReady)
      for (const pod of others) {
        assert.ok(!oldPods.has(pod.metadata?.uid), `${pod.metadata?.name ?? ''} was replaced`)
        assert.ok(
          pod.metadata!.creationTimestamp! >= sentryReady,
          `${pod.metadata?.name ?? ''} was created after sentry was ready`,
        )
      }
    })

    it('exits 1 within --timeout naming a component that cannot roll out', async () => {
      // An impossible node selector: the new pod can never be scheduled.
      await kubectl(
        'patch',
        'statefulset',
        'dapr-placement-server',
        '-n',
        'dapr-system',
        '--type=merge',
        '-p',
        '{"spec":{"template":{"spec":{"nodeSelector":{"no-such-label":"x"}}}}}',
      )
      const started = Date.now()
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--restart', '--timeout', '25'])
      const seconds = (Date.now() - started) / 1000
      assert.equal(result.exitCode, 1, result.stderr)
      assert.match(result.stderr, /did not finish within 25s: .*dapr-placement-server/)
      assert.doesNotMatch(result.stderr.split('\n').find((l) => l.includes('did not finish')) ?? '', /dapr-operator \(/)
      assert.ok(seconds < 25 + 15, `took ${seconds}s`)
    })
  })

  it('as a user who may read but not update the Secret: a permission message naming it, and nothing written', async () => {
    await grantReadOnly('dapr-system')
    const before = await readClusterBundle()
    const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '-n', 'dapr-system'], restrictedKubeconfig())
    assert.equal(result.exitCode, 1, result.stderr)
    assert.match(result.stderr, /permission denied: cannot update secrets dapr-trust-bundle in namespace dapr-system/)
    assert.match(result.stderr, /resources: \["secrets"\].*verbs: \["update"\]/)
    assert.deepEqual(await readClusterBundle(), before)
  })

  it('--dry-run prints the plan with the workloads to restart and changes nothing', async () => {
    const before = await readClusterBundle()
    const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--dry-run', '--restart'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /Secret dapr-system\/dapr-trust-bundle/)
    assert.match(result.stdout, /StatefulSet dapr-system\/dapr-scheduler-server/)
    assert.deepEqual(await readClusterBundle(), before)
  })
})
