// The rights a renewal needs, and the manifest that grants the missing ones: read back as YAML, it must be the Role
// kubectl would apply (the integration test applies it and renews as that user).
import assert from 'node:assert/strict'

import {parseAllDocuments} from 'yaml'

import {accessManifest, renewalAccessRules} from '../../../src/lib/kube/access.js'

describe('access a renewal needs', () => {
  const rules = renewalAccessRules('dapr-system')

  it('names the objects: the two trust-bundle objects, each control-plane workload, and pods across namespaces', () => {
    const text = rules.map((r) => `${r.verb} ${r.resource} ${r.name ?? '*'} ${r.namespace ?? 'all'}`)
    for (const wanted of [
      'update secrets dapr-trust-bundle dapr-system',
      'update configmaps dapr-trust-bundle dapr-system',
      'patch deployments dapr-sentry dapr-system',
      'patch statefulsets dapr-scheduler-server dapr-system',
      'list pods * all',
    ]) {
      assert.ok(text.includes(wanted), wanted)
    }
  })

  it('prints the missing rules as a Role and RoleBinding, and pods as a ClusterRole, bound to the user', () => {
    const missing = rules.filter((r) => r.verb !== 'get')
    const docs = parseAllDocuments(accessManifest(missing, 'dapr-system', {username: 'alice', groups: []})).map(
      (d) => d.toJSON() as {kind: string; rules?: unknown[]; subjects?: unknown[]; metadata: {namespace?: string}},
    )
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
    )
    assert.equal(docs[0]?.metadata.namespace, 'dapr-system')
    assert.deepEqual(docs[0]?.rules?.[0], {
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['dapr-trust-bundle'],
      verbs: ['update'],
    })
    assert.deepEqual(docs[2]?.rules, [{apiGroups: [''], resources: ['pods'], verbs: ['list']}])
    assert.deepEqual(docs[1]?.subjects, [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice'}])
    const sa = accessManifest(missing.slice(0, 1), 'dapr-system', {
      username: 'system:serviceaccount:ci:renewer',
      groups: [],
    })
    assert.match(sa, /kind: ServiceAccount\n\s+name: renewer\n\s+namespace: ci/)
    assert.doesNotMatch(sa, /ClusterRole/, 'no cluster-wide role when nothing cluster-wide is missing')
  })
})
