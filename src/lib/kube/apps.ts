// The Dapr-enabled applications of a cluster: the workloads whose pod template asks the injector for a sidecar, the
// pods that run a daprd container (with the trust anchors it was injected with), and restarting them a few at a time.
// Lists are paginated, so memory stays flat however many apps there are.
import type {V1DaemonSet, V1Deployment, V1Pod, V1StatefulSet} from '@kubernetes/client-node'

import {UsageError} from '../errors.js'
import type {KubeClients} from './client.js'
import {call, type RequestOptions} from './request.js'
import {type NamespacedWorkload, type RestartOutcome, restartWorkload, type WorkloadKind} from './restart.js'

export const daprEnabledAnnotation = 'dapr.io/enabled'
export const sidecarContainerName = 'daprd'
const pageSize = 500

/** The truthy values of dapr/kit's IsTruthy, which the injector uses for dapr.io/enabled (case-insensitive). */
export function isTruthy(value: string | undefined): boolean {
  return ['y', 'yes', 'true', 't', 'on', '1'].includes((value ?? '').trim().toLowerCase())
}

const kindNames: Record<string, WorkloadKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
}

/** `<namespace>/<kind>/<name>`, the form every flag that takes a workload uses. */
export function formatWorkload(workload: NamespacedWorkload): string {
  return `${workload.namespace}/${workload.kind.toLowerCase()}/${workload.name}`
}

/** Parses `<namespace>/<kind>/<name>` (kind: deployment|deploy, statefulset|sts, daemonset|ds). */
export function parseWorkload(reference: string, flag = '--only'): NamespacedWorkload {
  const parts = reference.split('/')
  const kind = kindNames[(parts[1] ?? '').toLowerCase()]
  if (parts.length !== 3 || !parts[0] || !parts[2] || kind === undefined) {
    throw new UsageError(
      `${flag} ${reference} is not <namespace>/<kind>/<name>`,
      'Write it like apps/deployment/checkout (kinds: deployment|deploy, statefulset|sts, daemonset|ds).',
    )
  }
  return {namespace: parts[0], kind, name: parts[2]}
}

/** A pod running a daprd container, with what it was injected with. */
export interface SidecarPod {
  namespace: string
  name: string
  /** The workload a rollout can replace it through; undefined for a bare pod or a Job's pod. */
  owner: NamespacedWorkload | undefined
  /** What owns it when no rollout can replace it: "Pod", "Job <name>", ... */
  ownerDescription: string
  /** The daprd container's DAPR_TRUST_ANCHORS, as the injector wrote it at admission. */
  trustAnchorsPem: string | undefined
  startedAt: Date | undefined
}

export interface AppScope {
  /** Only these namespaces; all namespaces when absent or empty. */
  namespaces?: string[]
}

interface Page<T> {
  items: T[]
  metadata?: {_continue?: string}
}

/** One page of a list: `continue` and `limit` for the API, `options` for the request (its time bound). */
type Lister<T> = (page: {_continue?: string; limit: number}, options: RequestOptions) => Promise<Page<T>>

/**
 * Every item of a resource in the scope, a page at a time: one paginated list per namespace of the scope, or one
 * cluster-wide list.
 */
async function* listInScope<T>(
  clients: KubeClients,
  resource: string,
  scope: AppScope,
  list: (namespace: string | undefined) => Lister<T>,
): AsyncGenerator<T> {
  const namespaces = scope.namespaces ?? []
  for (const namespace of namespaces.length === 0 ? [undefined] : namespaces) {
    const lister = list(namespace)
    let next: string | undefined
    do {
      const page: Page<T> = await call(
        clients,
        {verb: 'list', resource, ...(namespace ? {namespace} : {})},
        (options) => lister({limit: pageSize, ...(next ? {_continue: next} : {})}, options),
      )
      yield* page.items
      next = page.metadata?._continue || undefined
    } while (next !== undefined)
  }
}

function templateEnabled(workload: V1Deployment | V1StatefulSet | V1DaemonSet): boolean {
  return isTruthy(workload.spec?.template.metadata?.annotations?.[daprEnabledAnnotation])
}

/** The Deployments, StatefulSets and DaemonSets whose pod template has a truthy dapr.io/enabled, sorted. */
export async function listDaprWorkloads(clients: KubeClients, scope: AppScope = {}): Promise<NamespacedWorkload[]> {
  const {apps} = clients
  const collect = async <T extends V1Deployment | V1StatefulSet | V1DaemonSet>(
    kind: WorkloadKind,
    resource: string,
    list: (namespace: string | undefined) => Lister<T>,
  ): Promise<NamespacedWorkload[]> => {
    const found: NamespacedWorkload[] = []
    for await (const workload of listInScope(clients, resource, scope, list)) {
      if (templateEnabled(workload)) {
        found.push({namespace: workload.metadata?.namespace ?? '', kind, name: workload.metadata?.name ?? ''})
      }
    }
    return found
  }
  const lists = await Promise.all([
    collect<V1Deployment>(
      'Deployment',
      'deployments.apps',
      (namespace) => (page, options) =>
        namespace
          ? apps.listNamespacedDeployment({namespace, ...page}, options)
          : apps.listDeploymentForAllNamespaces(page, options),
    ),
    collect<V1StatefulSet>(
      'StatefulSet',
      'statefulsets.apps',
      (namespace) => (page, options) =>
        namespace
          ? apps.listNamespacedStatefulSet({namespace, ...page}, options)
          : apps.listStatefulSetForAllNamespaces(page, options),
    ),
    collect<V1DaemonSet>(
      'DaemonSet',
      'daemonsets.apps',
      (namespace) => (page, options) =>
        namespace
          ? apps.listNamespacedDaemonSet({namespace, ...page}, options)
          : apps.listDaemonSetForAllNamespaces(page, options),
    ),
  ])
  return lists.flat().sort((a, b) => formatWorkload(a).localeCompare(formatWorkload(b)))
}

/**
 * Pure: the workload a pod belongs to, from its owner reference. A ReplicaSet's name is its Deployment's name plus
 * "-<pod-template-hash>", the hash also being the pod's label, so no ReplicaSet needs reading.
 */
export function podOwner(pod: V1Pod): {owner: NamespacedWorkload | undefined; description: string} {
  const namespace = pod.metadata?.namespace ?? ''
  const reference = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0]
  if (reference === undefined) return {owner: undefined, description: 'Pod (no owner)'}
  switch (reference.kind) {
    case 'ReplicaSet': {
      const hash = pod.metadata?.labels?.['pod-template-hash']
      const suffix = hash ? `-${hash}` : undefined
      if (suffix && reference.name.endsWith(suffix)) {
        return {
          owner: {namespace, kind: 'Deployment', name: reference.name.slice(0, -suffix.length)},
          description: 'Deployment',
        }
      }
      return {owner: undefined, description: `ReplicaSet ${reference.name}`}
    }
    case 'StatefulSet':
    case 'DaemonSet':
      return {owner: {namespace, kind: reference.kind, name: reference.name}, description: reference.kind}
    default:
      return {owner: undefined, description: `${reference.kind} ${reference.name}`}
  }
}

/** Pure: the daprd sidecar of a pod, if it has one, as a SidecarPod. */
export function sidecarOf(pod: V1Pod): SidecarPod | undefined {
  const daprd = pod.spec?.containers.find((c) => c.name === sidecarContainerName)
  if (daprd === undefined) return undefined
  const {owner, description} = podOwner(pod)
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    owner,
    ownerDescription: description,
    trustAnchorsPem: daprd.env?.find((e) => e.name === 'DAPR_TRUST_ANCHORS')?.value,
    startedAt: pod.status?.startTime ?? pod.metadata?.creationTimestamp,
  }
}

/** Every running pod with a daprd container, read a page at a time. */
export async function listSidecarPods(clients: KubeClients, scope: AppScope = {}): Promise<SidecarPod[]> {
  const pods: SidecarPod[] = []
  const fieldSelector = 'status.phase!=Succeeded,status.phase!=Failed'
  for await (const pod of listInScope<V1Pod>(
    clients,
    'pods',
    scope,
    (namespace) => (page, options) =>
      namespace
        ? clients.core.listNamespacedPod({namespace, fieldSelector, ...page}, options)
        : clients.core.listPodForAllNamespaces({fieldSelector, ...page}, options),
  )) {
    if (pod.metadata?.deletionTimestamp) continue
    const sidecar = sidecarOf(pod)
    if (sidecar) pods.push(sidecar)
  }
  return pods
}

export interface AppRestartOptions {
  concurrency: number
  timeoutMs: number
  /** A workload finished (done or not). */
  onFinished?: (outcome: AppRestartOutcome, finished: number, total: number) => void
  /** Ctrl-C: no restart is started after it, and those in flight stop being waited for. */
  signal?: AbortSignal | undefined
}

export type AppRestartOutcome = RestartOutcome & {namespace: string}

/** Restarts the workloads, at most `concurrency` at a time, each waited for, all within one deadline. */
export async function restartApps(
  clients: KubeClients,
  workloads: NamespacedWorkload[],
  options: AppRestartOptions,
): Promise<AppRestartOutcome[]> {
  const deadline = Date.now() + options.timeoutMs
  const outcomes: AppRestartOutcome[] = new Array<AppRestartOutcome>(workloads.length)
  let nextIndex = 0
  let finished = 0
  const worker = async () => {
    for (;;) {
      const index = nextIndex++
      const workload = workloads[index]
      if (workload === undefined) return
      const outcome: AppRestartOutcome = {
        ...(await restartWorkload(clients, workload, deadline, {signal: options.signal})),
        namespace: workload.namespace,
      }
      outcomes[index] = outcome
      finished++
      options.onFinished?.(outcome, finished, workloads.length)
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(options.concurrency, workloads.length))}, () => worker()))
  return outcomes
}
