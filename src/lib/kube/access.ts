// Whether the current user may do what a renewal needs, asked of the API server itself (SelfSubjectAccessReview: the
// real authorizer, RBAC or not), and the missing rules as a Role and RoleBinding to apply. The rules are a pure
// function of the control plane, so the test can apply the printed manifest and watch a renewal then succeed.
import {stringify} from 'yaml'

import type {KubeClients} from './client.js'
import type {ApiAction} from './errors.js'
import {call} from './request.js'
import {controlPlaneWorkloads} from './restart.js'

/** One thing a renewal does; no namespace means across all namespaces. */
export interface AccessRule {
  verb: ApiAction['verb']
  /** API group, "" for the core group. */
  group: string
  resource: string
  name?: string | undefined
  namespace?: string | undefined
  /** Why renewal needs it. */
  why: string
}

export interface AccessResult {
  rule: AccessRule
  allowed: boolean
  /** The authorizer's reason, when it gave one. */
  reason: string | undefined
}

export interface CurrentUser {
  username: string
  groups: string[]
}

const trustBundle = 'dapr-trust-bundle'

/** Pure: what `renew-certificate -k --restart` and doctor's sidecar check do, object by object. */
export function renewalAccessRules(namespace: string): AccessRule[] {
  const rules: AccessRule[] = []
  for (const resource of ['secrets', 'configmaps']) {
    for (const verb of ['get', 'update'] as const) {
      rules.push({verb, group: '', resource, name: trustBundle, namespace, why: 'read and write the trust bundle'})
    }
  }
  rules.push(
    {
      verb: 'get',
      group: 'dapr.io',
      resource: 'configurations',
      name: 'daprsystem',
      namespace,
      why: 'read the clock skew',
    },
    {verb: 'list', group: 'apps', resource: 'deployments', namespace, why: 'find the control plane'},
    {verb: 'list', group: 'apps', resource: 'statefulsets', namespace, why: 'find the control plane'},
  )
  for (const workload of controlPlaneWorkloads) {
    const resource = workload.kind === 'Deployment' ? 'deployments' : 'statefulsets'
    for (const verb of ['get', 'patch'] as const) {
      rules.push({verb, group: 'apps', resource, name: workload.name, namespace, why: 'restart the control plane'})
    }
  }
  rules.push({verb: 'list', group: '', resource: 'pods', why: "check the sidecars' trust anchors"})
  return rules
}

/** Asks the API server about each rule, all at once. */
export async function reviewAccess(clients: KubeClients, rules: AccessRule[]): Promise<AccessResult[]> {
  return Promise.all(
    rules.map(async (rule) => {
      const review = await call(
        clients,
        {verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io'},
        (options) =>
          clients.authorization.createSelfSubjectAccessReview(
            {
              body: {
                apiVersion: 'authorization.k8s.io/v1',
                kind: 'SelfSubjectAccessReview',
                spec: {
                  resourceAttributes: {
                    verb: rule.verb,
                    group: rule.group,
                    resource: rule.resource,
                    ...(rule.name ? {name: rule.name} : {}),
                    ...(rule.namespace ? {namespace: rule.namespace} : {}),
                  },
                },
              },
            },
            options,
          ),
      )
      return {rule, allowed: review.status?.allowed ?? false, reason: review.status?.reason || undefined}
    }),
  )
}

/** Who the API server takes the user for (SelfSubjectReview); undefined when it will not say. */
export async function currentUser(clients: KubeClients): Promise<CurrentUser | undefined> {
  try {
    const review = await call(
      clients,
      {verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io'},
      (options) =>
        clients.authentication.createSelfSubjectReview(
          {body: {apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview'}},
          options,
        ),
    )
    const info = review.status?.userInfo
    return info?.username ? {username: info.username, groups: info.groups ?? []} : undefined
  } catch {
    return undefined
  }
}

interface RbacRule {
  apiGroups: string[]
  resources: string[]
  resourceNames?: string[]
  verbs: string[]
}

/** Pure: rules with the same group, resource and names merged, verbs in a stable order. */
function rbacRules(rules: AccessRule[]): RbacRule[] {
  const merged = new Map<string, RbacRule>()
  for (const rule of rules) {
    const key = `${rule.group}/${rule.resource}/${rule.name === undefined ? '' : 'named'}`
    const found = merged.get(key) ?? {
      apiGroups: [rule.group],
      resources: [rule.resource],
      ...(rule.name === undefined ? {} : {resourceNames: []}),
      verbs: [],
    }
    if (rule.name !== undefined && !found.resourceNames?.includes(rule.name)) found.resourceNames?.push(rule.name)
    if (!found.verbs.includes(rule.verb)) found.verbs.push(rule.verb)
    merged.set(key, found)
  }
  return [...merged.values()].map((r) => ({...r, verbs: [...r.verbs].sort()}))
}

/** Pure: the binding's subject: a ServiceAccount for system:serviceaccount:<ns>:<name>, else a User. */
function subjectOf(user: CurrentUser): object {
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.username)
  return account
    ? {kind: 'ServiceAccount', name: account[2], namespace: account[1]}
    : {apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user.username}
}

export const accessRoleName = 'dapr-mtls-renewal'

/**
 * Pure: the missing rules as a manifest `kubectl apply -f -` takes: a Role and RoleBinding in the control-plane
 * namespace, and a ClusterRole and ClusterRoleBinding for what spans namespaces (listing pods).
 */
export function accessManifest(missing: AccessRule[], namespace: string, user: CurrentUser): string {
  const namespaced = missing.filter((r) => r.namespace !== undefined)
  const clusterWide = missing.filter((r) => r.namespace === undefined)
  const subjects = [subjectOf(user)]
  const documents: object[] = []
  if (namespaced.length > 0) {
    documents.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: {name: accessRoleName, namespace},
        rules: rbacRules(namespaced),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: {name: accessRoleName, namespace},
        roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: accessRoleName},
        subjects,
      },
    )
  }
  if (clusterWide.length > 0) {
    documents.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: {name: accessRoleName},
        rules: rbacRules(clusterWide),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: {name: accessRoleName},
        roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: accessRoleName},
        subjects,
      },
    )
  }
  return documents.map((d) => stringify(d).trimEnd()).join('\n---\n')
}
