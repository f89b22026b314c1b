// Dapr Components and Configurations, a plain Secret, and a workload's pod template, as `oauth2 create -k` reads and
// writes them. Writes are conditional: a create fails if the object appeared since it was read, a replace carries
// the resourceVersion read, so a concurrent change stops the command instead of being overwritten.
import type {V1Secret} from '@kubernetes/client-node'

import type {DaprObject} from '../oauth2/manifests.js'
import type {OAuthCluster, WorkloadTemplate} from '../oauth2/cluster.js'
import {isTruthy, restartApps} from './apps.js'
import type {KubeClients} from './client.js'
import {call, callOptional} from './request.js'
import {mergePatch, type NamespacedWorkload} from './restart.js'
import {managedByLabel} from './tokens.js'

const dapr = {group: 'dapr.io', version: 'v1alpha1'} as const
type Plural = 'components' | 'configurations'

function readTemplate(clients: KubeClients, workload: NamespacedWorkload) {
  const {name, namespace} = workload
  const action = {verb: 'get' as const, resource: `${workload.kind.toLowerCase()}s.apps`, name, namespace}
  return callOptional(clients, action, (options) => {
    switch (workload.kind) {
      case 'Deployment':
        return clients.apps.readNamespacedDeployment({name, namespace}, options)
      case 'StatefulSet':
        return clients.apps.readNamespacedStatefulSet({name, namespace}, options)
      case 'DaemonSet':
        return clients.apps.readNamespacedDaemonSet({name, namespace}, options)
    }
  })
}

export function oauthCluster(clients: KubeClients): OAuthCluster {
  const {core, custom} = clients
  const readObject = (plural: Plural, namespace: string, name: string) =>
    callOptional(
      clients,
      {verb: 'get', resource: `${plural}.dapr.io`, name, namespace},
      (options) => custom.getNamespacedCustomObject({...dapr, plural, namespace, name}, options) as Promise<DaprObject>,
    )
  return {
    async readWorkload(workload): Promise<WorkloadTemplate | undefined> {
      const object = await readTemplate(clients, workload)
      if (object === undefined) return undefined
      const annotations = object.spec?.template.metadata?.annotations ?? {}
      return {daprEnabled: isTruthy(annotations['dapr.io/enabled']), config: annotations['dapr.io/config']}
    },

    readComponent: (namespace, name) => readObject('components', namespace, name),
    readConfiguration: (namespace, name) => readObject('configurations', namespace, name),

    async readSecret(namespace, name) {
      const secret = await callOptional(clients, {verb: 'get', resource: 'secrets', name, namespace}, (options) =>
        core.readNamespacedSecret({name, namespace}, options),
      )
      return secret?.metadata?.resourceVersion
    },

    async writeSecret(namespace, name, data, resourceVersion) {
      const encoded = Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]),
      )
      if (resourceVersion === undefined) {
        const body: V1Secret = {metadata: {name, namespace, labels: managedByLabel}, type: 'Opaque', data: encoded}
        await call(clients, {verb: 'create', resource: 'secrets', namespace}, (options) =>
          core.createNamespacedSecret({namespace, body}, options),
        )
        return
      }
      const body = {metadata: {resourceVersion}, data: encoded}
      await call(
        clients,
        {verb: 'patch', resource: 'secrets', name, namespace},
        (options) => core.patchNamespacedSecret({name, namespace, body}, options),
        {headers: mergePatch},
      )
    },

    async writeObject(plural, object) {
      const namespace = object.metadata.namespace ?? ''
      const {name} = object.metadata
      if (object.metadata.resourceVersion === undefined) {
        await call(clients, {verb: 'create', resource: `${plural}.dapr.io`, namespace}, (options) =>
          custom.createNamespacedCustomObject({...dapr, plural, namespace, body: object}, options),
        )
        return
      }
      await call(clients, {verb: 'update', resource: `${plural}.dapr.io`, name, namespace}, (options) =>
        custom.replaceNamespacedCustomObject({...dapr, plural, namespace, name, body: object}, options),
      )
    },

    roll(workloads, patchOf, options) {
      return restartApps(clients, workloads, {...options, templatePatch: patchOf})
    },
  }
}
