// `dapr mtls rotate -k` on the test cluster: after every phase real Sentry (Kubernetes mode, as a process) takes the
// bundle as stored and serves a certificate that verifies against the ConfigMap's anchors. Sidecars get their anchors
// at pod creation from an injector stand-in (test/cluster/injector-webhook.ts), as the real injector gives them. The
// switch is refused while a pod holds only the old root, --restart-apps clears it, prune waits for its window
// (--skip-wait overrides it), --status is right in every phase, and an interrupted add-root is completed by a rerun.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {execa} from 'execa'

import {type ApiProxy, startApiProxy} from '../cluster/api-proxy.js'
import {resetDaprFixture} from '../cluster/fixture.js'
import {type InjectorWebhook, startInjectorWebhook} from '../cluster/injector-webhook.js'
import {startSentry} from '../dapr/sentry.js'
import {adminKubeconfig, clients, daprK, freshHomeEachTest, kubectl, readClusterBundle} from './context.js'

const namespace = 'dapr-system'
const runJs = path.resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')

interface Status {
  phase: string
  completing: boolean
  blockers: {owner: string; sidecars: string[]; replaceable: boolean}[]
  earliestPrune?: string
}

const roots = (pem: string | undefined) => (pem ?? '').match(/BEGIN CERTIFICATE/g)?.length ?? 0

describe('dapr mtls rotate -k', function () {
  this.timeout(600_000)
  const home = freshHomeEachTest()
  let injector: InjectorWebhook
  let work: string

  before(async () => {
    injector = await startInjectorWebhook(adminKubeconfig())
  })
  after(async () => {
    await injector.stop()
  })
  beforeEach(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'dapr-rotate-k-'))
    // Recreated after the injector is in place, so the app pods carry a daprd sidecar with the current root.
    await resetDaprFixture(adminKubeconfig())
  })
  afterEach(async () => {
    await kubectl('delete', 'secret', 'dapr-trust-bundle-rotation', '-n', namespace, '--ignore-not-found')
    await kubectl('delete', 'pod', 'bare-dapr-pod', '-n', 'apps', '--ignore-not-found', '--wait=true')
    rmSync(work, {recursive: true, force: true})
  })

  const rotate = (...args: string[]) => daprK(home(), ['mtls', 'rotate', '-k', ...args])
  const status = async (): Promise<Status> => {
    const result = await rotate('--status', '-o', 'json')
    assert.equal(result.exitCode, 0, result.stderr)
    return JSON.parse(result.stdout) as Status
  }

  /** Real Sentry 1.16.2 loads the bundle as stored and its server certificate verifies against the ConfigMap. */
  async function assertSentryLoads(after: string): Promise<void> {
    const before = await readClusterBundle(namespace)
    const sentry = await startSentry({version: '1.16.2', mode: 'kubernetes', kubeconfig: adminKubeconfig(), namespace})
    try {
      await sentry.waitForLog(/Root and issuer certs found: using credentials from store/)
      await sentry.ready()
      const caFile = path.join(work, `ca-${Date.now()}.crt`)
      writeFileSync(caFile, before.configMapCaCrt ?? '')
      const handshake = await sentry.sign({caFile, handshakeOnly: true})
      assert.equal(handshake.handshake, true, `${after}: ${handshake.error ?? ''}`)
    } finally {
      await sentry.stop()
    }
    const now = await readClusterBundle(namespace)
    assert.equal(now.secretVersion, before.secretVersion, `${after}: Sentry rewrote the Secret`)
    assert.equal(now.configMapVersion, before.configMapVersion, `${after}: Sentry rewrote the ConfigMap`)
  }

  it('rotates through add-root, switch-issuer and prune, guarded at each step, with Sentry loading every bundle', async () => {
    assert.equal((await status()).phase, 'none')
    const bundle = await readClusterBundle(namespace)
    // A bare pod with a sidecar: no rollout can replace it.
    await execa(process.env.IT_KUBECTL ?? 'kubectl', ['apply', '-f', '-'], {
      env: {KUBECONFIG: adminKubeconfig()},
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: 'bare-dapr-pod', namespace: 'apps', annotations: {'dapr.io/enabled': 'true'}},
        spec: {containers: [{name: 'app', image: 'example.com/bare:1'}]},
      }),
    })

    const added = await rotate('--phase', 'add-root', '--root-key-out', path.join(work, 'new-root.key'))
    assert.equal(added.exitCode, 0, added.stderr)
    const afterAdd = await readClusterBundle(namespace)
    assert.equal(roots(afterAdd.caCrt), 2)
    assert.equal(afterAdd.configMapCaCrt, afterAdd.caCrt)
    assert.equal(afterAdd.issuerCrt, bundle.issuerCrt, 'add-root keeps the issuer')
    const stateSecret = await clients().core.readNamespacedSecret({name: 'dapr-trust-bundle-rotation', namespace})
    assert.doesNotMatch(
      Object.values(stateSecret.data ?? {})
        .map((v) => Buffer.from(v, 'base64').toString())
        .join('\n'),
      new RegExp(readFileSync(path.join(work, 'new-root.key'), 'utf8').split('\n')[1] ?? '^$'),
      'the new root key is never stored in the cluster',
    )
    await assertSentryLoads('add-root')

    // The app pods were injected before add-root: they hold only the old root.
    const blocked = await status()
    assert.equal(blocked.phase, 'switch-issuer')
    assert.deepEqual(
      blocked.blockers.map((b) => [b.owner, b.replaceable]),
      [
        ['apps/Pod (no owner)', false],
        ['apps/deployment/checkout', true],
        ['apps/deployment/orders', true],
      ],
    )
    const refused = await rotate('--phase', 'switch-issuer')
    assert.equal(refused.exitCode, 1, refused.stderr)
    assert.match(refused.stderr, /cannot switch yet: .*apps\/deployment\/checkout.*do not trust the new root/)
    assert.equal((await readClusterBundle(namespace)).issuerCrt, bundle.issuerCrt, 'nothing switched')

    // --restart-apps replaces what a rollout can; the bare pod stays a blocker until its owner deals with it.
    const stillBlocked = await rotate('--phase', 'switch-issuer', '--restart-apps')
    assert.equal(stillBlocked.exitCode, 1, stillBlocked.stderr)
    assert.match(stillBlocked.stderr, /apps\/Pod \(no owner\) \(no rollout can replace it\)/)
    assert.deepEqual(
      (await status()).blockers.map((b) => b.owner),
      ['apps/Pod (no owner)'],
    )
    await kubectl('delete', 'pod', 'bare-dapr-pod', '-n', 'apps', '--wait=true')
    const switched = await rotate('--phase', 'switch-issuer')
    assert.equal(switched.exitCode, 0, switched.stderr)
    const afterSwitch = await readClusterBundle(namespace)
    assert.equal(roots(afterSwitch.caCrt), 2, 'switch-issuer keeps both roots')
    assert.notEqual(afterSwitch.issuerCrt, bundle.issuerCrt)
    await assertSentryLoads('switch-issuer')

    // Prune waits for its window; --skip-wait overrides it.
    const pruneStatus = await status()
    assert.equal(pruneStatus.phase, 'prune')
    assert.ok(pruneStatus.earliestPrune && new Date(pruneStatus.earliestPrune) > new Date())
    const early = await rotate('--phase', 'prune')
    assert.equal(early.exitCode, 1, early.stderr)
    assert.ok(early.stderr.includes(`can be pruned only after ${pruneStatus.earliestPrune}`), early.stderr)
    const pruned = await rotate('--phase', 'prune', '--skip-wait')
    assert.equal(pruned.exitCode, 0, pruned.stderr)
    const afterPrune = await readClusterBundle(namespace)
    assert.equal(roots(afterPrune.caCrt), 1)
    assert.equal(afterPrune.configMapCaCrt, afterPrune.caCrt)
    await assertSentryLoads('prune')
    assert.equal((await status()).phase, 'none')
    const state = await kubectl(
      'get',
      'secret',
      '-n',
      namespace,
      '-l',
      'dapr.io/trust-bundle-rotation=true',
      '-o',
      'name',
    )
    assert.equal(state, '', 'the rotation state is gone')
  })

  it('refuses a --phase that is not the next one, changing nothing', async () => {
    const before = await readClusterBundle(namespace)
    const result = await rotate('--phase', 'prune')
    assert.equal(result.exitCode, 2, result.stderr)
    assert.match(result.stderr, /--phase prune does not match the rotation: the next phase is add-root/)
    assert.deepEqual(await readClusterBundle(namespace), before)
  })

  describe('interrupted', () => {
    let proxy: ApiProxy
    let dir: string
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'dapr-rotate-proxy-'))
      proxy = await startApiProxy(adminKubeconfig(), dir)
    })
    after(async () => {
      await proxy.close()
      rmSync(dir, {recursive: true, force: true})
    })

    it('an add-root killed after the bundle write and before the restarts is completed by running it again', async () => {
      // The first restart (the PATCH of a control-plane workload) never answers; the CLI is killed while it waits.
      proxy.setRule((request) =>
        request.method === 'PATCH' && /\/deployments\/dapr-sentry$/.test(request.url.split('?')[0] ?? '')
          ? {kind: 'hang'}
          : undefined,
      )
      const child = execa(
        'node',
        [runJs, 'mtls', 'rotate', '-k', '--phase', 'add-root', '--kubeconfig', proxy.kubeconfig],
        {
          env: {HOME: home().dir, NO_COLOR: '1'},
          reject: false,
        },
      )
      const deadline = Date.now() + 60_000
      while (!proxy.requests.some((r) => r.method === 'PATCH')) {
        assert.ok(Date.now() < deadline, 'the restart never started')
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      child.kill('SIGKILL')
      await child
      proxy.setRule(undefined)
      assert.equal(roots((await readClusterBundle(namespace)).caCrt), 2, 'the bundle was written before the kill')
      const interrupted = await status()
      assert.deepEqual([interrupted.phase, interrupted.completing], ['add-root', true])

      const sentryBefore = (await clients().apps.readNamespacedDeployment({name: 'dapr-sentry', namespace})).metadata
        ?.generation
      const rerun = await rotate('--phase', 'add-root')
      assert.equal(rerun.exitCode, 0, rerun.stderr)
      assert.match(rerun.stdout, /Rotation phase add-root completed/)
      const sentryAfter = (await clients().apps.readNamespacedDeployment({name: 'dapr-sentry', namespace})).metadata
        ?.generation
      assert.ok((sentryAfter ?? 0) > (sentryBefore ?? 0), 'the rerun restarted the control plane')
      assert.equal(roots((await readClusterBundle(namespace)).caCrt), 2, 'and did not add the root twice')
      assert.equal((await status()).phase, 'switch-issuer')
    })
  })
})
