// API and app tokens on the test cluster: Secrets in three namespaces, workloads pointed at them (the annotation for
// the injector and a secretKeyRef variable for the app), rotation that changes every Secret and rolls exactly the
// workloads that use it, status, delete, and a user who may not write one namespace.
import assert from 'node:assert/strict'

import type {V1Deployment} from '@kubernetes/client-node'

import {assertCleanFailure} from '../helpers/cli.js'
import {
  clients,
  daprK,
  deleteNamespaces,
  ensureNamespace,
  freshHomeEachTest,
  grantRestricted,
  restrictedKubeconfig,
  untilAllowed,
} from './context.js'

const namespaces = ['tok-a', 'tok-b', 'tok-c'] as const
const restartedAt = 'kubectl.kubernetes.io/restartedAt'

interface AppSpec {
  namespace: string
  name: string
  dapr: boolean
  /** The container reads the whole Secret, as the Dapr docs show (envFrom secretRef). */
  envFromSecret?: string
}

function deployment(app: AppSpec): V1Deployment {
  const annotations: Record<string, string> = app.dapr ? {'dapr.io/enabled': 'true', 'dapr.io/app-id': app.name} : {}
  return {
    metadata: {name: app.name, namespace: app.namespace},
    spec: {
      replicas: 2,
      selector: {matchLabels: {app: app.name}},
      template: {
        metadata: {labels: {app: app.name}, annotations},
        spec: {
          containers: [
            {
              name: app.name,
              image: `example.com/${app.name}:1`,
              env: [{name: 'LOG_LEVEL', value: 'info'}],
              ...(app.envFromSecret ? {envFrom: [{secretRef: {name: app.envFromSecret}}]} : {}),
            },
            {name: 'proxy', image: 'example.com/proxy:1'},
          ],
        },
      },
    },
  }
}

const apps: AppSpec[] = [
  {namespace: 'tok-a', name: 'web', dapr: true},
  {namespace: 'tok-a', name: 'worker', dapr: true, envFromSecret: 'dapr-api-token'},
  {namespace: 'tok-a', name: 'reports', dapr: true},
  {namespace: 'tok-a', name: 'static', dapr: false},
  {namespace: 'tok-b', name: 'api', dapr: true},
]

async function resetNamespaces(): Promise<void> {
  const {core, apps: appsApi} = clients()
  for (const namespace of namespaces) {
    await ensureNamespace(namespace)
    await core.deleteCollectionNamespacedSecret({namespace, fieldSelector: 'type=Opaque'})
    await appsApi.deleteCollectionNamespacedDeployment({namespace})
    await core.deleteCollectionNamespacedPod({namespace, gracePeriodSeconds: 0})
  }
  for (const app of apps) {
    // A Deployment being deleted may still hold the name for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        await appsApi.createNamespacedDeployment({namespace: app.namespace, body: deployment(app)})
        break
      } catch (error) {
        if (attempt > 40) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }
}

async function template(namespace: string, name: string) {
  const object = await clients().apps.readNamespacedDeployment({name, namespace})
  return object.spec!.template
}

async function secretToken(namespace: string, name = 'dapr-api-token') {
  const secret = await clients()
    .core.readNamespacedSecret({name, namespace})
    .catch(() => undefined)
  if (secret === undefined) return undefined
  return {
    token: Buffer.from(secret.data?.token ?? '', 'base64').toString(),
    generation: secret.metadata?.annotations?.['dapr-mtls/token-generation'],
    version: secret.metadata?.resourceVersion,
  }
}

const scope = namespaces.flatMap((n) => ['--app-namespace', n])

describe('api-token and app-token on a cluster', function () {
  this.timeout(180_000)
  const home = freshHomeEachTest()

  beforeEach(async () => {
    await resetNamespaces()
  })

  after(async () => {
    await deleteNamespaces(namespaces)
  })

  it('creates the Secret in three namespaces, a different 32-byte token in each, printed nowhere; a second run changes nothing', async () => {
    const result = await daprK(home(), ['api-token', 'create', '-k', ...scope])
    assert.equal(result.exitCode, 0, result.stderr)
    const secrets = await Promise.all(namespaces.map((n) => secretToken(n)))
    for (const secret of secrets) {
      assert.equal(Buffer.from(secret?.token ?? '', 'base64').length, 32)
      assert.equal(secret?.generation, '1')
      assert.ok(!result.stdout.includes(secret?.token ?? '-') && !result.stderr.includes(secret?.token ?? '-'))
    }
    assert.equal(new Set(secrets.map((s) => s?.token)).size, 3)

    const again = await daprK(home(), ['api-token', 'create', '-k', ...scope])
    assert.equal(again.exitCode, 0, again.stderr)
    assert.match(again.stderr, /kept as it is/)
    assert.deepEqual(
      (await Promise.all(namespaces.map((n) => secretToken(n)))).map((s) => s?.version),
      secrets.map((s) => s?.version),
    )
  })

  it('--workload adds the annotation and the app container variable as a secretKeyRef (no copy of the token) and rolls only that workload', async () => {
    const before = await template('tok-a', 'reports')
    const api = await daprK(home(), ['api-token', 'create', '-k', '--workload', 'tok-a/deploy/web'])
    assert.equal(api.exitCode, 0, api.stderr)
    const app = await daprK(home(), ['app-token', 'create', '-k', '--workload', 'tok-a/deployment/web'])
    assert.equal(app.exitCode, 0, app.stderr)

    const web = await template('tok-a', 'web')
    assert.equal(web.metadata?.annotations?.['dapr.io/api-token-secret'], 'dapr-api-token')
    assert.equal(web.metadata?.annotations?.['dapr.io/app-token-secret'], 'app-api-token')
    assert.ok(web.metadata?.annotations?.[restartedAt])
    const [container, proxy] = web.spec!.containers
    const variables = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e]))
    assert.deepEqual({...variables.DAPR_API_TOKEN?.valueFrom?.secretKeyRef}, {name: 'dapr-api-token', key: 'token'})
    assert.deepEqual({...variables.APP_API_TOKEN?.valueFrom?.secretKeyRef}, {name: 'app-api-token', key: 'token'})
    assert.equal(variables.DAPR_API_TOKEN?.value, undefined)
    assert.equal(variables.LOG_LEVEL?.value, 'info', 'the other variables stay')
    assert.equal(proxy?.env, undefined, 'only the app container gets the token')
    assert.deepEqual(await template('tok-a', 'reports'), before)
  })

  it('refuses a workload that is not Dapr-enabled: one line, exit 2, no Secret and no change', async () => {
    const result = await daprK(home(), ['api-token', 'create', '-k', '--workload', 'tok-a/deployment/static'])
    assert.equal(result.exitCode, 2, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /tok-a\/deployment\/static is not Dapr-enabled/)
    assert.equal(await secretToken('tok-a'), undefined)
    assert.equal((await template('tok-a', 'static')).metadata?.annotations, undefined)
  })

  it('rotate writes a new token into every Secret and rolls exactly the workloads that use it, by annotation or by envFrom', async () => {
    assert.equal((await daprK(home(), ['api-token', 'create', '-k', ...scope])).exitCode, 0)
    for (const workload of ['tok-a/deploy/web', 'tok-b/deploy/api']) {
      const attached = await daprK(home(), ['api-token', 'create', '-k', '--workload', workload])
      assert.equal(attached.exitCode, 0, attached.stderr)
    }
    const tokens = await Promise.all(namespaces.map((n) => secretToken(n)))
    const restarts = async () =>
      Object.fromEntries(
        await Promise.all(
          apps.map(async (a) => [
            `${a.namespace}/${a.name}`,
            (await template(a.namespace, a.name)).metadata?.annotations?.[restartedAt],
          ]),
        ),
      ) as Record<string, string | undefined>
    const before = await restarts()

    const result = await daprK(home(), ['api-token', 'rotate', '-k', ...scope])
    assert.equal(result.exitCode, 0, result.stderr)
    const rotated = await Promise.all(namespaces.map((n) => secretToken(n)))
    rotated.forEach((secret, i) => {
      assert.notEqual(secret?.token, tokens[i]?.token)
      assert.equal(secret?.generation, '2')
      assert.ok(!result.stdout.includes(secret?.token ?? '-') && !result.stderr.includes(secret?.token ?? '-'))
    })
    const after = await restarts()
    const rolled = Object.keys(after).filter((k) => after[k] !== before[k])
    assert.deepEqual(rolled.sort(), ['tok-a/web', 'tok-a/worker', 'tok-b/api'])
    assert.equal((await template('tok-a', 'web')).metadata?.annotations?.['dapr-mtls/api-token-generation'], '2')
    assert.match(result.stdout, /tok-a\/deployment\/worker/)
  })

  it('status tells a pod still on an older token (a bare pod no rollout replaces), and exits 3; -o json has it too', async () => {
    assert.equal((await daprK(home(), ['api-token', 'create', '-k', '--workload', 'tok-a/deploy/web'])).exitCode, 0)
    await clients().core.createNamespacedPod({
      namespace: 'tok-a',
      body: {
        metadata: {
          name: 'one-off',
          annotations: {'dapr.io/api-token-secret': 'dapr-api-token', 'dapr-mtls/api-token-generation': '1'},
        },
        spec: {containers: [{name: 'one-off', image: 'example.com/one-off:1'}]},
      },
    })
    const healthy = await daprK(home(), ['api-token', 'status', '-k', '--app-namespace', 'tok-a'])
    assert.equal(healthy.exitCode, 0, healthy.stderr + healthy.stdout)
    assert.equal((await daprK(home(), ['api-token', 'rotate', '-k', '--app-namespace', 'tok-a'])).exitCode, 0)

    const status = await daprK(home(), ['api-token', 'status', '-k', '--app-namespace', 'tok-a', '-o', 'json'])
    assert.equal(status.exitCode, 3, status.stderr)
    const report = JSON.parse(status.stdout) as {
      namespaces: {generation: number; olderPods: {pod: string}[]; workloads: {workload: string}[]}[]
    }
    assert.equal(report.namespaces[0]?.generation, 2)
    assert.deepEqual(
      report.namespaces[0]?.olderPods.map((p) => p.pod),
      ['one-off'],
    )
    assert.deepEqual(
      report.namespaces[0]?.workloads.map((w) => w.workload),
      ['tok-a/deployment/web', 'tok-a/deployment/worker'],
    )
  })

  it('delete refuses while a workload uses the Secret; with --all-workloads it detaches them first, then deletes', async () => {
    assert.equal((await daprK(home(), ['api-token', 'create', '-k', '--workload', 'tok-b/deploy/api'])).exitCode, 0)
    const refused = await daprK(home(), ['api-token', 'delete', '-k', '--app-namespace', 'tok-b'])
    assert.equal(refused.exitCode, 1)
    assertCleanFailure(refused)
    assert.match(refused.stderr, /still used by tok-b\/deployment\/api/)
    assert.ok(await secretToken('tok-b'))

    const deleted = await daprK(home(), ['api-token', 'delete', '-k', '--app-namespace', 'tok-b', '--all-workloads'])
    assert.equal(deleted.exitCode, 0, deleted.stderr)
    assert.equal(await secretToken('tok-b'), undefined)
    const api = await template('tok-b', 'api')
    assert.equal(api.metadata?.annotations?.['dapr.io/api-token-secret'], undefined)
    assert.deepEqual(
      api.spec?.containers[0]?.env?.map((e) => e.name),
      ['LOG_LEVEL'],
    )
  })

  it('a namespace the user may not write: the RBAC rule, that namespace untouched, the others rotated and rolled, and the error says which succeeded', async () => {
    assert.equal((await daprK(home(), ['api-token', 'create', '-k', ...scope])).exitCode, 0)
    for (const workload of ['tok-a/deploy/web', 'tok-b/deploy/api']) {
      assert.equal((await daprK(home(), ['api-token', 'create', '-k', '--workload', workload])).exitCode, 0)
    }
    await grant('tok-a', true)
    await grant('tok-b', false)
    await grant('tok-c', true)
    const restricted = clients(restrictedKubeconfig())
    await untilAllowed(() => restricted.core.readNamespacedSecret({name: 'dapr-api-token', namespace: 'tok-c'}))
    const before = await Promise.all(namespaces.map((n) => secretToken(n)))
    const apiBefore = await template('tok-b', 'api')

    const result = await daprK(home(), ['api-token', 'rotate', '-k', ...scope], restrictedKubeconfig())
    assert.equal(result.exitCode, 1, result.stderr)
    assert.match(
      result.stderr,
      /done in tok-a, tok-c; not in tok-b: permission denied: cannot patch secrets dapr-api-token in namespace tok-b/,
    )
    assert.match(
      result.stderr,
      /It needs a Role in namespace tok-b with apiGroups: \[""\], resources: \["secrets"\], resourceNames: \["dapr-api-token"\], verbs: \["patch"\]/,
    )
    const after = await Promise.all(namespaces.map((n) => secretToken(n)))
    assert.notEqual(after[0]?.token, before[0]?.token)
    assert.equal(after[1]?.version, before[1]?.version, 'tok-b is untouched')
    assert.notEqual(after[2]?.token, before[2]?.token)
    assert.deepEqual(await template('tok-b', 'api'), apiBefore, 'the workload of tok-b was not rolled')
    assert.equal((await template('tok-a', 'web')).metadata?.annotations?.['dapr-mtls/api-token-generation'], '2')
  })
})

/** The restricted user may read tokens and workloads in the namespace, and write them only when `write`. */
function grant(namespace: string, write: boolean): Promise<void> {
  const read = ['get', 'list', 'watch']
  const verbs = write ? [...read, 'create', 'patch', 'update', 'delete'] : read
  return grantRestricted(namespace, 'tokens', [
    {apiGroups: [''], resources: ['secrets'], verbs},
    {apiGroups: [''], resources: ['pods'], verbs: read},
    {apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs},
  ])
}
