// Finding the Dapr control plane: one path for every command. -n wins; otherwise the namespaces holding the
// daprsystem Configuration or the dapr-sentry Deployment; none means Dapr is not installed, several means ask for -n.
import {DaprNotInstalledError, UserError} from '../errors.js'
import type {KubeClients} from './client.js'
import {call, callOptional, isForbidden} from './errors.js'

export const daprGroup = {group: 'dapr.io', version: 'v1alpha1', plural: 'configurations'} as const
export const daprSystemConfigName = 'daprsystem'

interface Named {
  metadata?: {namespace?: string}
}

export async function findControlPlaneNamespace(clients: KubeClients, namespaceFlag?: string): Promise<string> {
  if (namespaceFlag !== undefined && namespaceFlag !== '') return namespaceFlag
  const [configurations, deployments] = await Promise.all([
    // A 404 here means the Configuration CRD itself is missing: Dapr's CRDs are not installed.
    callOptional(
      clients,
      {verb: 'list', resource: 'configurations.dapr.io'},
      () =>
        clients.custom.listClusterCustomObject({
          ...daprGroup,
          fieldSelector: `metadata.name=${daprSystemConfigName}`,
        }) as Promise<{items?: Named[]}>,
    ).then((list) => list?.items ?? []),
    call(clients, {verb: 'list', resource: 'deployments.apps'}, () =>
      clients.apps.listDeploymentForAllNamespaces({fieldSelector: 'metadata.name=dapr-sentry'}),
    ).then((list) => list.items as Named[]),
  ]).catch((error: unknown) => {
    if (isForbidden(error)) {
      throw new UserError(`${(error as Error).message}, so the Dapr namespace cannot be found`, {
        hint: 'Pass -n with the Dapr control-plane namespace.',
      })
    }
    throw error
  })
  const namespaces = [
    ...new Set([...configurations, ...deployments].map((o) => o.metadata?.namespace).filter((n) => n !== undefined)),
  ].sort()
  if (namespaces.length === 0) throw new DaprNotInstalledError(clients.context)
  if (namespaces.length > 1) {
    throw new UserError(`Dapr control planes were found in several namespaces: ${namespaces.join(', ')}`, {
      hint: 'Pass -n <namespace> to choose one.',
    })
  }
  return namespaces[0] ?? ''
}
