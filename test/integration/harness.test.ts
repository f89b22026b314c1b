// Proves the integration harness is a real cluster: rollouts finish, RBAC is enforced, writes conflict, the fixture works.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {promisify} from 'node:util'

import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node'

import {DAPR_DEPLOYMENTS, DAPR_STATEFULSETS, installDaprFixture, uninstallDaprFixture} from '../cluster/fixture.js'
import {untilAllowed} from './context.js'

const run = promisify(execFile)

function fromEnv(name: string): string {
  const value = process.env[name]
  assert.ok(value, `${name} is set by the root hooks in test/cluster/hooks.ts`)
  return value
}

function kubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromFile(file)
  return kc
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await check()
    if (result !== undefined) return result
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

async function apiError(promise: Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiException) return error
    throw error
  }
  return assert.fail('expected the API server to refuse the request')
}

/** kubectl's rollout-status rule for a Deployment. */
function rolledOut(d: V1Deployment): boolean {
  const s = d.status
  const want = d.spec?.replicas ?? 1
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s?.updatedReplicas ?? 0) === want &&
    (s?.replicas ?? 0) === want &&
    (s?.availableReplicas ?? 0) === want
  )
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

describe('integration harness: a real kube-apiserver with a kwok node', () => {
  const namespace = `it-harness-${randomBytes(3).toString('hex')}`
  let admin: KubeConfig
  let core: CoreV1Api
  let apps: AppsV1Api
  let objects: KubernetesObjectApi

  function deployment(name: string, replicas: number) {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {name, namespace},
      spec: {
        replicas,
        selector: {matchLabels: {app: name}},
        template: {metadata: {labels: {app: name}}, spec: {containers: [{name, image: 'example.com/web:1.0.0'}]}},
      },
    }
  }

  async function waitRolledOut(name: string): Promise<V1Deployment> {
    return eventually(`deployment ${name} to roll out`, async () => {
      const d = await apps.readNamespacedDeployment({name, namespace})
      return rolledOut(d) ? d : undefined
    })
  }

  before(async () => {
    admin = kubeConfig(fromEnv('IT_KUBECONFIG'))
    core = admin.makeApiClient(CoreV1Api)
    apps = admin.makeApiClient(AppsV1Api)
    objects = KubernetesObjectApi.makeApiClient(admin)
    await objects.create({apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace}})
    // Pods are refused until the service-account controller has created `default`.
    await eventually('serviceaccount/default', () =>
      core.readNamespacedServiceAccount({name: 'default', namespace}).catch(() => undefined),
    )
  })

  after(async () => {
    await core.deleteNamespace({name: namespace}).catch(() => undefined)
  })

  it('rollout restart through the API: replacement pods become Ready and the old pods are gone', async () => {
    await objects.create(deployment('web', 2))
    const before = await waitRolledOut('web')
    const oldPods = (await core.listNamespacedPod({namespace, labelSelector: 'app=web'})).items
    assert.equal(oldPods.length, 2)
    assert.ok(oldPods.every(isReady), 'the first pods are Ready')

    // What `kubectl rollout restart` sends.
    const restartedAt = new Date().toISOString()
    await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: {spec: {template: {metadata: {annotations: {'kubectl.kubernetes.io/restartedAt': restartedAt}}}}},
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )

    const oldNames = new Set(oldPods.map((pod) => pod.metadata?.name))
    const newPods = await eventually('only replacement pods, all Ready', async () => {
      const d = await apps.readNamespacedDeployment({name: 'web', namespace})
      const pods = (await core.listNamespacedPod({namespace, labelSelector: 'app=web'})).items
      const done = rolledOut(d) && pods.length === 2 && pods.every((p) => !oldNames.has(p.metadata?.name) && isReady(p))
      return done ? pods : undefined
    })
    const after = await apps.readNamespacedDeployment({name: 'web', namespace})
    assert.equal(
      after.metadata?.generation,
      (before.metadata?.generation ?? 0) + 1,
      'the restart bumped the generation',
    )
    for (const pod of newPods) {
      assert.equal(pod.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], restartedAt)
    }
    for (const name of oldNames) {
      const error = await apiError(core.readNamespacedPod({name: name!, namespace}))
      assert.equal(error.code, 404, `old pod ${name} is deleted, not left Terminating`)
    }
  })

  it('a restricted user with a read-only Role: reading a Deployment is 200, patching it is 403', async () => {
    await objects.create(deployment('guarded', 1))
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: {name: 'dapr-reader', namespace},
      rules: [
        {apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'watch']},
        {apiGroups: [''], resources: ['pods', 'secrets', 'configmaps'], verbs: ['get', 'list', 'watch']},
        {apiGroups: ['dapr.io'], resources: ['configurations'], verbs: ['get', 'list', 'watch']},
      ],
    }
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {name: 'restricted-dapr-reader', namespace},
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dapr-reader'},
      subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'restricted'}],
    }
    await objects.create(role)
    await objects.create(binding)

    const restricted = kubeConfig(fromEnv('IT_RESTRICTED_KUBECONFIG')).makeApiClient(AppsV1Api)
    const read = await untilAllowed(() => restricted.readNamespacedDeploymentWithHttpInfo({name: 'guarded', namespace}))
    assert.equal(read.httpStatusCode, 200)
    assert.equal(read.data.metadata?.name, 'guarded')

    const patch = restricted.patchNamespacedDeployment(
      {name: 'guarded', namespace, body: {spec: {template: {metadata: {annotations: {touched: 'yes'}}}}}},
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    const refused = await apiError(patch)
    assert.equal(refused.code, 403)
    const status = JSON.parse(String(refused.body)) as {reason?: string; message?: string}
    assert.equal(status.reason, 'Forbidden')
    assert.match(status.message ?? '', /User "restricted" cannot patch resource "deployments"/)
    const unchanged = await apps.readNamespacedDeployment({name: 'guarded', namespace})
    assert.equal(
      unchanged.spec?.template.metadata?.annotations?.touched,
      undefined,
      'the refused patch changed nothing',
    )

    const elsewhere = await apiError(restricted.readNamespacedDeployment({name: 'guarded', namespace: 'default'}))
    assert.equal(elsewhere.code, 403, 'the Role grants nothing outside its namespace')
  })

  it('two writers replace the same ConfigMap from the same resourceVersion: the second gets 409', async () => {
    await objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {name: 'contended', namespace},
      data: {v: '0'},
    })
    const writerA = kubeConfig(fromEnv('IT_KUBECONFIG')).makeApiClient(CoreV1Api)
    const writerB = kubeConfig(fromEnv('IT_KUBECONFIG')).makeApiClient(CoreV1Api)
    const seenByA = await writerA.readNamespacedConfigMap({name: 'contended', namespace})
    const seenByB = await writerB.readNamespacedConfigMap({name: 'contended', namespace})
    assert.equal(seenByA.metadata?.resourceVersion, seenByB.metadata?.resourceVersion)

    seenByA.data = {v: 'A'}
    await writerA.replaceNamespacedConfigMap({name: 'contended', namespace, body: seenByA})
    seenByB.data = {v: 'B'}
    const conflict = await apiError(writerB.replaceNamespacedConfigMap({name: 'contended', namespace, body: seenByB}))
    assert.equal(conflict.code, 409)
    assert.deepEqual((await core.readNamespacedConfigMap({name: 'contended', namespace})).data, {v: 'A'})
  })

  describe('the Dapr fixture', () => {
    after(async () => {
      await uninstallDaprFixture(fromEnv('IT_KUBECONFIG'))
    })

    it('installs a control plane that `kubectl get deploy,sts -n dapr-system` shows fully available', async () => {
      const kubeconfig = fromEnv('IT_KUBECONFIG')
      const fixture = await installDaprFixture(kubeconfig, {validDays: 20})

      const {stdout} = await run(fromEnv('IT_KUBECTL'), ['get', 'deploy,sts', '-n', 'dapr-system', '--no-headers'], {
        env: {...process.env, KUBECONFIG: kubeconfig},
      })
      const rows = new Map(
        stdout
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+/))
          .map(([name, ...columns]) => [name, columns]),
      )
      for (const name of DAPR_DEPLOYMENTS) {
        // READY UP-TO-DATE AVAILABLE AGE
        const [ready, , available] = rows.get(`deployment.apps/${name}`) ?? []
        assert.equal(ready, '1/1', `${name} READY in:\n${stdout}`)
        assert.equal(available, '1', `${name} AVAILABLE in:\n${stdout}`)
      }
      for (const name of DAPR_STATEFULSETS) {
        assert.equal(rows.get(`statefulset.apps/${name}`)?.[0], '1/1', `${name} READY in:\n${stdout}`)
      }
      assert.equal(rows.size, 5, `exactly the five control-plane workloads:\n${stdout}`)

      const secret = await core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system'})
      const configMap = await core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace: 'dapr-system'})
      const secretCa = Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString()
      assert.equal(secretCa, fixture.bundle.caCrt)
      assert.equal(configMap.data?.['ca.crt'], secretCa, 'Secret and ConfigMap ca.crt are byte-identical')

      const certDir = fixture.certDir
      await run('openssl', ['verify', '-CAfile', path.join(certDir, 'ca.crt'), path.join(certDir, 'issuer.crt')])
      assert.ok(fixture.rootKeyPath)
      const rootPublicKey = (await run('openssl', ['pkey', '-in', fixture.rootKeyPath, '-pubout'])).stdout
      const caPublicKey = (await run('openssl', ['x509', '-in', path.join(certDir, 'ca.crt'), '-noout', '-pubkey']))
        .stdout
      assert.equal(rootPublicKey, caPublicKey, 'the root key on disk belongs to the installed root')
      assert.match(await readFile(path.join(certDir, 'issuer.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/)
      const {stdout: enddate} = await run('openssl', [
        'x509',
        '-in',
        path.join(certDir, 'issuer.crt'),
        '-noout',
        '-enddate',
      ])
      const daysLeft = (Date.parse(enddate.replace('notAfter=', '')) - Date.now()) / 86_400_000
      assert.ok(daysLeft > 19.9 && daysLeft <= 20, `issuer valid for 20 days, got ${daysLeft}`)
    })
  })
})
