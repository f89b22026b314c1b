// Token status on plain objects: which pods still hold an older token, and what counts as a problem (exit 3).
import assert from 'node:assert/strict'

import {tokenKinds} from '../../../src/lib/tokens/kinds.js'
import type {TokenPod, TokenSecret, TokenWorkload} from '../../../src/lib/tokens/model.js'
import {namespaceTokenStatus, renderTokenStatus, tokenStatusReport} from '../../../src/lib/tokens/status.js'
import {tokenFingerprint} from '../../../src/lib/tokens/token-value.js'

const api = tokenKinds.api

const secret = (
  generation: number | undefined,
  token = 'tok',
  fingerprint: string | undefined = tokenFingerprint('tok'),
): TokenSecret => ({
  namespace: 'shop',
  name: 'dapr-api-token',
  resourceVersion: '1',
  token,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T00:00:00Z'),
  generation,
  fingerprint,
})

const web: TokenWorkload = {
  namespace: 'shop',
  kind: 'Deployment',
  name: 'web',
  daprEnabled: true,
  replicas: 2,
  annotations: {'dapr.io/api-token-secret': 'dapr-api-token', 'dapr-mtls/api-token-generation': '3'},
  containers: [
    {
      name: 'web',
      env: [{name: 'DAPR_API_TOKEN', secretName: 'dapr-api-token', secretKey: 'token'}],
      envFromSecrets: [],
    },
  ],
}

const pod = (name: string, generation?: string, owner = true): TokenPod => ({
  namespace: 'shop',
  name,
  owner: owner ? {namespace: 'shop', kind: 'Deployment', name: 'web'} : undefined,
  annotations: generation === undefined ? {} : {'dapr-mtls/api-token-generation': generation},
  createdAt: undefined,
})

describe('token status', () => {
  it('lists the pods started with an older generation, and a pod without a stamp as generation 1', () => {
    const status = namespaceTokenStatus(api, 'dapr-api-token', {
      namespace: 'shop',
      secret: secret(3),
      workloads: [web],
      pods: [pod('web-new', '3'), pod('web-old', '2'), pod('web-unstamped')],
    })
    assert.deepEqual(
      status.olderPods.map((p) => [p.pod, p.generation]),
      [
        ['web-old', 2],
        ['web-unstamped', undefined],
      ],
    )
    assert.deepEqual(status.workloads, [
      {workload: 'shop/deployment/web', sidecar: true, containers: ['web'], generation: 3},
    ])
    assert.deepEqual(status.problems, ['2 pods still run with an older token'])
  })

  it('a Secret never rotated has no older pods, and nothing to report', () => {
    const status = namespaceTokenStatus(api, 'dapr-api-token', {
      namespace: 'shop',
      secret: secret(undefined),
      workloads: [web],
      pods: [pod('web-unstamped')],
    })
    assert.deepEqual(status.olderPods, [])
    assert.deepEqual(status.problems, [])
  })

  it('reports a missing Secret that workloads use, and a token changed by other hands', () => {
    assert.match(
      namespaceTokenStatus(api, 'dapr-api-token', {namespace: 'shop', secret: undefined, workloads: [web], pods: []})
        .problems[0] ?? '',
      /Secret dapr-api-token is missing but used by shop\/deployment\/web/,
    )
    const changed = namespaceTokenStatus(api, 'dapr-api-token', {
      namespace: 'shop',
      secret: secret(2, 'edited-by-kubectl'),
      workloads: [],
      pods: [],
    })
    assert.equal(changed.changedElsewhere, true)
    assert.match(changed.problems[0] ?? '', /changed by other hands/)
  })

  it('is healthy only when no namespace has a problem; the table names each namespace', () => {
    const report = tokenStatusReport(api, 'dapr-api-token', [
      {namespace: 'a', secret: secret(1), workloads: [], pods: []},
      {namespace: 'b', secret: undefined, workloads: [], pods: []},
    ])
    assert.equal(report.healthy, true)
    const table = renderTokenStatus(report, new Date('2026-01-12T00:00:00Z'))
    assert.match(table, /^NAMESPACE\s+SECRET\s+AGE\s+GENERATION\s+WORKLOADS\s+OLDER PODS/)
    assert.match(table, /\na\s+dapr-api-token\s+10d\s+1\s+-\s+0/)
    assert.match(table, /\nb\s+missing/)
  })
})
