// `--restart-apps` at scale: 50 Dapr-enabled Deployments in 10 namespaces beside Deployments the injector ignores.
// Exactly the 50 are restarted, and never more than --concurrency are in flight at once, judged from the objects
// themselves: a watch on the Deployments sees each restart land (its restartedAt) and each rollout finish, in the
// apiserver's own order of writes. A negative control with a higher --concurrency shows the measure can fail.
import assert from 'node:assert/strict'

import {AppsV1Api, KubeConfig, type V1Deployment, Watch} from '@kubernetes/client-node'
import {execa} from 'execa'

import {installDaprFixture} from '../cluster/fixture.js'
import {adminKubeconfig, daprK, freshHomeEachTest, kubectl} from './context.js'

const label = 'restart-proof'
const namespaces = Array.from({length: 10}, (_, i) => `restart-proof-${i}`)
// Every truthy spelling the injector accepts, spread over the 50; the others carry no annotation, or a falsy one.
const truthy = ['true', 'True', 'yes', 'on', '1', 't']
const falsy = [undefined, 'false']

function deployment(namespace: string, name: string, enabled: string | undefined): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name, namespace, labels: {[label]: 'yes'}},
    spec: {
      replicas: 1,
      selector: {matchLabels: {app: name}},
      template: {
        metadata: {labels: {app: name}, annotations: enabled === undefined ? {} : {'dapr.io/enabled': enabled}},
        spec: {containers: [{name, image: `example.com/${name}:1`}]},
      },
    },
  }
}

const restartedAtOf = (d: V1Deployment) => d.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']

/** kubectl's rule: the new generation observed, every replica updated and available, no old one left. */
function rolledOut(d: V1Deployment): boolean {
  const want = d.spec?.replicas ?? 1
  const s = d.status
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s?.updatedReplicas ?? 0) === want &&
    (s?.replicas ?? 0) === want &&
    (s?.availableReplicas ?? 0) === want
  )
}

interface Restart {
  workload: string
  /** The resourceVersion of the write that set restartedAt, and of the first status showing the rollout done. */
  patched: number
  done: number
  /** The same two moments on the clock: restartedAt (the CLI's) and when the watch saw the rollout done. */
  patchedAt: number
  doneAt: number
}

/** Watches the proof's Deployments from now on and turns the events into one Restart per restarted workload. */
async function watchRestarts(): Promise<{stop: () => Restart[]}> {
  const kc = new KubeConfig()
  kc.loadFromFile(adminKubeconfig())
  const list = await kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces({labelSelector: `${label}=yes`})
  const initial = new Map(list.items.map((d) => [`${d.metadata?.namespace}/${d.metadata?.name}`, restartedAtOf(d)]))
  const events: {workload: string; rv: number; at: number; object: V1Deployment}[] = []
  const controller = await new Watch(kc).watch(
    '/apis/apps/v1/deployments',
    {labelSelector: `${label}=yes`, resourceVersion: list.metadata?.resourceVersion ?? '0'},
    (_phase, object: V1Deployment) => {
      // In the test apiserver a resourceVersion is etcd's revision: one number, increasing with every write.
      events.push({
        workload: `${object.metadata?.namespace}/${object.metadata?.name}`,
        rv: Number(object.metadata?.resourceVersion),
        at: Date.now(),
        object,
      })
    },
    (error: unknown) => {
      if (error && !(error instanceof Error && error.name === 'AbortError')) throw error as Error
    },
  )
  return {
    stop: () => {
      controller.abort()
      const restarts: Restart[] = []
      for (const workload of new Set(events.map((e) => e.workload))) {
        const mine = events.filter((e) => e.workload === workload)
        const patch = mine.find((e) => restartedAtOf(e.object) !== initial.get(workload))
        if (patch === undefined) continue
        const done = mine.find((e) => e.rv >= patch.rv && rolledOut(e.object))
        assert.ok(done, `${workload} was restarted but never seen rolled out`)
        restarts.push({
          workload,
          patched: patch.rv,
          done: done.rv,
          patchedAt: Date.parse(restartedAtOf(patch.object) ?? ''),
          doneAt: done.at,
        })
      }
      return restarts
    },
  }
}

/** The most restarts in flight at once: patched and not yet rolled out, by `start` and `end` of each. */
function mostInFlight(restarts: Restart[], start: (r: Restart) => number, end: (r: Restart) => number): number {
  return Math.max(0, ...restarts.map((r) => restarts.filter((o) => start(o) <= start(r) && start(r) < end(o)).length))
}

describe('--restart-apps over 50 Dapr-enabled Deployments in 10 namespaces', function () {
  this.timeout(600_000)
  const home = freshHomeEachTest()
  const enabled: string[] = []
  const others: string[] = []

  before(async function () {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    const items: object[] = []
    for (const [n, namespace] of namespaces.entries()) {
      items.push({apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace}})
      for (let i = 0; i < 5; i++) {
        items.push(deployment(namespace, `app-${i}`, truthy[(n * 5 + i) % truthy.length]))
        enabled.push(`${namespace}/app-${i}`)
      }
      const value = falsy[n % falsy.length]
      items.push(deployment(namespace, 'plain', value))
      others.push(`${namespace}/plain`)
    }
    const started = Date.now()
    await execa(process.env.IT_KUBECTL ?? 'kubectl', ['apply', '-f', '-'], {
      env: {KUBECONFIG: adminKubeconfig()},
      input: JSON.stringify({apiVersion: 'v1', kind: 'List', items}),
    })
    for (const namespace of namespaces) {
      await kubectl('rollout', 'status', 'deployment', '-n', namespace, '--timeout=120s')
    }
    process.stderr.write(
      `      60 Deployments created and rolled out in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
    )
  })
  after(async () => {
    for (const namespace of namespaces) await kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => '')
  })

  const run = async (concurrency: number) => {
    const watch = await watchRestarts()
    const started = Date.now()
    const result = await daprK(home(), [
      'mtls',
      'restart-apps',
      '-k',
      ...namespaces.flatMap((n) => ['--app-namespace', n]),
      '--concurrency',
      String(concurrency),
      '--json',
    ])
    const seconds = (Date.now() - started) / 1000
    // The last rollout's status reaches the watch a moment after the CLI saw it.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const restarts = watch.stop()
    const byOrder = mostInFlight(
      restarts,
      (r) => r.patched,
      (r) => r.done,
    )
    const byClock = mostInFlight(
      restarts,
      (r) => r.patchedAt,
      (r) => r.doneAt,
    )
    process.stderr.write(
      `      --concurrency ${concurrency}: ${restarts.length} restarts in ${seconds.toFixed(1)}s; most in flight: ${byOrder} by the apiserver's order of writes, ${byClock} by the clock\n`,
    )
    return {result, restarts, byOrder, byClock, seconds}
  }

  it('restarts exactly the 50, never more than --concurrency 5 in flight, with a line per finished workload', async () => {
    const {result, restarts, byOrder} = await run(5)
    assert.equal(result.exitCode, 0, result.stderr)
    assert.deepEqual(restarts.map((r) => r.workload).sort(), [...enabled].sort())
    const {apps} = JSON.parse(result.stdout) as {apps: {namespace: string; name: string; done: boolean}[]}
    assert.deepEqual(apps.map((a) => `${a.namespace}/${a.name}`).sort(), [...enabled].sort())
    assert.ok(apps.every((a) => a.done))
    for (const workload of others) {
      const [namespace = '', name = ''] = workload.split('/')
      const jsonpath = 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}'
      assert.equal(
        await kubectl('get', 'deployment', name, '-n', namespace, '-o', jsonpath),
        '',
        `${workload} left alone`,
      )
    }
    assert.ok(byOrder <= 5, `${byOrder} restarts in flight at once`)
    assert.ok(byOrder >= 2, `the restarts overlapped (${byOrder} at most), so the bound was exercised`)
    const lines = result.stderr.split('\n').filter((line) => /^\d+\/50 restarted: /.test(line))
    assert.equal(lines.length, 50)
    assert.match(result.stderr, /^Restarting 50 Dapr-enabled applications, 5 at a time$/m)
    assert.match(result.stderr, /^WORKLOAD +RESULT +SECONDS +DETAIL$/m)
  })

  it('negative control: the same measure sees more than 5 in flight when 20 are allowed', async () => {
    const {result, byOrder} = await run(20)
    assert.equal(result.exitCode, 0, result.stderr)
    assert.ok(byOrder > 5, `only ${byOrder} in flight at --concurrency 20: the measure could not tell`)
  })
})
