// Dapr-enabled apps as the injector sees them, the workload a sidecar pod belongs to, and workload references.
import assert from 'node:assert/strict'

import type {V1Pod} from '@kubernetes/client-node'

import {UsageError} from '../../../src/lib/errors.js'
import {formatWorkload, isTruthy, parseWorkload, podOwner, sidecarOf} from '../../../src/lib/kube/apps.js'
import {daemonSetRolloutState} from '../../../src/lib/kube/rollout.js'

const pod = (owner: {kind: string; name: string} | undefined, labels: Record<string, string> = {}): V1Pod => ({
  metadata: {
    name: 'p',
    namespace: 'apps',
    labels,
    ownerReferences: owner
      ? [{apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: 'u', controller: true}]
      : [],
  },
  spec: {
    containers: [
      {name: 'app', image: 'app:1'},
      {name: 'daprd', image: 'daprio/daprd:1.16.2', env: [{name: 'DAPR_TRUST_ANCHORS', value: 'PEM'}]},
    ],
  },
})

describe('Dapr-enabled applications', () => {
  it("reads dapr.io/enabled as the injector's IsTruthy does", () => {
    for (const value of ['true', 'True', 'yes', 'on', '1', 't', 'Y']) assert.equal(isTruthy(value), true, value)
    for (const value of [undefined, '', 'false', 'no', '0', 'enabled']) assert.equal(isTruthy(value), false, value)
  })

  it('parses and prints <namespace>/<kind>/<name> with the short kinds', () => {
    assert.deepEqual(parseWorkload('apps/deploy/checkout'), {namespace: 'apps', kind: 'Deployment', name: 'checkout'})
    assert.deepEqual(parseWorkload('db/sts/pg'), {namespace: 'db', kind: 'StatefulSet', name: 'pg'})
    assert.deepEqual(parseWorkload('x/DaemonSet/agent'), {namespace: 'x', kind: 'DaemonSet', name: 'agent'})
    assert.equal(formatWorkload(parseWorkload('apps/deploy/checkout')), 'apps/deployment/checkout')
    for (const bad of ['checkout', 'apps/job/x', 'apps//x', 'a/deploy/b/c']) {
      assert.throws(() => parseWorkload(bad), UsageError, bad)
    }
  })

  it('finds the Deployment of a ReplicaSet pod from its pod-template-hash, without reading the ReplicaSet', () => {
    const owner = podOwner(pod({kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5'}, {'pod-template-hash': '7d9f8b6c5'}))
    assert.deepEqual(owner.owner, {namespace: 'apps', kind: 'Deployment', name: 'checkout'})
  })

  it('lists bare pods and Job pods as owned by nothing a rollout can replace', () => {
    assert.equal(podOwner(pod(undefined)).owner, undefined)
    assert.equal(podOwner(pod({kind: 'Job', name: 'migrate'})).owner, undefined)
    assert.equal(podOwner(pod({kind: 'Job', name: 'migrate'})).description, 'Job migrate')
    assert.deepEqual(podOwner(pod({kind: 'StatefulSet', name: 'db'})).owner, {
      namespace: 'apps',
      kind: 'StatefulSet',
      name: 'db',
    })
  })

  it("reads the sidecar's injected trust anchors, and ignores pods without a daprd container", () => {
    assert.equal(sidecarOf(pod(undefined))?.trustAnchorsPem, 'PEM')
    assert.equal(sidecarOf({metadata: {name: 'x'}, spec: {containers: [{name: 'app'}]}}), undefined)
  })

  it("waits for a DaemonSet rollout with kubectl's rules", () => {
    const ds = (updated: number, available: number, observed = 2) => ({
      metadata: {name: 'agent', generation: 2},
      status: {
        observedGeneration: observed,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: updated,
        numberAvailable: available,
        currentNumberScheduled: 3,
        numberMisscheduled: 0,
        numberReady: available,
      },
    })
    assert.match(daemonSetRolloutState(ds(3, 3, 1)).message, /spec update to be observed/)
    assert.match(daemonSetRolloutState(ds(1, 1)).message, /1 out of 3 new pods have been updated/)
    assert.match(daemonSetRolloutState(ds(3, 2)).message, /2 of 3 updated pods are available/)
    assert.equal(daemonSetRolloutState(ds(3, 3)).done, true)
  })
})
