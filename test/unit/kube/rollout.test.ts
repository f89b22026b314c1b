// kubectl's rollout-status rules as pure decisions over plain workload objects, and how often a rollout is read.
import assert from 'node:assert/strict'

import type {V1Deployment, V1StatefulSet} from '@kubernetes/client-node'

import {pollDelay} from '../../../src/lib/kube/restart.js'
import {deploymentRolloutState, statefulSetRolloutState} from '../../../src/lib/kube/rollout.js'

const deployment = (spec: number, generation: number, status: V1Deployment['status']): V1Deployment => ({
  metadata: {name: 'dapr-sentry', generation},
  spec: {replicas: spec, selector: {}, template: {}},
  status,
})

const statefulSet = (
  replicas: number,
  status: Partial<NonNullable<V1StatefulSet['status']>>,
  extra: Partial<NonNullable<V1StatefulSet['spec']>> = {},
): V1StatefulSet => ({
  metadata: {name: 'dapr-scheduler-server', generation: 2},
  spec: {replicas, selector: {}, serviceName: 's', template: {}, ...extra},
  status: {replicas, observedGeneration: 2, ...status},
})

describe('deployment rollout state', () => {
  it('waits until the controller has observed the new generation', () => {
    const state = deploymentRolloutState(
      deployment(1, 3, {observedGeneration: 2, updatedReplicas: 1, replicas: 1, availableReplicas: 1}),
    )
    assert.deepEqual(state, {done: false, message: 'Waiting for deployment spec update to be observed'})
  })

  it('waits for new replicas, then old ones to go, then availability, in that order', () => {
    assert.equal(
      deploymentRolloutState(deployment(3, 2, {observedGeneration: 2, updatedReplicas: 1, replicas: 4})).message,
      '1 out of 3 new replicas have been updated',
    )
    assert.equal(
      deploymentRolloutState(deployment(3, 2, {observedGeneration: 2, updatedReplicas: 3, replicas: 4})).message,
      '1 old replicas are pending termination',
    )
    assert.equal(
      deploymentRolloutState(
        deployment(3, 2, {observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2}),
      ).message,
      '2 of 3 updated replicas are available',
    )
  })

  it('is done when every desired replica is updated and available', () => {
    assert.equal(
      deploymentRolloutState(
        deployment(3, 2, {observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3}),
      ).done,
      true,
    )
  })

  it('fails for good when the progress deadline is exceeded', () => {
    const state = deploymentRolloutState(
      deployment(1, 2, {
        observedGeneration: 2,
        conditions: [{type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded'}],
      }),
    )
    assert.equal(state.done, false)
    assert.equal(state.failure, 'progress deadline exceeded')
  })

  it('treats missing status numbers as zero', () => {
    assert.equal(
      deploymentRolloutState(deployment(1, 1, {observedGeneration: 1})).message,
      '0 out of 1 new replicas have been updated',
    )
  })
})

describe('statefulset rollout state', () => {
  it('waits for ready pods, then for the update revision to become current', () => {
    assert.equal(statefulSetRolloutState(statefulSet(3, {readyReplicas: 1})).message, 'Waiting for 2 pods to be ready')
    const rolling = statefulSetRolloutState(
      statefulSet(3, {readyReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b'}),
    )
    assert.equal(rolling.done, false)
    assert.match(rolling.message, /rolling update to complete 1 pods at revision b/)
    assert.equal(
      statefulSetRolloutState(statefulSet(3, {readyReplicas: 3, currentRevision: 'b', updateRevision: 'b'})).done,
      true,
    )
  })

  it('honours a partition', () => {
    const partitioned = {updateStrategy: {type: 'RollingUpdate', rollingUpdate: {partition: 2}}}
    assert.equal(
      statefulSetRolloutState(statefulSet(3, {readyReplicas: 3, updatedReplicas: 0}, partitioned)).done,
      false,
    )
    assert.equal(
      statefulSetRolloutState(statefulSet(3, {readyReplicas: 3, updatedReplicas: 1}, partitioned)).done,
      true,
    )
  })

  it('cannot wait for an OnDelete statefulset', () => {
    const state = statefulSetRolloutState(statefulSet(1, {readyReplicas: 1}, {updateStrategy: {type: 'OnDelete'}}))
    assert.ok(state.failure)
  })

  it('waits while the generation is not observed', () => {
    assert.match(
      statefulSetRolloutState(statefulSet(1, {observedGeneration: 1, readyReplicas: 1})).message,
      /spec update to be observed/,
    )
  })
})

describe('the wait between two reads of a rollout', () => {
  it('starts at 100 ms and doubles up to the poll interval, never past it', () => {
    assert.deepEqual(
      Array.from({length: 7}, (_, polls) => pollDelay(polls)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    )
    assert.deepEqual(
      Array.from({length: 4}, (_, polls) => pollDelay(polls, 300)),
      [100, 200, 300, 300],
    )
    assert.equal(pollDelay(1000), 1000)
  })
})
