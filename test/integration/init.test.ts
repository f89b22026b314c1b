// `dapr init -k` against the real test cluster with the real helm and the test chart (test/fixtures/dapr-chart): what
// the install leaves in the cluster, what the other commands then say about it, and what a refused install leaves
// (nothing). Each test installs into its own namespace and removes it, so the dapr-system fixture stays the only
// control plane other test files discover.
import assert from 'node:assert/strict'
import {mkdirSync, statSync, symlinkSync} from 'node:fs'
import path from 'node:path'

import {execa} from 'execa'

import {assertCleanFailure, type CliResult, dapr} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {adminKubeconfig, clusterBin, daprK, helm, kubectl, readClusterBundle, TestHome} from './context.js'

const chart = path.resolve(import.meta.dirname, '..', 'fixtures', 'dapr-chart')
const success = (namespace: string) =>
  `Success! Dapr has been installed to namespace ${namespace}. To verify, run \`dapr status -k' in your terminal. To get started, go here: https://docs.dapr.io/getting-started`

async function namespaceExists(namespace: string): Promise<boolean> {
  const result = await execa(process.env.IT_KUBECTL ?? 'kubectl', ['get', 'namespace', namespace], {
    env: {KUBECONFIG: adminKubeconfig()},
    reject: false,
  })
  return result.exitCode === 0
}

interface StatusJson {
  healthy: boolean
  components: {name: string; healthy: boolean; replicas: number}[]
}

describe('dapr init -k', function () {
  this.timeout(240_000)
  let home: TestHome
  let work: OpenSslDir
  const namespaces = new Set<string>()

  /** `dapr init -k` as a user runs it, with the cluster's helm on PATH. */
  const init = (namespace: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> => {
    namespaces.add(namespace)
    return dapr(['init', '-k', '-n', namespace, '--chart', chart, ...args, '--kubeconfig', adminKubeconfig()], {
      env: {HOME: home.dir, PATH: `${clusterBin()}${path.delimiter}${process.env.PATH ?? ''}`, ...env},
    })
  }

  beforeEach(() => {
    home = new TestHome()
    work = new OpenSslDir()
  })
  afterEach(async () => {
    for (const namespace of namespaces) {
      await helm('uninstall', 'dapr', '--namespace', namespace, '--ignore-not-found', '--wait')
      await kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=120s')
    }
    namespaces.clear()
    home.cleanup()
    work.cleanup()
  })

  it('installs a healthy control plane with mTLS on, in the official words, and refuses to install it twice', async () => {
    const started = Date.now()
    const result = await init('dapr-init-a', ['--wait'])
    const seconds = (Date.now() - started) / 1000
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(result.stdout, success('dapr-init-a'))
    assert.match(result.stderr, /^Making the jump to hyperspace\.\.\.$/m)
    assert.match(result.stderr, /^Deploying the Dapr control plane with latest version to your cluster\.\.\.$/m)
    process.stderr.write(`      (init -k --wait took ${seconds.toFixed(1)} s)\n`)

    const status = await daprK(home, ['status', '-k', '-n', 'dapr-init-a', '-o', 'json'])
    assert.equal(status.exitCode, 0, status.stderr)
    const parsed = JSON.parse(status.stdout) as StatusJson
    assert.equal(parsed.healthy, true)
    assert.deepEqual(parsed.components.map((c) => c.name).sort(), [
      'dapr-operator',
      'dapr-placement-server',
      'dapr-scheduler-server',
      'dapr-sentry',
      'dapr-sidecar-injector',
    ])
    const mtls = await daprK(home, ['mtls', '-k', '-n', 'dapr-init-a'])
    assert.equal(mtls.stdout.split('\n')[0], 'Mutual TLS is enabled in your Kubernetes cluster ', mtls.stderr)
    // No certificates were given: the chart leaves the trust bundle to Sentry.
    assert.equal(await kubectl('get', 'secrets', '-n', 'dapr-init-a', '-l', 'app=dapr-sentry', '-o', 'name'), '')

    const again = await init('dapr-init-a', [])
    assert.equal(again.exitCode, 1)
    assertCleanFailure(again)
    assert.match(again.stderr, /^Dapr is already installed in namespace dapr-init-a \(Helm release dapr, deployed/)
    assert.match(again.stderr, /helm uninstall dapr -n dapr-init-a/)
  })

  it('with --enable-mtls=false --enable-ha installs three replicas of each service with mTLS off', async () => {
    const result = await init('dapr-init-b', ['--enable-mtls=false', '--enable-ha', '--wait'])
    assert.equal(result.exitCode, 0, result.stderr)
    const mtls = await daprK(home, ['mtls', '-k', '-n', 'dapr-init-b'])
    assert.equal(mtls.stdout.split('\n')[0], 'Mutual TLS is disabled in your Kubernetes cluster ', mtls.stderr)
    const status = JSON.parse(
      (await daprK(home, ['status', '-k', '-n', 'dapr-init-b', '-o', 'json'])).stdout,
    ) as StatusJson
    assert.equal(status.healthy, true)
    assert.deepEqual(new Set(status.components.map((c) => c.replicas)), new Set([3]))
  })

  it('with --generate-certs installs our root, whose key --root-key-out keeps for a renewal that keeps the root', async () => {
    const keyFile = work.path('k.pem')
    const result = await init('dapr-init-c', ['--wait', '--generate-certs', '--root-key-out', keyFile])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(statSync(keyFile).mode & 0o777, 0o600)
    assert.doesNotMatch(result.stderr, /Please see docs.dapr.io/, 'no banner for a 365-day root')

    const installed = await readClusterBundle('dapr-init-c')
    assert.equal(installed.configMapCaCrt, installed.caCrt, 'ConfigMap ca.crt must equal the Secret byte for byte')
    work.write('ca.crt', installed.caCrt)
    work.write('issuer.crt', installed.issuerCrt)
    assert.equal(work.publicKeyOf('ca.crt'), work.publicKeyOf('k.pem'), 'the root is signed by the key in k.pem')
    assert.match(work.openssl('verify', '-CAfile', 'ca.crt', 'issuer.crt'), /issuer.crt: OK/)
    assert.match(
      work.openssl('x509', '-in', 'issuer.crt', '-noout', '-subject'),
      /spiffe:\/\/cluster.local\/ns\/dapr-init-c\/dapr-sentry/,
    )

    const expiry = await daprK(home, ['mtls', 'expiry', '-k', '-n', 'dapr-init-c', '-o', 'json'])
    assert.equal(expiry.exitCode, 0, expiry.stderr)
    const [root] = (JSON.parse(expiry.stdout) as {certificates: {role: string; sha256Fingerprint: string}[]})
      .certificates
    const opensslFingerprint = work.openssl('x509', '-in', 'ca.crt', '-noout', '-fingerprint', '-sha256')
    assert.equal(root?.role, 'root')
    assert.equal(`sha256 Fingerprint=${root.sha256Fingerprint}`, opensslFingerprint.trim())

    const renewed = await daprK(home, [
      'mtls',
      'renew-certificate',
      '-k',
      '-n',
      'dapr-init-c',
      '--private-key',
      keyFile,
    ])
    assert.equal(renewed.exitCode, 0, renewed.stderr)
    const after = await readClusterBundle('dapr-init-c')
    assert.notEqual(after.caCrt, installed.caCrt)
    work.write('new-ca.crt', after.caCrt)
    assert.equal(work.publicKeyOf('new-ca.crt'), work.publicKeyOf('k.pem'), 'the renewed root keeps the public key')
  })

  it('with --generate-certs --valid-until 20 shows the expiry banner after installing, exit 0', async () => {
    const result = await init('dapr-init-f', ['--generate-certs', '--valid-until', '20'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stderr, /Dapr root certificate of your Kubernetes cluster expires in 19 days\./)
    assert.match(result.stderr, /Please see docs\.dapr\.io for certificate renewal instructions/)
  })

  describe('certificates you bring', () => {
    it('installs them as given: the Secret and the ConfigMap hold the files byte for byte', async () => {
      work.bundle('a-')
      const result = await init('dapr-init-d', work.byoFlags('a-ca.crt', 'a-issuer.crt', 'a-issuer.key'))
      assert.equal(result.exitCode, 0, result.stderr)
      const installed = await readClusterBundle('dapr-init-d')
      assert.equal(installed.caCrt, work.read('a-ca.crt'))
      assert.equal(installed.configMapCaCrt, work.read('a-ca.crt'))
      assert.equal(installed.issuerCrt, work.read('a-issuer.crt'))
      work.write('installed-issuer.key', installed.issuerKey)
      assert.equal(work.publicKeyOf('installed-issuer.key'), work.publicKeyOf('a-issuer.key'))
    })

    it('refuses a key that does not match the issuer before Helm runs: exit 1, no release, no namespace', async () => {
      work.bundle('a-')
      work.bundle('b-')
      const result = await init('dapr-init-e', work.byoFlags('a-ca.crt', 'a-issuer.crt', 'b-issuer.key'))
      assert.equal(result.exitCode, 1, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, /b-issuer\.key.*does not belong to/)
      assert.equal(await helm('list', '--namespace', 'dapr-init-e', '--all', '--short'), '')
      assert.equal(await namespaceExists('dapr-init-e'), false)
    })
  })

  it('without helm on PATH says how to get it: exit 1, one clean error, nothing created', async () => {
    // Only node on PATH, so the dapr executable starts but finds no helm.
    const bin = work.path('bin-without-helm')
    mkdirSync(bin)
    symlinkSync(process.execPath, path.join(bin, 'node'))
    const result = await init('dapr-init-f', [], {PATH: bin})
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /^helm was not found on PATH/)
    assert.match(result.stderr, /helm\.sh/)
    assert.equal(await namespaceExists('dapr-init-f'), false)
  })

  it('--dry-run prints the helm command and the values with fingerprints for certificates, and changes nothing', async () => {
    const result = await init('dapr-init-g', ['--dry-run', '--generate-certs', '--set', 'global.logAsJson=true'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /helm install dapr \S+dapr-chart --namespace dapr-init-g --create-namespace/)
    assert.match(result.stdout, /global\.logAsJson\s+true\s+--set/)
    assert.match(result.stdout, /dapr_sentry\.tls\.root\.certPEM\s+SHA-256 [0-9A-F:]+/)
    assert.doesNotMatch(result.stdout, /BEGIN/)
    assert.equal(await namespaceExists('dapr-init-g'), false)
  })
})
