// `dapr status -k`: one row per control-plane workload, healthy only when every desired replica is ready, from three
// list calls whatever the cluster size (Deployments, StatefulSets and the control-plane pods of one namespace).
import type {V1Deployment, V1Pod, V1StatefulSet} from '@kubernetes/client-node'

import {renderTable} from '../output/table.js'
import {age, createdTime} from '../output/time-layouts.js'
import type {KubeClients} from './client.js'
import {call} from './request.js'
import {controlPlaneWorkloads, type WorkloadKind} from './restart.js'
import {imageTag} from './sentry-deployment.js'

export interface ComponentStatus {
  name: string
  namespace: string
  kind: WorkloadKind
  healthy: boolean
  status: string
  replicas: number
  readyReplicas: number
  version: string
  image: string
  created: Date
}

function podProblem(pods: V1Pod[]): string | undefined {
  for (const pod of pods) {
    const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting
    if (waiting) return `Waiting (${waiting.reason ?? 'unknown'})`
    const terminated = pod.status?.containerStatuses?.find((c) => c.state?.terminated)
    if (terminated) return 'Terminated'
    if (pod.status?.phase && pod.status.phase !== 'Running') {
      const unschedulable = pod.status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')
      return unschedulable ? `${pod.status.phase} (${unschedulable.reason ?? 'Unschedulable'})` : pod.status.phase
    }
  }
  return undefined
}

/** Pure: a workload and its pods to a status row. */
export function componentStatus(
  kind: WorkloadKind,
  workload: V1Deployment | V1StatefulSet,
  pods: V1Pod[],
): ComponentStatus {
  const replicas = workload.spec?.replicas ?? 1
  const readyReplicas = workload.status?.readyReplicas ?? 0
  const healthy = replicas > 0 && readyReplicas >= replicas
  const image = workload.spec?.template.spec?.containers[0]?.image ?? ''
  let status = 'Running'
  if (!healthy)
    status = replicas === 0 ? 'Scaled to zero' : (podProblem(pods) ?? (pods.length === 0 ? 'No pods' : 'Starting'))
  return {
    name: workload.metadata?.name ?? '',
    namespace: workload.metadata?.namespace ?? '',
    kind,
    healthy,
    status,
    replicas,
    readyReplicas,
    version: imageTag(image),
    image,
    created: workload.metadata?.creationTimestamp ?? new Date(0),
  }
}

export async function readControlPlaneStatus(clients: KubeClients, namespace: string): Promise<ComponentStatus[]> {
  const names = controlPlaneWorkloads.map((w) => w.name)
  const [deployments, statefulSets, pods] = await Promise.all([
    call(clients, {verb: 'list', resource: 'deployments.apps', namespace}, (options) =>
      clients.apps.listNamespacedDeployment({namespace}, options),
    ),
    call(clients, {verb: 'list', resource: 'statefulsets.apps', namespace}, (options) =>
      clients.apps.listNamespacedStatefulSet({namespace}, options),
    ),
    call(clients, {verb: 'list', resource: 'pods', namespace}, (options) =>
      clients.core.listNamespacedPod({namespace, labelSelector: `app in (${names.join(',')})`}, options),
    ),
  ])
  const podsOf = (name: string) => pods.items.filter((p) => p.metadata?.labels?.app === name)
  const rows: ComponentStatus[] = []
  for (const workload of controlPlaneWorkloads) {
    const list: (V1Deployment | V1StatefulSet)[] =
      workload.kind === 'Deployment' ? deployments.items : statefulSets.items
    const found = list.find((w) => w.metadata?.name === workload.name)
    if (found) rows.push(componentStatus(workload.kind, found, podsOf(workload.name)))
  }
  return rows
}

/** The official `dapr status -k` table; `wide` adds the full image reference. */
export function renderStatus(components: ComponentStatus[], options: {wide?: boolean} = {}): string {
  const now = new Date()
  const head = ['NAME', 'NAMESPACE', 'HEALTHY', 'STATUS', 'REPLICAS', 'VERSION', 'AGE', 'CREATED']
  return renderTable(
    options.wide ? [...head, 'IMAGE'] : head,
    components.map((c) => {
      const row = [
        c.name,
        c.namespace,
        c.healthy ? 'True' : 'False',
        c.status,
        String(c.replicas),
        c.version,
        age(c.created, now),
        createdTime(c.created),
      ]
      return options.wide ? [...row, c.image] : row
    }),
  )
}
