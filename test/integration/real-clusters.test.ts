// What a real Dapr install looks like, and commands that never hang: Sentry's own args decide the keys and the trust
// domain, the bundle's state is told truthfully, and faults between the CLI and the apiserver (from a proxy in the
// test harness) end in a known state.
import assert from 'node:assert/strict'
import {createPrivateKey} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {generateBundle} from '../../src/lib/certs/index.js'
import {type ApiProxy, faultFirst, startApiProxy} from '../cluster/api-proxy.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {assertCleanFailure} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {
  adminKubeconfig,
  clients,
  daprK,
  freshHomeEachTest,
  kubectl,
  readClusterBundle,
  grantRestricted,
  readTrustBundleObjects,
  restrictedKubeconfig,
  untilAllowed,
} from './context.js'

const namespace = 'dapr-system'
const secretPath = /\/api\/v1\/namespaces\/dapr-system\/secrets\/dapr-trust-bundle$/
const configMapPath = /\/api\/v1\/namespaces\/dapr-system\/configmaps\/dapr-trust-bundle$/

async function applyJson(manifest: object): Promise<void> {
  const {execa} = await import('execa')
  await execa(process.env.IT_KUBECTL ?? 'kubectl', ['apply', '-f', '-'], {
    env: {KUBECONFIG: adminKubeconfig()},
    input: JSON.stringify(manifest),
  })
}

describe('on a real cluster', function () {
  this.timeout(240_000)
  const home = freshHomeEachTest()
  let work: OpenSslDir

  beforeEach(() => {
    work = new OpenSslDir()
  })
  afterEach(() => {
    work.cleanup()
  })

  describe('never hang, never lie about time', () => {
    let proxy: ApiProxy
    let dir: string
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'dapr-proxy-'))
      proxy = await startApiProxy(adminKubeconfig(), dir)
    })
    after(async () => {
      await proxy.close()
      rmSync(dir, {recursive: true, force: true})
    })
    afterEach(() => {
      proxy.setRule(undefined)
    })

    for (const command of [
      ['status', '-k'],
      ['mtls', '-k'],
    ]) {
      it(`\`dapr ${command.join(' ')}\` prints its result and exits within --request-timeout + 1s when the bundle read never answers`, async () => {
        await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
        // Every read of the Secret hangs: the banner's read, which today runs beside the command's own work.
        proxy.setRule((request) =>
          request.method === 'GET' && secretPath.test(request.url) ? {kind: 'hang'} : undefined,
        )
        proxy.requests.length = 0
        const result = await daprK(home(), [...command, '--request-timeout', '2'], proxy.kubeconfig)
        const exited = Date.now()
        assert.equal(result.exitCode, 0, result.stderr)
        assert.match(result.stdout, command[0] === 'status' ? /dapr-sentry/ : /Mutual TLS is enabled/)
        // Measured from the moment the unanswered request reached the proxy, so a slow machine's start-up does not count.
        const hung = proxy.requests.find((r) => r.method === 'GET' && secretPath.test(r.url))
        assert.ok(hung, 'the bundle was never read')
        const seconds = (exited - hung.at) / 1000
        assert.ok(seconds < 3, `exited ${seconds.toFixed(2)}s after the unanswered request (timeout 2s)`)
      })
    }

    it('a ConfigMap write that times out and lands late still ends with both objects new and identical', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const before = await readClusterBundle()
      // The first ConfigMap PUT reaches the apiserver 4 s late, after the CLI's 1 s request timeout.
      proxy.setRule(faultFirst('PUT', configMapPath, {kind: 'delay-request', ms: 4000}))
      const result = await daprK(
        home(),
        ['mtls', 'renew-certificate', '-k', '--request-timeout', '1'],
        proxy.kubeconfig,
      )
      await proxy.settled()
      const after = await readClusterBundle()
      assert.equal(after.configMapCaCrt, after.caCrt, 'the Secret and the ConfigMap differ: Sentry would regenerate')
      assert.equal(result.exitCode, 0, result.stderr)
      assert.notEqual(after.caCrt, before.caCrt)
    })

    it('a Secret write whose connection drops after it was sent is found written, and the renewal completes', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      proxy.setRule(faultFirst('PUT', secretPath, {kind: 'drop-after-send'}))
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k'], proxy.kubeconfig)
      await proxy.settled()
      const after = await readClusterBundle()
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(after.configMapCaCrt, after.caCrt)
    })
  })

  describe('a ConfigMap that may not be written', () => {
    it('puts the Secret back byte for byte and names the backup and the restore command', async () => {
      // Sentry's JWT keys and a label beside the bundle: "byte for byte" covers every key of both objects.
      await installDaprFixture(adminKubeconfig(), {
        appsNamespace: null,
        secret: {data: {'jwt.key': 'JWT KEY\n', 'jwks.json': '{"keys":[]}'}, labels: {team: 'platform'}},
      })
      await grantRestricted(namespace, 'dapr-secret-writer', [
        {apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list']},
        {apiGroups: [''], resources: ['secrets'], verbs: ['update']},
        {apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list']},
        {apiGroups: ['dapr.io'], resources: ['configurations'], verbs: ['get', 'list']},
      ])
      const {core} = clients(restrictedKubeconfig())
      await untilAllowed(() => core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace}))
      const before = await readTrustBundleObjects()
      const dir = mkdtempSync(path.join(tmpdir(), 'dapr-proxy-'))
      // Between the CLI and the apiserver only to count what was sent: the write, the refused write, the put-back.
      const counter = await startApiProxy(restrictedKubeconfig(), dir, 'restricted-proxy')
      try {
        const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '-n', namespace], counter.kubeconfig)
        assert.equal(result.exitCode, 1, result.stderr)
        // Progress came first; the failure is the last line and its hint, with no stack trace.
        const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
        assert.match(failure ?? '', /writing ConfigMap dapr-system\/dapr-trust-bundle failed .*the Secret was put back/)
        assert.match(hint ?? '', /It needs a Role .*resources: \["configmaps"\].*kubectl replace -f/)
        assert.doesNotMatch(result.stderr, /\n\s+at /)
        const [backup] = readdirSync(home().backups)
        assert.ok(backup)
        assert.ok(result.stderr.includes(`kubectl replace -f ${path.join(home().backups, backup)}`), result.stderr)
        assert.deepEqual(await readTrustBundleObjects(), before)
        const puts = counter.requests.filter((r) => r.method === 'PUT').map((r) => r.url.split('?')[0]?.split('/')[5])
        assert.deepEqual(puts, ['secrets', 'configmaps', 'secrets'], 'written, refused, put back')
      } finally {
        await counter.close()
        rmSync(dir, {recursive: true, force: true})
        await kubectl('delete', 'role,rolebinding', 'dapr-secret-writer', '-n', namespace)
      }
    })
  })

  describe("what the cluster really runs: Sentry's args", () => {
    it('reads and writes the keys Sentry reads (global.issuerFilenames: tls.crt, tls.key)', async () => {
      await installDaprFixture(adminKubeconfig(), {
        appsNamespace: null,
        bundleKeys: {rootCert: 'ca.crt', issuerCert: 'tls.crt', issuerKey: 'tls.key'},
        sentryArgs: [
          '--issuer-ca-filename',
          'ca.crt',
          '--issuer-certificate-filename',
          'tls.crt',
          '--issuer-key-filename',
          'tls.key',
        ],
      })
      const expiry = await daprK(home(), ['mtls', 'expiry', '-k', '-o', 'json'])
      assert.equal(expiry.exitCode, 0, expiry.stderr)
      assert.deepEqual(
        (JSON.parse(expiry.stdout) as {certificates: {role: string}[]}).certificates.map((c) => c.role),
        ['root', 'issuer'],
      )

      const renewed = await daprK(home(), ['mtls', 'renew-certificate', '-k'])
      assert.equal(renewed.exitCode, 0, renewed.stderr)
      const secret = await clients().core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace})
      assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key'])
      const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString()
      work.write('ca.crt', decode('ca.crt'))
      work.write('tls.crt', decode('tls.crt'))
      work.write('tls.key', decode('tls.key'))
      assert.match(work.openssl('verify', '-CAfile', 'ca.crt', 'tls.crt'), /tls.crt: OK/)
      assert.equal(work.publicKeyOf('tls.key'), work.publicKeyOf('tls.crt'))
    })

    it("takes the trust domain from Sentry's --trust-domain, not from the Configuration Sentry ignores", async () => {
      await installDaprFixture(adminKubeconfig(), {
        appsNamespace: null,
        configTrustDomain: 'ignored.example',
        sentryArgs: ['--trust-domain', 'real.example'],
      })
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k'])
      assert.equal(result.exitCode, 0, result.stderr)
      work.write('issuer.crt', (await readClusterBundle()).issuerCrt)
      work.write('ca.crt', (await readClusterBundle()).caCrt)
      assert.match(
        work.openssl('x509', '-in', 'issuer.crt', '-noout', '-subject'),
        /spiffe:\/\/real\.example\/ns\/dapr-system/,
      )
      assert.match(work.openssl('x509', '-in', 'ca.crt', '-noout', '-subject'), /O ?= ?real\.example/)
      const mtls = JSON.parse((await daprK(home(), ['mtls', '-k', '-o', 'json'])).stdout) as {trustDomain: string}
      assert.equal(mtls.trustDomain, 'real.example')
    })

    it("shows Sentry's version from its image tag in status and mtls", async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, imageTag: '1.16.2'})
      const status = JSON.parse((await daprK(home(), ['status', '-k', '-o', 'json'])).stdout) as {sentryVersion: string}
      assert.equal(status.sentryVersion, '1.16.2')
      const mtls = JSON.parse((await daprK(home(), ['mtls', '-k', '-o', 'json'])).stdout) as {sentryVersion: string}
      assert.equal(mtls.sentryVersion, '1.16.2')
    })

    it("applies the running Sentry's issuer-key rule: Ed25519 refused below 1.18 and for an unknown tag, accepted on 1.18", async () => {
      work.bundle('', {issuerSubject: '/O=spiffe://cluster.local/ns/dapr-system/dapr-sentry', issuerKeyType: 'ed25519'})
      const bring = ['mtls', 'renew-certificate', '-k', ...work.byoFlags('ca.crt', 'issuer.crt', 'issuer.key')]
      for (const [image, accepted, named] of [
        ['1.16.2', false, /Sentry 1\.16\.2/],
        ['1.18.0', true, undefined],
        ['stable', false, /unknown Sentry version/],
      ] as const) {
        await installDaprFixture(adminKubeconfig(), {appsNamespace: null, imageTag: image})
        const before = await readClusterBundle()
        const result = await daprK(home(), bring)
        if (accepted) {
          assert.equal(result.exitCode, 0, `${image}: ${result.stderr}`)
          assert.equal((await readClusterBundle()).issuerKey, work.read('issuer.key'))
        } else {
          assert.equal(result.exitCode, 1, `${image}: ${result.stderr}`)
          assertCleanFailure(result)
          assert.match(result.stderr, /issuer-key-type/)
          assert.match(result.stderr, named ?? /./)
          assert.deepEqual(await readClusterBundle(), before)
        }
      }
    })
  })

  describe('keys Sentry owns, and who else manages the bundle', () => {
    it("keeps Sentry's JWT material (jwt.key, jwks.json) byte for byte", async () => {
      const jwt = {'jwt.key': 'JWT SIGNING KEY (Sentry-owned)\n', 'jwks.json': '{"keys":[]}'}
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, secret: {data: jwt}})
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k'])
      assert.equal(result.exitCode, 0, result.stderr)
      const secret = await clients().core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace})
      for (const [key, value] of Object.entries(jwt)) {
        assert.equal(Buffer.from(secret.data?.[key] ?? '', 'base64').toString(), value)
      }
    })

    it('refuses to strand a pending issuer that would not chain to the new root, changing nothing', async () => {
      const pending = await generateBundle({namespace, validityDays: 30, clockSkewMs: 0})
      const fixture = await installDaprFixture(adminKubeconfig(), {
        appsNamespace: null,
        certDir: work.path('fixture'),
        secret: {
          data: {'issuer.next.crt': pending.bundle.issuerCertPem, 'issuer.next.key': pending.bundle.issuerKeyPem},
        },
      })
      const rootKey = work.write('root.key', readFileSync(fixture.rootKeyPath ?? '', 'utf8'))
      const before = await readClusterBundle()
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k'])
      assert.equal(result.exitCode, 1, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, /pending issuer \(issuer\.next\.crt, issuer\.next\.key\)/)
      assert.deepEqual(await readClusterBundle(), before)

      // A pending issuer under the root that stays is no obstacle: renewing with the same root key keeps it valid.
      const underRoot = await generateBundle({
        namespace,
        validityDays: 30,
        clockSkewMs: 0,
        rootKey: createPrivateKey(readFileSync(rootKey)),
        currentRoots: fixture.bundle.caCrt,
      })
      await installDaprFixture(adminKubeconfig(), {
        appsNamespace: null,
        certDir: work.path('fixture'),
        bundle: {...fixture.bundle},
        secret: {
          data: {'issuer.next.crt': underRoot.bundle.issuerCertPem, 'issuer.next.key': underRoot.bundle.issuerKeyPem},
        },
      })
      const kept = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--private-key', rootKey])
      assert.equal(kept.exitCode, 0, kept.stderr)
    })

    it('warns in the plan that Helm or Argo CD can revert a direct write, and says what to do', async () => {
      await installDaprFixture(adminKubeconfig(), {
        appsNamespace: null,
        secret: {
          labels: {'app.kubernetes.io/managed-by': 'Helm', 'argocd.argoproj.io/instance': 'dapr'},
          annotations: {'meta.helm.sh/release-name': 'dapr', 'meta.helm.sh/release-namespace': namespace},
        },
      })
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--dry-run', '--json'])
      assert.equal(result.exitCode, 0, result.stderr)
      const {plan} = JSON.parse(result.stdout) as {plan: {warnings: string[]}}
      assert.match(
        plan.warnings.join('\n'),
        /managed by Helm \(release dapr in namespace dapr-system\).*--reuse-values/,
      )
      assert.match(plan.warnings.join('\n'), /synced by Argo CD \(application dapr\)/)
    })
  })

  describe('discovery', () => {
    it('prefers the namespace running dapr-sentry; a stray daprsystem Configuration elsewhere does not force -n', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      await applyJson({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'stray'}})
      await applyJson({
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Configuration',
        metadata: {name: 'daprsystem', namespace: 'stray'},
        spec: {mtls: {enabled: false}},
      })
      try {
        const result = await daprK(home(), ['mtls', '-k', '-o', 'json'])
        assert.equal(result.exitCode, 0, result.stderr)
        assert.equal((JSON.parse(result.stdout) as {location: string}).location, namespace)
      } finally {
        await kubectl('delete', 'configuration', 'daprsystem', '-n', 'stray')
      }
    })

    it('one forbidden cluster-wide list does not stop discovery when the other answers', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      await applyJson({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            metadata: {name: 'dapr-discovery-partial'},
            // Deployments may be listed cluster-wide, Configurations only read by name.
            rules: [
              {apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'get']},
              {apiGroups: ['dapr.io'], resources: ['configurations'], verbs: ['get']},
            ],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: {name: 'dapr-discovery-partial'},
            roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dapr-discovery-partial'},
            subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'restricted'}],
          },
        ],
      })
      const {apps} = clients(restrictedKubeconfig())
      await untilAllowed(() => apps.listDeploymentForAllNamespaces())
      try {
        const result = await daprK(home(), ['mtls', '-k', '-o', 'json'], restrictedKubeconfig())
        assert.equal(result.exitCode, 0, result.stderr)
        assert.equal((JSON.parse(result.stdout) as {location: string}).location, namespace)
      } finally {
        await kubectl('delete', 'clusterrole,clusterrolebinding', 'dapr-discovery-partial')
      }
    })
  })

  describe('say the truth', () => {
    const day = 86_400_000

    it('reports an expired extra root beside the one in use as "can be pruned" (exit 3), not critical', async () => {
      const [current, old] = await Promise.all([
        generateBundle({namespace, validityDays: 365, clockSkewMs: 0}),
        generateBundle({namespace, validityDays: 30, clockSkewMs: 0, now: new Date(Date.now() - 60 * day)}),
      ])
      const bundle = {
        caCrt: old.bundle.rootCertPem + current.bundle.rootCertPem,
        issuerCrt: current.bundle.issuerCertPem,
        issuerKey: current.bundle.issuerKeyPem,
      }
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, bundle})
      const result = await daprK(home(), ['mtls', 'expiry', '-k'])
      assert.equal(result.exitCode, 3, result.stdout + result.stderr)
      assert.match(result.stdout, /can be pruned/)
      assert.match(result.stdout, /^Root certificate expires in 87\d\d hours/)
      const status = await daprK(home(), ['status', '-k'])
      assert.doesNotMatch(status.stderr, /has expired/, 'the banner follows the chain in use')
    })

    it('calls a ConfigMap that differs from the Secret by one byte critical (exit 4) in status, mtls and expiry, with the fix', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const {core} = clients()
      const configMap = await core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace})
      configMap.data = {'ca.crt': `${configMap.data?.['ca.crt'] ?? ''}\n`}
      await core.replaceNamespacedConfigMap({name: 'dapr-trust-bundle', namespace, body: configMap})
      for (const command of [
        ['status', '-k'],
        ['mtls', '-k'],
        ['mtls', 'expiry', '-k'],
      ]) {
        const result = await daprK(home(), command)
        assert.equal(result.exitCode, 4, `${command.join(' ')}: ${result.stdout}${result.stderr}`)
        assert.match(
          result.stdout,
          /Broken: ConfigMap dapr-system\/dapr-trust-bundle ca\.crt differs from the Secret's/,
        )
        assert.match(result.stdout, /Fix: .*kubectl -n dapr-system get secret dapr-trust-bundle/)
      }
      // The fix as printed works: afterwards the bundle is consistent again.
      const printed = (await daprK(home(), ['mtls', 'expiry', '-k'])).stdout
      const fix = /Fix: Make the ConfigMap hold the Secret's root byte for byte: (.*)$/m.exec(printed)?.[1] ?? ''
      const {execa} = await import('execa')
      await execa('bash', ['-c', fix], {
        cwd: work.path('.'),
        env: {
          KUBECONFIG: adminKubeconfig(),
          PATH: `${path.dirname(process.env.IT_KUBECTL ?? '')}:${process.env.PATH ?? ''}`,
        },
      })
      assert.equal((await daprK(home(), ['mtls', 'expiry', '-k'])).exitCode, 0)
    })

    it('lets a monitoring account that may read the ConfigMap but not the Secret check the roots', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      await grantRestricted(namespace, 'dapr-monitor', [
        {apiGroups: [''], resources: ['configmaps'], verbs: ['get']},
        {apiGroups: ['apps'], resources: ['deployments'], verbs: ['get']},
        {apiGroups: ['dapr.io'], resources: ['configurations'], verbs: ['get']},
      ])
      const {core} = clients(restrictedKubeconfig())
      await untilAllowed(() => core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace}))
      try {
        const result = await daprK(home(), ['mtls', 'expiry', '-k', '-n', namespace], restrictedKubeconfig())
        assert.equal(result.exitCode, 0, result.stderr)
        assert.match(result.stdout, /issuer +│? *not readable/)
        assert.match(result.stdout, /needs get on secrets dapr-trust-bundle in namespace dapr-system/)
      } finally {
        await kubectl('delete', 'role,rolebinding', 'dapr-monitor', '-n', namespace)
      }
    })

    it('says after a root change that Sentry reloads by itself and every Dapr app must restart, with --restart too', async () => {
      const fixture = await installDaprFixture(adminKubeconfig(), {appsNamespace: null, certDir: work.path('fixture')})
      for (const extra of [[], ['--restart']]) {
        const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', ...extra, '--json'])
        assert.equal(result.exitCode, 0, result.stderr)
        assert.match(result.stderr, /Sentry switches to the new bundle by itself .*about a minute; no restart needed/)
        assert.match(result.stderr, /every Dapr-enabled application must be restarted to trust it/)
        const {nextSteps} = JSON.parse(result.stdout) as {nextSteps: string[]}
        assert.match(nextSteps.join('\n'), /every Dapr-enabled application must be restarted/)
      }
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, certDir: work.path('fixture')})
      const kept = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--private-key', fixture.rootKeyPath ?? ''])
      assert.equal(kept.exitCode, 0, kept.stderr)
      assert.match(kept.stderr, /root key is unchanged/)
      assert.doesNotMatch(kept.stderr, /must be restarted to trust it/)
    })

    it('refuses --restart when there is no control-plane workload to restart, and changes nothing', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      await kubectl('delete', 'deploy,sts', '--all', '-n', namespace, '--wait=true')
      const before = await readClusterBundle()
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '-n', namespace, '--restart'])
      assert.equal(result.exitCode, 1, result.stderr)
      assertCleanFailure(result)
      assert.match(
        result.stderr,
        /--restart found no control-plane workloads in namespace dapr-system; nothing was changed/,
      )
      assert.deepEqual(await readClusterBundle(), before)
    })

    it('two restarts within one second are two rollouts', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const {connect, restartControlPlane} = await import('../../src/lib/kube/index.js')
      const kube = connect({kubeconfig: adminKubeconfig()})
      const sentry = [{kind: 'Deployment', name: 'dapr-sentry'} as const]
      const generation = async () =>
        (await clients().apps.readNamespacedDeployment({name: 'dapr-sentry', namespace})).metadata?.generation ?? 0
      const start = await generation()
      const [first, second] = await Promise.all([
        restartControlPlane(kube, namespace, sentry, {timeoutMs: 60_000}),
        new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
          restartControlPlane(kube, namespace, sentry, {timeoutMs: 60_000}),
        ),
      ])
      assert.notEqual(first[0]?.restartedAt, second[0]?.restartedAt)
      assert.equal((await generation()) - start, 2)
    })
  })
})
