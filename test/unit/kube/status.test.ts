// Status rows from plain workload and pod objects.
import assert from 'node:assert/strict'

import type {V1Deployment, V1Pod} from '@kubernetes/client-node'

import {componentStatus} from '../../../src/lib/kube/status.js'
import {age, createdTime} from '../../../src/lib/output/time-layouts.js'

const operator = (replicas: number, ready: number, image = 'daprio/dapr:1.16.2'): V1Deployment => ({
  metadata: {name: 'dapr-operator', namespace: 'dapr-system', creationTimestamp: new Date('2026-01-02T03:04:05Z')},
  spec: {replicas, selector: {}, template: {spec: {containers: [{name: 'op', image}]}}},
  status: {readyReplicas: ready},
})

const pendingPod: V1Pod = {
  status: {phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable'}]},
}

describe('control-plane status rows', () => {
  it('is healthy only when every desired replica is ready', () => {
    assert.equal(componentStatus('Deployment', operator(3, 3), []).healthy, true)
    const degraded = componentStatus('Deployment', operator(3, 2), [pendingPod])
    assert.equal(degraded.healthy, false)
    assert.equal(degraded.replicas, 3)
    assert.equal(degraded.status, 'Pending (Unschedulable)')
  })

  it('names a waiting container', () => {
    const pod: V1Pod = {
      status: {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'c',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {waiting: {reason: 'ImagePullBackOff'}},
          },
        ],
      },
    }
    assert.equal(componentStatus('Deployment', operator(1, 0), [pod]).status, 'Waiting (ImagePullBackOff)')
  })

  it('prints AGE and CREATED in the official layouts', () => {
    const created = new Date('2026-01-01T00:00:00Z')
    assert.equal(age(created, new Date('2026-01-01T00:00:45Z')), '45s')
    assert.equal(age(created, new Date('2026-01-01T00:20:00Z')), '20m')
    assert.equal(age(created, new Date('2026-01-01T05:00:00Z')), '5h')
    assert.equal(age(created, new Date('2026-01-18T00:00:00Z')), '17d')
    assert.match(createdTime(created), /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d$/)
  })
})
