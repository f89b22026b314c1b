// What the restart flags ask for, and the flag mistakes refused before anything is read or written.
import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {appSelectionOf, restartRequestOf} from '../../../src/lib/restarts/request.js'
import {restartPlanLines} from '../../../src/lib/restarts/run.js'

describe('restart requests', () => {
  it('--restart-apps implies the control plane (the injector hands out the new roots first), 5 at a time, 300 s', () => {
    assert.deepEqual(restartRequestOf({'restart-apps': true}), {
      controlPlane: true,
      apps: {namespaces: [], only: []},
      concurrency: 5,
      timeoutSeconds: 300,
    })
    assert.deepEqual(restartRequestOf({restart: true}).apps, undefined)
    assert.equal(restartRequestOf({}).controlPlane, false)
    assert.deepEqual(
      restartRequestOf({'restart-apps': true, 'app-namespace': ['a', 'b', 'a'], concurrency: 2, timeout: 60}),
      {controlPlane: true, apps: {namespaces: ['a', 'b'], only: []}, concurrency: 2, timeoutSeconds: 60},
    )
  })

  it('refuses application flags without --restart-apps, and namespace flags that contradict each other', () => {
    for (const flags of [{'app-namespace': ['a']}, {concurrency: 3}, {'all-namespaces': true, restart: true}]) {
      assert.throws(() => restartRequestOf(flags), /only applies with --restart-apps/)
    }
    assert.throws(
      () => restartRequestOf({'restart-apps': true, 'app-namespace': ['a'], 'all-namespaces': true}),
      UsageError,
    )
    const only = [{namespace: 'a', kind: 'Deployment', name: 'x'}] as const
    assert.throws(() => appSelectionOf({'app-namespace': ['a']}, [...only]), /--only names the workloads itself/)
    assert.deepEqual(appSelectionOf({}, [...only]), {namespaces: [], only})
  })

  it('plans: the control plane in order, then the applications and the pods nothing can restart', () => {
    const lines = restartPlanLines(
      {
        controlPlane: [{kind: 'Deployment', name: 'dapr-sentry'}],
        apps: {
          selection: {namespaces: ['shop'], only: []},
          workloads: Array.from({length: 7}, (_, i) => ({namespace: 'shop', kind: 'Deployment', name: `app${i}`})),
          notRestartable: [{namespace: 'shop', name: 'report-x', owner: 'Job report'}],
        },
        concurrency: 3,
        timeoutSeconds: 300,
      },
      'dapr-system',
    )
    assert.deepEqual(lines, [
      'Deployment dapr-system/dapr-sentry',
      'then 7 Dapr-enabled applications (namespace shop), 3 at a time: shop/deployment/app0, shop/deployment/app1, shop/deployment/app2, shop/deployment/app3, shop/deployment/app4 and 2 more',
      '1 pod with a daprd sidecar no rollout can replace, left as they are (restart them yourself): shop/report-x (Job report)',
    ])
  })
})
