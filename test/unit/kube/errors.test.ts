// API failures become one actionable line.
import assert from 'node:assert/strict'

import {ApiException} from '@kubernetes/client-node'

import {UserError} from '../../../src/lib/errors.js'
import {toUserError} from '../../../src/lib/kube/errors.js'

const cluster = {server: 'https://127.0.0.1:6443', context: 'prod'}
const secretUpdate = {verb: 'update', resource: 'secrets', name: 'dapr-trust-bundle', namespace: 'dapr-system'} as const

describe('API errors', () => {
  it('403 names the verb, object and namespace, and the RBAC rule needed', () => {
    const error = toUserError(new ApiException(403, 'Forbidden', '{"message":"forbidden"}', {}), secretUpdate, cluster)
    assert.ok(error instanceof UserError)
    assert.equal(error.message, 'permission denied: cannot update secrets dapr-trust-bundle in namespace dapr-system')
    assert.match(
      error.hint ?? '',
      /Role in namespace dapr-system with apiGroups: \[""\], resources: \["secrets"\], resourceNames: \["dapr-trust-bundle"\], verbs: \["update"\]/,
    )
  })

  it('409 says nothing was overwritten', () => {
    const error = toUserError(new ApiException(409, 'Conflict', '{}', {}), secretUpdate, cluster)
    assert.match(error.message, /changed by someone else.*nothing was overwritten/)
  })

  it('a refused connection names the server and the context', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), {
      code: 'ECONNREFUSED',
      type: 'system',
    })
    const error = toUserError(refused, {verb: 'list', resource: 'deployments.apps'}, cluster)
    assert.equal(
      error.message,
      'cannot reach the Kubernetes API server at https://127.0.0.1:6443 (context prod): ECONNREFUSED',
    )
  })

  it('403 on a cluster-wide list names a ClusterRole', () => {
    const error = toUserError(
      new ApiException(403, 'Forbidden', '', {}),
      {verb: 'list', resource: 'configurations.dapr.io'},
      cluster,
    ) as UserError
    assert.equal(error.message, 'permission denied: cannot list configurations.dapr.io across all namespaces')
    assert.match(error.hint ?? '', /ClusterRole with apiGroups: \["dapr.io"\]/)
  })
})
