// Sentry's settings set with the CLI, judged by real Sentry: self-hosted, the certificate Sentry signs has the TTL
// `mtls set` wrote, and the JWKS validator `token-validator add` wrote takes exactly the right tokens; with -k, the
// daprsystem Configuration of the test cluster is patched (read back, concurrent edits and missing rights reported,
// Sentry alone restarted, apps restarted for an mTLS switch), a Kubernetes-mode Sentry started afterwards signs with
// the new settings, and what Helm does to the change is what the CLI says it does.
import assert from 'node:assert/strict'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {type ApiProxy, startApiProxy} from '../cluster/api-proxy.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {SENTRY_VERSIONS} from '../dapr/binaries.js'
import {startSentry} from '../dapr/sentry.js'
import type {SignResult} from '../dapr/sign-client.js'
import {dapr} from '../helpers/cli.js'
import {generateSigningKey, publicJwk, signJwt} from '../helpers/jwt.js'
import {perTest} from '../helpers/per-test.js'
import {
  adminKubeconfig,
  clients,
  daprK,
  freshHomeEachTest,
  grantReadOnly,
  helm,
  kubectl,
  readClusterBundle,
  restrictedKubeconfig,
} from './context.js'

const restartedAt = 'kubectl.kubernetes.io/restartedAt'
const chart = path.resolve(import.meta.dirname, '..', 'fixtures', 'dapr-chart')

/** Seconds from `from` to the certificate's NotAfter. */
const secondsValid = (signed: SignResult, from: number) => (Date.parse(signed.notAfter ?? '') - from) / 1000

/** Asserts the certificate's NotAfter lies within a few seconds of issue + ttl, the issue falling in [before, after]. */
function assertValidFor(signed: SignResult, ttlSeconds: number, before: number, after: number): void {
  assert.equal(signed.verified, true, signed.error)
  // NotAfter has whole seconds: allow that, and a second of clock granularity either side.
  assert.ok(
    secondsValid(signed, before) >= ttlSeconds - 2 && secondsValid(signed, after) <= ttlSeconds + 2,
    `NotAfter ${signed.notAfter} is not issue + ${ttlSeconds}s (signed between ${new Date(before).toISOString()} and ${new Date(after).toISOString()})`,
  )
}

async function timedSign(
  sign: () => Promise<SignResult>,
): Promise<{signed: SignResult; before: number; after: number}> {
  const before = Date.now()
  const signed = await sign()
  return {signed, before, after: Date.now()}
}

interface Configuration {
  metadata: {resourceVersion: string; labels?: Record<string, string>}
  spec: {mtls: Record<string, unknown>}
}

async function daprSystem(namespace = 'dapr-system'): Promise<Configuration> {
  return JSON.parse(await kubectl('get', 'configuration', 'daprsystem', '-n', namespace, '-o', 'json')) as Configuration
}

/** What someone else does with kubectl: a merge patch of spec.mtls of daprsystem. */
function patchMtls(mtls: Record<string, unknown>, namespace = 'dapr-system'): Promise<string> {
  return kubectl(
    'patch',
    'configuration',
    'daprsystem',
    '-n',
    namespace,
    '--type',
    'merge',
    '-p',
    JSON.stringify({spec: {mtls}}),
  )
}

/**
 * The API server takes a changed CRD schema a moment after the change: waits until a probe field written under
 * spec.mtls of daprsystem is dropped (`prunes`) or kept, and removes it.
 */
async function untilMtlsPrunes(prunes: boolean, namespace = 'dapr-system'): Promise<void> {
  const probe = (value: string | null) => patchMtls({probe: value}, namespace)
  for (const deadline = Date.now() + 30_000; ;) {
    await probe('x')
    const kept = (await daprSystem(namespace)).spec.mtls.probe !== undefined
    await probe(null)
    if (kept !== prunes) return
    if (Date.now() > deadline) throw new Error(`spec.mtls still ${prunes ? 'keeps' : 'prunes'} unknown fields`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function templateAnnotation(kind: 'deployment' | 'statefulset', name: string, namespace: string) {
  const {apps} = clients()
  const workload =
    kind === 'deployment'
      ? await apps.readNamespacedDeployment({name, namespace})
      : await apps.readNamespacedStatefulSet({name, namespace})
  return workload.spec?.template.metadata?.annotations?.[restartedAt]
}

describe("Sentry's settings from the CLI", function () {
  this.timeout(180_000)
  const {work, track} = perTest('dapr-sentry-settings-')

  /** A JWKS file of one fresh key, and the key that signs tokens for it. */
  async function jwksKey(kid: string) {
    const key = generateSigningKey('rsa')
    const file = path.join(work(), `jwks-${kid}.json`)
    await writeFile(file, JSON.stringify({keys: [publicJwk(key.publicKey, kid)]}))
    return {...key, kid, file}
  }

  async function tokenFile(name: string, token: string): Promise<string> {
    const file = path.join(work(), `${name}.jwt`)
    await writeFile(file, token)
    return file
  }

  /** A certs directory and Configuration file made by `dapr init --enable-mtls`. */
  async function initSelfHosted(): Promise<{certs: string; config: string}> {
    const certs = path.join(work(), 'certs')
    const config = path.join(work(), 'config.yaml')
    const result = await dapr(['init', '--enable-mtls', '--certs-dir', certs, '--config-file', config], {
      env: {HOME: work()},
    })
    assert.equal(result.exitCode, 0, result.stderr)
    return {certs, config}
  }

  describe('self-hosted, with real Sentry', () => {
    for (const version of SENTRY_VERSIONS) {
      it(`Sentry ${version} signs for 24h from the file dapr init wrote, and for 2m after \`mtls set --workload-cert-ttl 2m\``, async () => {
        const {certs, config} = await initSelfHosted()
        const caFile = path.join(certs, 'ca.crt')
        const before = track(await startSentry({version, credentialsDir: certs, configFile: config}))
        await before.ready()
        const daily = await timedSign(() => before.sign({caFile, id: 'checkout'}))
        assertValidFor(daily.signed, 24 * 3600, daily.before, daily.after)
        await before.stop()

        const set = await dapr(['mtls', 'set', '--workload-cert-ttl', '2m', '--config-file', config])
        assert.equal(set.exitCode, 0, set.stderr)
        assert.match(set.stderr, /restart Sentry for the change to apply/)
        const sentry = track(await startSentry({version, credentialsDir: certs, configFile: config}))
        await sentry.ready()
        const short = await timedSign(() => sentry.sign({caFile, id: 'checkout'}))
        assertValidFor(short.signed, 120, short.before, short.after)
        // NotBefore keeps the file's 15m skew.
        assert.ok(Math.abs(Date.parse(short.signed.notBefore ?? '') - (short.before - 15 * 60_000)) < 3000)
      })

      it(`Sentry ${version} with the JWKS validator \`token-validator add\` wrote takes a JWT with the right kid, sub and aud, and refuses another key, an expired token, a wrong audience and no token`, async () => {
        const {certs, config} = await initSelfHosted()
        const caFile = path.join(certs, 'ca.crt')
        const open = track(await startSentry({version, credentialsDir: certs, configFile: config}))
        await open.ready()
        // Before the validator: the insecure validator signs for anyone, token or not.
        assert.equal((await open.sign({caFile, id: 'orders', validator: 'insecure'})).verified, true)
        await open.stop()

        const trusted = await jwksKey('k1')
        const added = await dapr([
          'mtls',
          'token-validator',
          'add',
          'jwks',
          '--source',
          trusted.file,
          '--config-file',
          config,
        ])
        assert.equal(added.exitCode, 0, added.stderr)
        assert.match(added.stderr, /turns off its insecure validator/)
        const sentry = track(await startSentry({version, credentialsDir: certs, configFile: config}))
        await sentry.ready()
        const now = Math.floor(Date.now() / 1000)
        const claims = {sub: 'spiffe://public/ns/default/orders', aud: sentry.sentryId, exp: now + 600}
        const signWith = async (name: string, token: string) =>
          sentry.sign({caFile, id: 'orders', tokenFile: await tokenFile(name, token)})

        const good = await signWith('good', signJwt(trusted.privateKey, trusted.kid, claims))
        assert.equal(good.verified, true, good.error)
        assert.equal(good.spiffeId, 'spiffe://public/ns/default/orders')

        // Sentry allows 5 minutes of clock skew: a token expired 2 minutes ago still passes, one 6 minutes ago does not.
        const lenient = await signWith('lenient', signJwt(trusted.privateKey, trusted.kid, {...claims, exp: now - 120}))
        assert.equal(lenient.verified, true, lenient.error)
        const expired = await signWith('expired', signJwt(trusted.privateKey, trusted.kid, {...claims, exp: now - 360}))
        assert.equal(expired.signed, false)
        assert.match(expired.error ?? '', /^PermissionDenied: token validation failed: .*exp/)

        const other = generateSigningKey('rsa')
        const forged = await signWith('forged', signJwt(other.privateKey, trusted.kid, claims))
        assert.equal(forged.signed, false)
        assert.match(forged.error ?? '', /^PermissionDenied: token validation failed/)
        assert.doesNotMatch(forged.error ?? '', /exp|aud/)

        const audience = await signWith(
          'audience',
          signJwt(trusted.privateKey, trusted.kid, {...claims, aud: 'spiffe://cluster.local/ns/default/other'}),
        )
        assert.equal(audience.signed, false)
        assert.match(audience.error ?? '', /^PermissionDenied: token validation failed: .*aud/)

        const noToken = await sentry.sign({caFile, id: 'orders', validator: 'jwks'})
        assert.match(noToken.error ?? '', /^PermissionDenied: the request does not contain a token/)
        const insecure = await sentry.sign({caFile, id: 'orders', validator: 'insecure'})
        assert.match(insecure.error ?? '', /^InvalidArgument: the requested validator is not enabled/)
      })
    }
  })

  describe('self-hosted, a URL Sentry cannot fetch', () => {
    it('makes Sentry exit at start, as token-validator add says before writing; removing it lets Sentry start again', async () => {
      const {certs, config} = await initSelfHosted()
      // Nothing listens on port 1.
      const url = 'https://127.0.0.1:1/jwks.json'
      const added = await dapr(['mtls', 'token-validator', 'add', 'jwks', '--source', url, '--config-file', config])
      assert.equal(added.exitCode, 0, added.stderr)
      assert.match(
        added.stderr,
        /Sentry fetches https:\/\/127\.0\.0\.1:1\/jwks\.json when it starts and exits if it cannot/,
      )
      const failing = track(await startSentry({version: '1.18.0', credentialsDir: certs, configFile: config}))
      await assert.rejects(failing.ready(), /failed to fetch JWKS/)
      assert.match(failing.fatal() ?? '', /connection refused/)

      assert.equal((await dapr(['mtls', 'token-validator', 'remove', 'jwks', '--config-file', config])).exitCode, 0)
      const sentry = track(await startSentry({version: '1.18.0', credentialsDir: certs, configFile: config}))
      await sentry.ready()
    })
  })

  describe('-k on the test cluster', () => {
    const home = freshHomeEachTest()
    const namespace = 'dapr-system'

    beforeEach(async () => {
      await installDaprFixture(adminKubeconfig())
    })

    it('set -k writes TTL and skew that mtls -k reads back, other fields untouched; --restart restarts dapr-sentry and nothing else', async () => {
      const before = await daprSystem()
      const result = await daprK(home(), [
        'mtls',
        'set',
        '-k',
        '--workload-cert-ttl',
        '2h',
        '--allowed-clock-skew',
        '1m',
        '--restart',
      ])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(
        result.stdout,
        'Updated spec.mtls of daprsystem in namespace dapr-system:\n  workloadCertTTL: 24h → 2h\n  allowedClockSkew: 15m → 1m',
      )
      assert.match(result.stderr, /Only Sentry reads workloadCertTTL and allowedClockSkew, and only when it starts/)
      assert.match(result.stderr, /--set global\.mtls\.workloadCertTTL=2h,global\.mtls\.allowedClockSkew=1m/)
      assert.match(result.stderr, /dapr-sentry has restarted with the new settings/)

      const after = await daprSystem()
      assert.deepEqual(after.spec.mtls, {...before.spec.mtls, workloadCertTTL: '2h', allowedClockSkew: '1m'})
      assert.deepEqual(after.metadata.labels, before.metadata.labels)
      const shown = JSON.parse((await daprK(home(), ['mtls', '-k', '-o', 'json'])).stdout) as Record<string, unknown>
      assert.deepEqual(
        [shown.workloadCertTTL, shown.allowedClockSkew, shown.tokenValidators, shown.mtlsEnabled],
        ['2h', '1m', [], true],
      )

      assert.ok(await templateAnnotation('deployment', 'dapr-sentry', namespace), 'dapr-sentry was not restarted')
      for (const [kind, name, inNamespace] of [
        ['deployment', 'dapr-operator', namespace],
        ['deployment', 'dapr-sidecar-injector', namespace],
        ['statefulset', 'dapr-placement-server', namespace],
        ['statefulset', 'dapr-scheduler-server', namespace],
        ['deployment', 'checkout', 'apps'],
        ['deployment', 'orders', 'apps'],
      ] as const) {
        assert.equal(await templateAnnotation(kind, name, inNamespace), undefined, `${name} was restarted`)
      }
    })

    it('--dry-run shows the change and writes nothing; without --restart nothing restarts, and the command says how to restart Sentry', async () => {
      const before = await daprSystem()
      const dryRun = await daprK(home(), ['mtls', 'set', '-k', '--workload-cert-ttl', '12h', '--dry-run'])
      assert.equal(dryRun.exitCode, 0, dryRun.stderr)
      assert.match(
        dryRun.stdout,
        /^spec\.mtls of daprsystem in namespace dapr-system:\n {2}workloadCertTTL: 24h → 12h\nNote: /,
      )
      assert.equal((await daprSystem()).metadata.resourceVersion, before.metadata.resourceVersion)
      const result = await daprK(home(), ['mtls', 'set', '-k', '--workload-cert-ttl', '12h'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stderr, /kubectl rollout restart deployment\/dapr-sentry -n dapr-system \(or add --restart\)/)
      assert.equal(await templateAnnotation('deployment', 'dapr-sentry', namespace), undefined)
      assert.equal((await daprSystem()).spec.mtls.workloadCertTTL, '12h')
    })

    describe('through a proxy that holds the patch back', () => {
      let proxy: ApiProxy
      beforeEach(async () => {
        proxy = await startApiProxy(adminKubeconfig(), work())
        proxy.setRule((request) =>
          request.method === 'PATCH' && /\/configurations\/daprsystem$/.test(request.url.split('?')[0] ?? '')
            ? {kind: 'delay-request', ms: 2500}
            : undefined,
        )
      })
      afterEach(async () => {
        await proxy.close()
      })

      const setThroughProxy = () => daprK(home(), ['mtls', 'set', '-k', '--workload-cert-ttl', '2h'], proxy.kubeconfig)

      it('writes when nobody else changed daprsystem meanwhile', async () => {
        const result = await setThroughProxy()
        assert.equal(result.exitCode, 0, result.stderr)
        assert.equal((await daprSystem()).spec.mtls.workloadCertTTL, '2h')
      })

      it('reports an edit made between its read and its write (409) and overwrites nothing', async () => {
        const running = setThroughProxy()
        // Once the patch is held at the proxy, someone else edits the Configuration.
        while (!proxy.requests.some((request) => request.method === 'PATCH')) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        await patchMtls({allowedClockSkew: '20m'})
        const result = await running
        assert.equal(result.exitCode, 1, result.stderr)
        const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
        assert.equal(
          failure,
          'configurations.dapr.io daprsystem in namespace dapr-system was changed by someone else while this command ran; nothing was overwritten',
        )
        assert.match(hint ?? '', /Run the command again/)
        const mtls = (await daprSystem()).spec.mtls
        assert.deepEqual([mtls.workloadCertTTL, mtls.allowedClockSkew], ['24h', '20m'])
      })
    })

    it('a user who may read but not patch daprsystem gets the exact RBAC rule, and nothing changes', async () => {
      await grantReadOnly(namespace)
      try {
        const before = await daprSystem()
        const result = await daprK(
          home(),
          ['mtls', 'set', '-k', '-n', namespace, '--workload-cert-ttl', '2h'],
          restrictedKubeconfig(),
        )
        assert.equal(result.exitCode, 1, result.stderr)
        const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
        assert.equal(
          failure,
          'permission denied: cannot patch configurations.dapr.io daprsystem in namespace dapr-system',
        )
        assert.equal(
          hint?.trim(),
          'It needs a Role in namespace dapr-system with apiGroups: ["dapr.io"], resources: ["configurations"], resourceNames: ["daprsystem"], verbs: ["patch"].',
        )
        assert.equal((await daprSystem()).metadata.resourceVersion, before.metadata.resourceVersion)
      } finally {
        await kubectl('delete', 'role,rolebinding', 'dapr-reader', '-n', namespace, '--ignore-not-found')
      }
    })

    it('--enabled is refused alone; with --restart-apps every Dapr-enabled app restarts; with --force none does', async () => {
      const before = await daprSystem()
      const refused = await daprK(home(), ['mtls', 'set', '-k', '--enabled=false'])
      assert.equal(refused.exitCode, 2, refused.stderr)
      assert.match(
        refused.stderr,
        /^--enabled=false changes nothing until every Dapr-enabled app is restarted.*\n.*--restart-apps.*--force/,
      )
      assert.equal((await daprSystem()).metadata.resourceVersion, before.metadata.resourceVersion)

      const off = await daprK(home(), [
        'mtls',
        'set',
        '-k',
        '--enabled',
        'false',
        '--restart-apps',
        '--concurrency',
        '1',
      ])
      assert.equal(off.exitCode, 0, off.stderr)
      assert.match(off.stderr, /sidecars with and without mTLS cannot call each other/)
      assert.match(off.stderr, /2\/2 restarted: apps\/deployment\/orders/)
      assert.equal((await daprSystem()).spec.mtls.enabled, false)
      const checkout = await templateAnnotation('deployment', 'checkout', 'apps')
      assert.ok(checkout)
      assert.ok(await templateAnnotation('deployment', 'orders', 'apps'))
      assert.equal(await templateAnnotation('deployment', 'dapr-sentry', namespace), undefined)

      const on = await daprK(home(), ['mtls', 'set', '-k', '--enabled=true', '--force'])
      assert.equal(on.exitCode, 0, on.stderr)
      assert.match(on.stderr, /Restart every Dapr-enabled application \(dapr mtls restart-apps -k\)/)
      assert.equal((await daprSystem()).spec.mtls.enabled, true)
      assert.equal(await templateAnnotation('deployment', 'checkout', 'apps'), checkout)
    })

    it('token-validator add -k writes a static JWKS inline that list -k shows; remove -k takes it out', async () => {
      const {file} = await jwksKey('cluster-key')
      const added = await daprK(home(), ['mtls', 'token-validator', 'add', 'jwks', '-k', '--source', file])
      assert.equal(added.exitCode, 0, added.stderr)
      assert.match(added.stderr, /Injected sidecars always use the Kubernetes validator/)
      assert.match(added.stderr, /aud spiffe:\/\/cluster\.local\/ns\/dapr-system\/dapr-sentry/)
      assert.deepEqual((await daprSystem()).spec.mtls.tokenValidators, [
        {name: 'jwks', options: {source: await readFile(file, 'utf8')}},
      ])
      const listed = await daprK(home(), ['mtls', 'token-validator', 'list', '-k', '-o', 'json'])
      assert.deepEqual((JSON.parse(listed.stdout) as {tokenValidators: unknown}).tokenValidators, [
        {name: 'jwks', options: {source: await readFile(file, 'utf8')}},
      ])
      const removed = await daprK(home(), ['mtls', 'token-validator', 'remove', 'jwks', '-k'])
      assert.equal(removed.exitCode, 0, removed.stderr)
      assert.equal((await daprSystem()).spec.mtls.tokenValidators, undefined)
    })

    it('on a cluster whose Configuration CRD does not know tokenValidators, add -k says the API server dropped it', async () => {
      // An older Dapr's CRD: spec.mtls has a schema without tokenValidators and keeps no unknown fields.
      const mtlsSchema = '/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/mtls'
      const patch = [
        {op: 'remove', path: `${mtlsSchema}/properties/tokenValidators`},
        {op: 'remove', path: `${mtlsSchema}/x-kubernetes-preserve-unknown-fields`},
      ]
      await kubectl('patch', 'crd', 'configurations.dapr.io', '--type', 'json', '-p', JSON.stringify(patch))
      try {
        await untilMtlsPrunes(true)
        const {file} = await jwksKey('pruned')
        const added = await daprK(home(), ['mtls', 'token-validator', 'add', 'jwks', '-k', '--source', file])
        assert.equal(added.exitCode, 1, added.stderr)
        const [failure, hint] = added.stderr.trimEnd().split('\n').slice(-2)
        assert.equal(
          failure,
          'the API server did not keep spec.mtls.tokenValidators of daprsystem in namespace dapr-system: the Configuration CRD of this cluster does not know the field',
        )
        assert.match(hint ?? '', /Upgrade the Dapr CRDs/)
        assert.equal((await daprSystem()).spec.mtls.tokenValidators, undefined)
      } finally {
        await installDaprFixture(adminKubeconfig())
        await untilMtlsPrunes(false)
      }
    })

    it('a Kubernetes-mode Sentry started after set -k and token-validator add -k signs a pod for the new TTL and a JWT client through JWKS', async () => {
      const {core} = clients()
      const caFile = path.join(work(), 'ca.crt')
      await writeFile(caFile, (await readClusterBundle(namespace)).configMapCaCrt ?? '')
      const [pod] = (await core.listNamespacedPod({namespace: 'apps', labelSelector: 'app=checkout'})).items
      assert.ok(pod?.metadata?.name && pod.metadata.uid)
      const sentryId = 'spiffe://cluster.local/ns/dapr-system/dapr-sentry'
      // A token the kubelet would mount for the pod: bound to it, for Sentry's audiences.
      const podToken = await core.createNamespacedServiceAccountToken({
        name: 'checkout',
        namespace: 'apps',
        body: {
          spec: {
            audiences: ['dapr.io/sentry', sentryId],
            expirationSeconds: 600,
            boundObjectRef: {kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid},
          },
        },
      })
      const podTokenFile = await tokenFile('pod', podToken.status?.token ?? '')
      const signPod = (sentry: Awaited<ReturnType<typeof startSentry>>) =>
        timedSign(() =>
          sentry.sign({caFile, id: 'checkout', namespace: 'apps', tokenFile: podTokenFile, validator: 'kubernetes'}),
        )
      const external = await jwksKey('external')
      const now = Math.floor(Date.now() / 1000)
      const jwtFile = await tokenFile(
        'external',
        signJwt(external.privateKey, external.kid, {
          sub: 'spiffe://public/ns/apps/external',
          aud: sentryId,
          exp: now + 600,
        }),
      )
      const signExternal = (sentry: Awaited<ReturnType<typeof startSentry>>) =>
        sentry.sign({caFile, id: 'external', namespace: 'apps', tokenFile: jwtFile, validator: 'jwks'})
      const kubernetesSentry = async () => {
        const sentry = track(
          await startSentry({version: '1.16.2', mode: 'kubernetes', kubeconfig: adminKubeconfig(), namespace}),
        )
        await sentry.ready()
        return sentry
      }

      const before = await kubernetesSentry()
      const daily = await signPod(before)
      assertValidFor(daily.signed, 24 * 3600, daily.before, daily.after)
      assert.equal(daily.signed.spiffeId, 'spiffe://public/ns/apps/checkout')
      assert.match((await signExternal(before)).error ?? '', /the requested validator is not enabled/)
      await before.stop()

      const set = await daprK(home(), ['mtls', 'set', '-k', '--workload-cert-ttl', '2m', '--allowed-clock-skew', '1m'])
      assert.equal(set.exitCode, 0, set.stderr)
      const added = await daprK(home(), ['mtls', 'token-validator', 'add', 'jwks', '-k', '--source', external.file])
      assert.equal(added.exitCode, 0, added.stderr)

      const after = await kubernetesSentry()
      const short = await signPod(after)
      assertValidFor(short.signed, 120, short.before, short.after)
      assert.ok(Math.abs(Date.parse(short.signed.notBefore ?? '') - (short.before - 60_000)) < 3000)
      const client = await signExternal(after)
      assert.equal(client.verified, true, client.error)
      assert.equal(client.spiffeId, 'spiffe://public/ns/apps/external')
    })
  })

  describe('-k on a control plane installed with Helm', () => {
    const home = freshHomeEachTest()
    const namespace = 'dapr-settings-helm'
    const ttl = async () => (await daprSystem(namespace)).spec.mtls.workloadCertTTL

    before(async () => {
      await helm('install', 'dapr', chart, '--namespace', namespace, '--create-namespace')
    })
    after(async () => {
      await helm('uninstall', 'dapr', '--namespace', namespace, '--ignore-not-found', '--wait')
      await kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=120s')
    })

    it('names the release and the --set value that keeps the change: helm upgrade keeps it, --force reverts it, the --set keeps it', async () => {
      const set = await daprK(home(), ['mtls', 'set', '-k', '-n', namespace, '--workload-cert-ttl', '2h'])
      assert.equal(set.exitCode, 0, set.stderr)
      assert.match(
        set.stderr,
        /daprsystem belongs to Helm \(release dapr in namespace dapr-settings-helm\): .*any `helm upgrade --force`, puts the chart's value back\. Keep this one with --set global\.mtls\.workloadCertTTL=2h\./,
      )
      await helm('upgrade', 'dapr', chart, '--namespace', namespace, '--reuse-values')
      assert.equal(await ttl(), '2h')
      await helm('upgrade', 'dapr', chart, '--namespace', namespace, '--reuse-values', '--force')
      assert.equal(await ttl(), '24h')
      await daprK(home(), ['mtls', 'set', '-k', '-n', namespace, '--workload-cert-ttl', '2h'])
      await helm(
        'upgrade',
        'dapr',
        chart,
        '--namespace',
        namespace,
        '--force',
        '--set',
        'global.mtls.workloadCertTTL=2h',
      )
      assert.equal(await ttl(), '2h')
    })
  })
})
