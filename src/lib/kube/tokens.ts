// The token commands' reads and writes over the API server: the token Secret of a namespace (written only under
// the resourceVersion read, so a concurrent change stops the command), the workloads with what their pod templates
// say about tokens, the running pods, and rolls through restartApps with the template changes in the same patch.
import type {V1Container, V1Pod, V1Secret} from '@kubernetes/client-node'

import {UserError} from '../errors.js'
import {
  secretFingerprintAnnotation,
  secretGenerationAnnotation,
  secretUpdatedAnnotation,
  tokenKey,
} from '../tokens/kinds.js'
import type {TemplateContainer, TokenCluster, TokenPod, TokenSecret, TokenWorkload} from '../tokens/model.js'
import {
  isTruthy,
  listDaprWorkloads,
  listRunningPods,
  listWorkloads,
  metadataFields,
  podOwner,
  restartApps,
} from './apps.js'
import type {KubeClients} from './client.js'
import {isNotFound} from './errors.js'
import {call, callOptional} from './request.js'
import {mergePatch} from './restart.js'

/** Marks the Secrets this tool creates, so `kubectl get secrets -l` finds them. */
export const managedByLabel = {'app.kubernetes.io/managed-by': 'dapr-mtls'}

function date(value: string | Date | undefined): Date | undefined {
  if (value === undefined) return undefined
  const parsed = new Date(value)
  return Number.isNaN(parsed.getTime()) ? undefined : parsed
}

/** Pure: the token Secret as the token commands see it. */
export function tokenSecretOf(secret: V1Secret): TokenSecret {
  const annotations = secret.metadata?.annotations ?? {}
  const encoded = secret.data?.[tokenKey]
  const generation = Number.parseInt(annotations[secretGenerationAnnotation] ?? '', 10)
  return {
    namespace: secret.metadata?.namespace ?? '',
    name: secret.metadata?.name ?? '',
    resourceVersion: secret.metadata?.resourceVersion ?? '',
    token: encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'),
    createdAt: date(secret.metadata?.creationTimestamp),
    updatedAt: date(annotations[secretUpdatedAnnotation]),
    generation: Number.isNaN(generation) ? undefined : generation,
    fingerprint: annotations[secretFingerprintAnnotation],
  }
}

function templateContainer(container: V1Container): TemplateContainer {
  return {
    name: container.name,
    env: (container.env ?? []).map((e) => ({
      name: e.name,
      secretName: e.valueFrom?.secretKeyRef?.name,
      secretKey: e.valueFrom?.secretKeyRef?.key,
    })),
    envFromSecrets: (container.envFrom ?? []).flatMap((e) => (e.secretRef?.name ? [e.secretRef.name] : [])),
  }
}

/** Pure: a pod's token view: its annotations (copied from its template) and the workload that owns it. */
export function tokenPodOf(pod: V1Pod): TokenPod {
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    owner: podOwner(pod).owner,
    annotations: pod.metadata?.annotations ?? {},
    createdAt: date(pod.metadata?.creationTimestamp),
  }
}

function secretAction(namespace: string, name: string, verb: 'get' | 'create' | 'patch' | 'delete') {
  return {verb, resource: 'secrets', name, namespace}
}

export function tokenCluster(clients: KubeClients): TokenCluster {
  const {core} = clients
  return {
    async readSecret(namespace, name) {
      const secret = await callOptional(clients, secretAction(namespace, name, 'get'), (options) =>
        core.readNamespacedSecret({name, namespace}, options),
      )
      return secret ? tokenSecretOf(secret) : undefined
    },

    async createSecret(namespace, name, token, annotations) {
      const body: V1Secret = {
        metadata: {name, namespace, labels: managedByLabel, annotations},
        type: 'Opaque',
        data: {[tokenKey]: Buffer.from(token, 'utf8').toString('base64')},
      }
      try {
        await call(clients, {...secretAction(namespace, name, 'create'), name: undefined}, (options) =>
          core.createNamespacedSecret({namespace, body}, options),
        )
      } catch (error) {
        // A 404 on create is the namespace, not the Secret.
        if (isNotFound(error)) {
          throw new UserError(`namespace ${namespace} does not exist; no Secret was created there`, {
            hint: 'Check --app-namespace (kubectl get namespaces).',
          })
        }
        throw error
      }
    },

    async replaceSecret(secret, token, annotations) {
      const {namespace, name, resourceVersion} = secret
      // A merge patch carrying the resourceVersion read is refused (409) if the Secret changed since; other keys stay.
      const body = {
        metadata: {resourceVersion, annotations},
        data: {[tokenKey]: Buffer.from(token, 'utf8').toString('base64')},
      }
      await call(
        clients,
        secretAction(namespace, name, 'patch'),
        (options) => core.patchNamespacedSecret({name, namespace, body}, options),
        {headers: mergePatch},
      )
    },

    async deleteSecret(secret) {
      const {namespace, name, resourceVersion} = secret
      await call(clients, secretAction(namespace, name, 'delete'), (options) =>
        core.deleteNamespacedSecret({name, namespace, body: {preconditions: {resourceVersion}}}, options),
      )
    },

    listWorkloads(namespace) {
      return listWorkloads(clients, {namespaces: [namespace]}, ({kind, object}): TokenWorkload => {
        const template = object.spec?.template
        return {
          namespace: object.metadata?.namespace ?? namespace,
          kind,
          name: object.metadata?.name ?? '',
          daprEnabled: isTruthy(template?.metadata?.annotations?.['dapr.io/enabled']),
          replicas:
            kind === 'DaemonSet' ? undefined : ((object.spec as {replicas?: number} | undefined)?.replicas ?? 1),
          annotations: template?.metadata?.annotations ?? {},
          containers: (template?.spec?.containers ?? []).map(templateContainer),
        }
      })
    },

    async daprNamespaces() {
      const workloads = await listDaprWorkloads(clients)
      return [...new Set(workloads.map((w) => w.namespace))].sort()
    },

    listPods(namespace) {
      return listRunningPods(clients, {namespaces: [namespace]}, tokenPodOf, metadataFields)
    },

    roll(workloads, patchOf, options) {
      return restartApps(clients, workloads, {...options, templatePatch: patchOf})
    },
  }
}
