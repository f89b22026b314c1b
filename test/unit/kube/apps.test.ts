// Dapr-enabled apps as the injector sees them, the workload a sidecar pod belongs to, and workload references.
import assert from 'node:assert/strict'

import type {V1Pod} from '@kubernetes/client-node'

import {UsageError} from '../../../src/lib/errors.js'
import {
  formatWorkload,
  isTruthy,
  metadataFields,
  parseWorkload,
  type PodJson,
  podOwner,
  sidecarFields,
  sidecarOf,
} from '../../../src/lib/kube/apps.js'
import {daemonSetRolloutState} from '../../../src/lib/kube/rollout.js'
import {tokenPodOf} from '../../../src/lib/kube/tokens.js'

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

  // A pod as the API sends it, with what injection and scheduling add, and the same JSON as client-node's model.
  const injected = (owner: {kind: string; name: string} | undefined, containers: string[]) => ({
    metadata: {
      name: 'checkout-7d9f8b6c5-x2x4z',
      namespace: 'apps',
      labels: {app: 'checkout', 'pod-template-hash': '7d9f8b6c5'},
      annotations: {'dapr.io/enabled': 'true', 'dapr.io/app-id': 'checkout'},
      creationTimestamp: '2026-11-30T01:00:00Z',
      ownerReferences: owner ? [{apiVersion: 'apps/v1', ...owner, uid: 'u', controller: true}] : undefined,
    },
    spec: {
      containers: containers.map((name) => ({
        name,
        image: `${name}:1`,
        args: ['--mode', 'kubernetes', '--app-id', 'checkout'],
        env: [
          {name: 'NAMESPACE', value: 'apps'},
          {name: 'DAPR_TRUST_ANCHORS', value: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'},
        ],
      })),
      volumes: [{name: 'dapr-identity-token', projected: {sources: []}}],
    },
    status: {phase: 'Running', startTime: '2026-11-30T01:00:02Z', podIP: '10.0.0.1'},
  })
  // The same JSON through client-node's model, as the list gives it to sidecarOf.
  const asModel = (json: PodJson | ReturnType<typeof injected>): V1Pod => {
    const model = JSON.parse(JSON.stringify(json)) as V1Pod & {status?: {startTime?: unknown}}
    if (typeof model.status?.startTime === 'string') model.status.startTime = new Date(model.status.startTime)
    if (typeof model.metadata?.creationTimestamp === 'string') {
      model.metadata.creationTimestamp = new Date(model.metadata.creationTimestamp)
    }
    return model
  }
  it('keeps of a pod as the API sends it exactly what the sidecar scan reads, and little else', () => {
    for (const [owner, containers] of [
      [{kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5'}, ['app', 'daprd']],
      [{kind: 'StatefulSet', name: 'db'}, ['daprd']],
      [undefined, ['app', 'daprd']],
      [{kind: 'ReplicaSet', name: 'plain-1'}, ['app']],
    ] as const) {
      const full = injected(owner, [...containers])
      const slim = sidecarFields(full)
      assert.deepEqual(sidecarOf(asModel(slim)), sidecarOf(asModel(full)), JSON.stringify(owner))
      for (const dropped of ['annotations', 'image', 'args', 'NAMESPACE', 'volumes', 'podIP', '"app"']) {
        assert.doesNotMatch(JSON.stringify(slim), new RegExp(dropped), dropped)
      }
    }
  })

  it('keeps of a pod only its metadata for the token scan, which reads nothing else', () => {
    for (const owner of [{kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5'}, undefined]) {
      const full = injected(owner, ['app', 'daprd'])
      const slim = metadataFields(full)
      assert.deepEqual(tokenPodOf(asModel(slim)), tokenPodOf(asModel(full)), JSON.stringify(owner))
      assert.doesNotMatch(JSON.stringify(slim), /image|containers|podIP/)
    }
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
