// Finding the Dapr control plane: one path for every command. -n wins; otherwise the namespaces holding the
// daprsystem Configuration or the dapr-sentry Deployment; none means Dapr is not installed, several means ask for -n.
import {UserError} from '../errors.js'
import type {KubeClients} from './client.js'
import {call, isNotFound, toUserError} from './errors.js'

export const daprGroup = {group: 'dapr.io', version: 'v1alpha1', plural: 'configurations'} as const
export const daprSystemConfigName = 'daprsystem'

interface Named {
  metadata?: {namespace?: string}
}

export async function findControlPlaneNamespace(clients: KubeClients, namespaceFlag?: string): Promise<string> {
  if (namespaceFlag !== undefined && namespaceFlag !== '') return namespaceFlag
  const [configurations, deployments] = await Promise.all([
    clients.custom
      .listClusterCustomObject({...daprGroup, fieldSelector: `metadata.name=${daprSystemConfigName}`})
      .then((list) => (list as {items?: Named[]}).items ?? [])
      .catch((error: unknown) => {
        // No Configuration CRD at all: Dapr's CRDs are not installed.
        if (isNotFound(error)) return []
        throw toUserError(error, {verb: 'list', resource: 'configurations.dapr.io'}, clients)
      }),
    call(clients, {verb: 'list', resource: 'deployments.apps'}, () =>
      clients.apps.listDeploymentForAllNamespaces({fieldSelector: 'metadata.name=dapr-sentry'}),
    ).then((list) => list.items as Named[]),
  ]).catch((error: unknown) => {
    if (error instanceof UserError && error.message.startsWith('permission denied')) {
      throw new UserError(`${error.message}, so the Dapr namespace cannot be found`, {
        hint: 'Pass -n with the Dapr control-plane namespace.',
      })
    }
    throw error
  })
  const namespaces = [
    ...new Set([...configurations, ...deployments].map((o) => o.metadata?.namespace).filter((n) => n !== undefined)),
  ].sort()
  if (namespaces.length === 0) {
    throw new UserError(`Dapr is not installed in this cluster (context ${clients.context})`, {
      hint: 'No daprsystem Configuration or dapr-sentry Deployment was found. Install it with `dapr init -k`, or pass -n.',
    })
  }
  if (namespaces.length > 1) {
    throw new UserError(`Dapr control planes were found in several namespaces: ${namespaces.join(', ')}`, {
      hint: 'Pass -n <namespace> to choose one.',
    })
  }
  return namespaces[0] ?? ''
}
