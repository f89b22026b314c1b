// The Dapr-enabled applications of the test cluster, found and restarted through the adapter.
import assert from 'node:assert/strict'

import {connect, listDaprWorkloads, restartApps} from '../../src/lib/kube/index.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {adminKubeconfig, clients, kubectl} from './context.js'

describe('Dapr-enabled applications', function () {
  this.timeout(120_000)

  it('finds the workloads whose template enables Dapr, not the others, and restarts each of them', async () => {
    await installDaprFixture(adminKubeconfig())
    await kubectl('create', 'deployment', 'plain', '--image=example.com/plain:1', '-n', 'apps')
    try {
      const kube = connect({kubeconfig: adminKubeconfig()})
      const workloads = await listDaprWorkloads(kube, {namespaces: ['apps']})
      assert.deepEqual(
        workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`),
        ['apps/Deployment/checkout', 'apps/Deployment/orders'],
      )
      assert.deepEqual(
        (await listDaprWorkloads(kube)).map((w) => w.name),
        ['checkout', 'orders'],
      )
      const finished: string[] = []
      const outcomes = await restartApps(kube, workloads, {
        concurrency: 1,
        timeoutMs: 60_000,
        onFinished: (outcome, count, total) => finished.push(`${count}/${total} ${outcome.name}`),
      })
      assert.deepEqual(
        outcomes.map((o) => [o.name, o.done]),
        [
          ['checkout', true],
          ['orders', true],
        ],
      )
      assert.deepEqual(finished, ['1/2 checkout', '2/2 orders'])
      const plain = await clients().apps.readNamespacedDeployment({name: 'plain', namespace: 'apps'})
      assert.equal(plain.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined)
    } finally {
      await kubectl('delete', 'deployment', 'plain', '-n', 'apps')
    }
  })
})
