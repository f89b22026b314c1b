// The Dapr-enabled applications of a cluster: the workloads whose pod template asks the injector for a sidecar, the
// pods that run a daprd container (with the trust anchors it was injected with), and restarting them a few at a time.
// Lists are paginated, so memory stays flat however many apps there are.
import type {V1DaemonSet, V1Deployment, V1Pod, V1StatefulSet} from '@kubernetes/client-node'

import type {KubeClients} from './client.js'
import {call, type CallOptions, type RequestOptions} from './request.js'
import {type NamespacedWorkload, type RestartOutcome, restartWorkload, type TemplatePatch} from './restart.js'
import {formatWorkload} from './workload-names.js'

export {formatWorkload, parseWorkload} from './workload-names.js'

export const daprEnabledAnnotation = 'dapr.io/enabled'
export const sidecarContainerName = 'daprd'
const pageSize = 100

/** The truthy values of dapr/kit's IsTruthy, which the injector uses for dapr.io/enabled (case-insensitive). */
export function isTruthy(value: string | undefined): boolean {
  return ['y', 'yes', 'true', 't', 'on', '1'].includes((value ?? '').trim().toLowerCase())
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
  callOptions: CallOptions = {},
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
        callOptions,
      )
      yield* page.items
      next = page.metadata?._continue || undefined
    } while (next !== undefined)
  }
}

function templateEnabled(workload: V1Deployment | V1StatefulSet | V1DaemonSet): boolean {
  return isTruthy(workload.spec?.template.metadata?.annotations?.[daprEnabledAnnotation])
}

/** A Deployment, StatefulSet or DaemonSet as read, with its kind. */
export type WorkloadObject =
  | {kind: 'Deployment'; object: V1Deployment}
  | {kind: 'StatefulSet'; object: V1StatefulSet}
  | {kind: 'DaemonSet'; object: V1DaemonSet}

/**
 * Every Deployment, StatefulSet and DaemonSet in the scope, each turned into a T by `pick` (undefined leaves it out),
 * sorted by `<namespace>/<kind>/<name>`.
 */
export async function listWorkloads<T extends NamespacedWorkload>(
  clients: KubeClients,
  scope: AppScope,
  pick: (workload: WorkloadObject) => T | undefined,
): Promise<T[]> {
  const {apps} = clients
  const collect = async <O extends V1Deployment | V1StatefulSet | V1DaemonSet>(
    resource: string,
    list: (namespace: string | undefined) => Lister<O>,
    wrap: (object: O) => WorkloadObject,
  ): Promise<T[]> => {
    const found: T[] = []
    for await (const object of listInScope(clients, resource, scope, list)) {
      const picked = pick(wrap(object))
      if (picked !== undefined) found.push(picked)
    }
    return found
  }
  const lists = await Promise.all([
    collect<V1Deployment>(
      'deployments.apps',
      (namespace) => (page, options) =>
        namespace
          ? apps.listNamespacedDeployment({namespace, ...page}, options)
          : apps.listDeploymentForAllNamespaces(page, options),
      (object) => ({kind: 'Deployment', object}),
    ),
    collect<V1StatefulSet>(
      'statefulsets.apps',
      (namespace) => (page, options) =>
        namespace
          ? apps.listNamespacedStatefulSet({namespace, ...page}, options)
          : apps.listStatefulSetForAllNamespaces(page, options),
      (object) => ({kind: 'StatefulSet', object}),
    ),
    collect<V1DaemonSet>(
      'daemonsets.apps',
      (namespace) => (page, options) =>
        namespace
          ? apps.listNamespacedDaemonSet({namespace, ...page}, options)
          : apps.listDaemonSetForAllNamespaces(page, options),
      (object) => ({kind: 'DaemonSet', object}),
    ),
  ])
  return lists.flat().sort((a, b) => formatWorkload(a).localeCompare(formatWorkload(b)))
}

/** The Deployments, StatefulSets and DaemonSets whose pod template has a truthy dapr.io/enabled, sorted. */
export function listDaprWorkloads(clients: KubeClients, scope: AppScope = {}): Promise<NamespacedWorkload[]> {
  return listWorkloads(clients, scope, ({kind, object}) =>
    templateEnabled(object)
      ? {namespace: object.metadata?.namespace ?? '', kind, name: object.metadata?.name ?? ''}
      : undefined,
  )
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

/**
 * Every running pod in the scope (not finished, not being deleted), each turned into a T by `pick`, a page at a time.
 * `fields` keeps, of each pod as the API sends it, what `pick` reads, before the client builds its models.
 */
export async function listRunningPods<T>(
  clients: KubeClients,
  scope: AppScope,
  pick: (pod: V1Pod) => T | undefined,
  fields?: (pod: PodJson) => PodJson,
): Promise<T[]> {
  const found: T[] = []
  const fieldSelector = 'status.phase!=Succeeded,status.phase!=Failed'
  for await (const pod of listInScope<V1Pod>(
    clients,
    'pods',
    scope,
    (namespace) => (page, options) =>
      namespace
        ? clients.core.listNamespacedPod({namespace, fieldSelector, ...page}, options)
        : clients.core.listPodForAllNamespaces({fieldSelector, ...page}, options),
    fields ? {rewriteBody: (body) => ({...(body as PodListJson), items: (body as PodListJson).items.map(fields)})} : {},
  )) {
    if (pod.metadata?.deletionTimestamp) continue
    const picked = pick(pod)
    if (picked !== undefined) found.push(picked)
  }
  return found
}

/** A pod as the API sends it, as far as the pod scans read it. */
export interface PodJson {
  metadata?: Pick<
    NonNullable<V1Pod['metadata']>,
    'name' | 'namespace' | 'ownerReferences' | 'labels' | 'annotations'
  > & {
    deletionTimestamp?: string
    creationTimestamp?: string
  }
  spec?: {containers: {name: string; env?: {name: string; value?: string}[]}[]}
  status?: {startTime?: string}
}

interface PodListJson {
  items: PodJson[]
}

/**
 * Pure: of a pod as the API sends it, what sidecarOf reads: a page of 500 injected pods is megabytes of JSON, and the
 * client's models of all of it took more memory than the rest of a command.
 */
export function sidecarFields(pod: PodJson): PodJson {
  const {metadata = {}, spec, status} = pod
  const hash = metadata.labels?.['pod-template-hash']
  const daprd = spec?.containers.find((c) => c.name === sidecarContainerName)
  const anchors = daprd?.env?.filter((e) => e.name === 'DAPR_TRUST_ANCHORS')
  return {
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      ownerReferences: metadata.ownerReferences,
      ...(hash === undefined ? {} : {labels: {'pod-template-hash': hash}}),
      ...(metadata.deletionTimestamp ? {deletionTimestamp: metadata.deletionTimestamp} : {}),
      ...(metadata.creationTimestamp ? {creationTimestamp: metadata.creationTimestamp} : {}),
    },
    spec: {containers: daprd ? [{name: daprd.name, ...(anchors ? {env: anchors} : {})}] : []},
    ...(status?.startTime ? {status: {startTime: status.startTime}} : {}),
  }
}

/** Pure: of a pod as the API sends it, its metadata only, for scans that read nothing else. */
export function metadataFields(pod: PodJson): PodJson {
  return pod.metadata === undefined ? {} : {metadata: pod.metadata}
}

/** Every running pod with a daprd container, read a page at a time. */
export function listSidecarPods(clients: KubeClients, scope: AppScope = {}): Promise<SidecarPod[]> {
  return listRunningPods(clients, scope, sidecarOf, sidecarFields)
}

export interface AppRestartOptions {
  concurrency: number
  timeoutMs: number
  /** A workload finished (done or not). */
  onFinished?: (outcome: AppRestartOutcome, finished: number, total: number) => void
  /** Ctrl-C: no restart is started after it, and those in flight stop being waited for. */
  signal?: AbortSignal | undefined
  /** Changes to a workload's pod template made by the same patch that restarts it, so it rolls once. */
  templatePatch?: (workload: NamespacedWorkload) => TemplatePatch | undefined
}

export type AppRestartOutcome = RestartOutcome & {namespace: string}

/** How a caller that brings its own template changes restarts workloads. */
export type RollOptions = Omit<AppRestartOptions, 'templatePatch'>

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
        ...(await restartWorkload(clients, workload, deadline, {
          signal: options.signal,
          templatePatch: options.templatePatch?.(workload),
        })),
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
