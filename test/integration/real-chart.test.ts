// `dapr init -k` with the real Dapr Helm chart (charts/dapr of the dapr module) on the test cluster, and real Sentry
// in Kubernetes mode reading what the CLI installed and renewed: after every install and every renewal mode, Sentry
// uses the stored bundle as it is (no regeneration, no write) and serves a certificate that verifies against the
// ConfigMap's root. kwok pods run no code, so Sentry runs as a process beside the cluster, with the args the chart
// gave its Deployment. The hand-written test chart (test/fixtures/dapr-chart) stays for what this one cannot show
// quickly: installs without persistent volumes, and Helm failures on cue.
import assert from 'node:assert/strict'
import path from 'node:path'

import {execa} from 'execa'

import {sentryFromDeployment} from '../../src/lib/kube/sentry-deployment.js'
import {realChart} from '../dapr/binaries.js'
import {startSentry} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {adminKubeconfig, clients, kubectl, readClusterBundle, TestHome} from './context.js'

function clusterBin(): string {
  const dir = process.env.IT_CLUSTER_BIN
  if (!dir) throw new Error('IT_CLUSTER_BIN is not set: run the integration suite through its mocha config')
  return dir
}

async function applyJson(manifest: object): Promise<void> {
  await execa(process.env.IT_KUBECTL ?? 'kubectl', ['apply', '-f', '-'], {
    env: {KUBECONFIG: adminKubeconfig()},
    input: JSON.stringify(manifest),
  })
}

describe('the real Dapr chart and real Sentry in Kubernetes mode', function () {
  this.timeout(300_000)
  let home: TestHome
  let work: OpenSslDir
  let namespace: string
  let count = 0

  const cli = (args: string[]) =>
    dapr([...args, '-n', namespace, '--kubeconfig', adminKubeconfig()], {
      env: {HOME: home.dir, PATH: `${clusterBin()}${path.delimiter}${process.env.PATH ?? ''}`},
    })
  const init = async (args: string[]) =>
    cli(['init', '-k', '--chart', await realChart('1.16.2'), '--runtime-version', '1.16.2', '--wait', ...args])

  beforeEach(async () => {
    home = new TestHome()
    work = new OpenSslDir()
    namespace = `dapr-real-${++count}`
    // The scheduler's three replicas claim volumes with storageClassName "": three volumes for them to bind.
    await applyJson({
      apiVersion: 'v1',
      kind: 'List',
      items: [0, 1, 2].map((index) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {name: `${namespace}-scheduler-${index}`, labels: {'dapr-mtls-test': namespace}},
        spec: {
          capacity: {storage: '1Gi'},
          accessModes: ['ReadWriteOnce'],
          storageClassName: '',
          hostPath: {path: `/tmp/${namespace}-scheduler-${index}`},
        },
      })),
    })
  })
  afterEach(async () => {
    await execa(
      path.join(clusterBin(), 'helm'),
      ['uninstall', 'dapr', '-n', namespace, '--ignore-not-found', '--wait'],
      {
        env: {KUBECONFIG: adminKubeconfig()},
      },
    )
    await kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=120s')
    await kubectl('delete', 'pv', '-l', `dapr-mtls-test=${namespace}`, '--ignore-not-found', '--wait=true')
    home.cleanup()
    work.cleanup()
  })

  /** Real Sentry 1.16.2 as the chart's Deployment runs it (trust domain, key names, JWT flag from its args). */
  async function sentryAsDeployed() {
    const deployment = await clients().apps.readNamespacedDeployment({name: 'dapr-sentry', namespace})
    const deployed = sentryFromDeployment(deployment)
    return startSentry({
      version: '1.16.2',
      mode: 'kubernetes',
      kubeconfig: adminKubeconfig(),
      namespace,
      trustDomain: deployed.trustDomain,
      issuerFilenames: {ca: deployed.keys.rootCert, cert: deployed.keys.issuerCert, key: deployed.keys.issuerKey},
      extraArgs: deployed.jwtEnabled ? ['--jwt-enabled=true'] : [],
    })
  }

  /** Sentry starts on the stored bundle as it is, writes nothing, and its server certificate verifies. */
  async function assertSentryUsesStoredBundle(after: string): Promise<void> {
    const before = await readClusterBundle(namespace)
    const sentry = await sentryAsDeployed()
    try {
      await sentry.waitForLog(/Root and issuer certs found: using credentials from store/)
      await sentry.ready()
      const caFile = work.write(`configmap-ca-${Date.now()}.crt`, before.configMapCaCrt ?? '')
      const handshake = await sentry.sign({caFile, handshakeOnly: true})
      assert.equal(handshake.handshake, true, `${after}: ${handshake.error ?? ''}`)
      assert.equal(handshake.serverSpiffeId, `spiffe://cluster.local/ns/${namespace}/dapr-sentry`)
      assert.doesNotMatch(sentry.logs(), /generating self signed CA/, after)
    } finally {
      await sentry.stop()
    }
    const now = await readClusterBundle(namespace)
    assert.equal(now.secretVersion, before.secretVersion, `${after}: Sentry rewrote the Secret`)
    assert.equal(now.configMapVersion, before.configMapVersion, `${after}: Sentry rewrote the ConfigMap`)
  }

  it('installs with generated certificates; Sentry uses them, and every renewal mode after them, as stored', async () => {
    const rootKey = work.path('root.key')
    const installed = await init(['--generate-certs', '--root-key-out', rootKey])
    assert.equal(installed.exitCode, 0, installed.stderr)
    const status = await cli(['status', '-k', '-o', 'json'])
    assert.equal(status.exitCode, 0, status.stdout + status.stderr)
    assert.equal((JSON.parse(status.stdout) as {components: unknown[]}).components.length, 5)
    await assertSentryUsesStoredBundle('init -k --generate-certs')

    assert.equal((await cli(['mtls', 'renew-certificate', '-k'])).exitCode, 0)
    await assertSentryUsesStoredBundle('renew-certificate -k')
    const kept = await cli(['mtls', 'renew-certificate', '-k', '--private-key', rootKey])
    assert.equal(kept.exitCode, 0, kept.stderr)
    await assertSentryUsesStoredBundle('renew-certificate -k --private-key')

    work.bundle('byo-', {issuerSubject: `/O=spiffe://cluster.local/ns/${namespace}/dapr-sentry`})
    const brought = await cli([
      'mtls',
      'renew-certificate',
      '-k',
      ...work.byoFlags('byo-ca.crt', 'byo-issuer.crt', 'byo-issuer.key'),
    ])
    assert.equal(brought.exitCode, 0, brought.stderr)
    await assertSentryUsesStoredBundle('renew-certificate -k with brought certificates')

    // Negative control: a ConfigMap root one byte off the Secret's makes real Sentry throw the bundle away.
    const {core} = clients()
    const configMap = await core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace})
    const secretRoot = (await readClusterBundle(namespace)).caCrt
    configMap.data = {...configMap.data, 'ca.crt': `${secretRoot}\n`}
    await core.replaceNamespacedConfigMap({name: 'dapr-trust-bundle', namespace, body: configMap})
    const sentry = await sentryAsDeployed()
    try {
      await sentry.waitForLog(/generating self signed CA/)
      // It logs first and writes a moment later: wait for its new root to land in both objects.
      const deadline = Date.now() + 30_000
      for (;;) {
        const now = await readClusterBundle(namespace)
        if (now.caCrt !== secretRoot && now.configMapCaCrt === now.caCrt) break
        assert.ok(Date.now() < deadline, 'Sentry did not write its regenerated root')
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    } finally {
      await sentry.stop()
    }
  })

  it('installs certificates the user brings, byte for byte, and Sentry uses them as stored', async () => {
    work.key('root.key', 'ec-p384', 'sec1')
    work.root('ca.crt', {key: 'root.key', subject: '/O=cluster.local', days: 500})
    work.key('issuer.key', 'ec-p256', 'pkcs8')
    work.signed('issuer.crt', {
      key: 'issuer.key',
      subject: `/O=spiffe://cluster.local/ns/${namespace}/dapr-sentry`,
      caCert: 'ca.crt',
      caKey: 'root.key',
      days: 400,
    })
    const installed = await init([
      '--ca-root-certificate',
      work.path('ca.crt'),
      '--issuer-public-certificate',
      work.path('issuer.crt'),
      '--issuer-private-key',
      work.path('issuer.key'),
    ])
    assert.equal(installed.exitCode, 0, installed.stderr)
    const bundle = await readClusterBundle(namespace)
    assert.equal(bundle.caCrt.trim(), work.read('ca.crt').trim())
    assert.equal(bundle.configMapCaCrt, bundle.caCrt)
    await assertSentryUsesStoredBundle('init -k with brought certificates')
  })

  it("installs without certificates: the chart's bundle stays empty until real Sentry fills it, JWT keys included, and renewal keeps them", async () => {
    const installed = await init(['--set', 'dapr_sentry.jwt.enabled=true'])
    assert.equal(installed.exitCode, 0, installed.stderr)
    const empty = await cli(['mtls', 'expiry', '-k'])
    assert.equal(empty.exitCode, 1, empty.stdout)
    assert.match(empty.stderr, /has no ca\.crt: the root certificate is not loaded yet/)

    const sentry = await sentryAsDeployed()
    try {
      await sentry.waitForLog(/generating self signed CA/)
      await sentry.ready()
    } finally {
      await sentry.stop()
    }
    const expiry = await cli(['mtls', 'expiry', '-k', '-o', 'json'])
    assert.equal(expiry.exitCode, 0, expiry.stderr)
    assert.deepEqual(
      (JSON.parse(expiry.stdout) as {certificates: {role: string}[]}).certificates.map((c) => c.role),
      ['root', 'issuer'],
    )
    const secret = await clients().core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace})
    const jwt = {key: secret.data?.['jwt.key'], jwks: secret.data?.['jwks.json']}
    assert.ok(jwt.key && jwt.jwks, 'Sentry 1.16.2 wrote its JWT signing key and JWKS')

    const renewed = await cli(['mtls', 'renew-certificate', '-k'])
    assert.equal(renewed.exitCode, 0, renewed.stderr)
    const after = await clients().core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace})
    assert.deepEqual({key: after.data?.['jwt.key'], jwks: after.data?.['jwks.json']}, jwt)
    // With its JWT material kept, Sentry takes the renewed bundle as stored: no new CA, no new signing key.
    await assertSentryUsesStoredBundle('renew-certificate -k after Sentry wrote JWT keys')
    const final = await clients().core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace})
    assert.deepEqual({key: final.data?.['jwt.key'], jwks: final.data?.['jwks.json']}, jwt)
  })

  it('installs with mTLS off as the Dapr docs write it (--enable-mtls=false)', async () => {
    const installed = await init(['--enable-mtls=false'])
    assert.equal(installed.exitCode, 0, installed.stderr)
    const mtls = await cli(['mtls', '-k'])
    const [sentence, ...settings] = mtls.stdout.split('\n')
    assert.equal(sentence, 'Mutual TLS is disabled in your Kubernetes cluster ')
    // The real chart's daprsystem, as Sentry will read it.
    assert.deepEqual(settings.slice(0, 2), ['Workload certificate TTL  24h', 'Allowed clock skew        15m'])
  })
})
