// The OAuth objects planned for a cluster, on plain data: which Configuration each workload keeps or is pointed at,
// and the objects of a namespace in write order.
import assert from 'node:assert/strict'

import {UsageError, UserError} from '../../../src/lib/errors.js'
import {clusterTargetOf, planObjects, planWorkloads} from '../../../src/lib/oauth2/cluster.js'
import {clientCredentialsSpec} from './flags.fixture.js'

const spec = clientCredentialsSpec
const orders = {namespace: 'shop', kind: 'Deployment' as const, name: 'orders'}

describe('oauth2 on a cluster: the plan', () => {
  it('a workload keeps the Configuration it names; one that names none is pointed at --config', () => {
    const planned = planWorkloads(
      [
        {workload: orders, template: {daprEnabled: true, config: 'appconfig'}},
        {workload: {...orders, name: 'billing'}, template: {daprEnabled: true, config: undefined}},
      ],
      'pipeline',
    )
    assert.deepEqual(
      planned.map((p) => [p.workload.name, p.config, p.pointed]),
      [
        ['orders', 'appconfig', false],
        ['billing', 'pipeline', true],
      ],
    )
  })

  it('refuses a missing workload and one without Dapr', () => {
    assert.throws(() => planWorkloads([{workload: orders, template: undefined}], 'pipeline'), UserError)
    assert.throws(
      () => planWorkloads([{workload: orders, template: {daprEnabled: false, config: undefined}}], 'pipeline'),
      UsageError,
    )
  })

  it('writes the Secret, then the Component, then each Configuration; an identical Component is unchanged', () => {
    const target = clusterTargetOf(spec, {'app-namespace': ['shop']})
    const first = planObjects(spec, target, [
      {
        namespace: 'shop',
        secretVersion: undefined,
        component: undefined,
        configurations: new Map([['pipeline', undefined]]),
      },
    ])
    assert.deepEqual(
      first.map((o) => [o.kind, o.name, o.change]),
      [
        ['Secret', 'orders-oauth-client-secret', 'created'],
        ['Component', 'orders-oauth', 'created'],
        ['Configuration', 'pipeline', 'created'],
      ],
    )
    const component = {...first[1]!.object!, metadata: {...first[1]!.object!.metadata, resourceVersion: '5'}}
    const again = planObjects(spec, target, [
      {namespace: 'shop', secretVersion: '3', component, configurations: new Map([['pipeline', first[2]!.object]])},
    ])
    assert.deepEqual(
      again.map((o) => o.change),
      ['updated', 'unchanged', 'unchanged'],
    )
    assert.equal(again[1]?.object?.metadata.resourceVersion, '5', 'a replace carries the resourceVersion read')
  })

  it('needs a namespace, and checks the names it writes', () => {
    assert.throws(() => clusterTargetOf(spec, {}), /name where the middleware goes/)
    assert.throws(() => clusterTargetOf(spec, {'app-namespace': ['Shop']}), /not a valid namespace name/)
    assert.throws(() => clusterTargetOf(spec, {'app-namespace': ['shop'], config: 'My Config'}), /--config My Config/)
    assert.deepEqual(clusterTargetOf(spec, {workload: ['shop/deploy/orders']}).workloads, [orders])
  })
})
