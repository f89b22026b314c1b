// Restarting the control plane the way `kubectl rollout restart` does, in Dapr's order: dapr-sentry first and waited
// for, then the operator, the sidecar injector, placement and scheduler together, each only if present. One deadline
// bounds the whole restart.
import type {V1Deployment, V1StatefulSet} from '@kubernetes/client-node'

import type {KubeClients} from './client.js'
import {ApiError} from './errors.js'
import {call, requestTimeoutMs} from './request.js'
import {deploymentRolloutState, type RolloutState, statefulSetRolloutState} from './rollout.js'

export type WorkloadKind = 'Deployment' | 'StatefulSet'

export interface Workload {
  kind: WorkloadKind
  name: string
}

export const sentry: Workload = {kind: 'Deployment', name: 'dapr-sentry'}
export const controlPlaneWorkloads: Workload[] = [
  sentry,
  {kind: 'Deployment', name: 'dapr-operator'},
  {kind: 'Deployment', name: 'dapr-sidecar-injector'},
  {kind: 'StatefulSet', name: 'dapr-placement-server'},
  {kind: 'StatefulSet', name: 'dapr-scheduler-server'},
]

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt'
export const mergePatch = {'Content-Type': 'application/merge-patch+json'}

export interface RestartOutcome extends Workload {
  restarted: boolean
  done: boolean
  message: string
  restartedAt: string | undefined
  seconds: number
}

export interface RestartOptions {
  timeoutMs: number
  pollMs?: number
  /** Called when a workload's state changes (not on every poll). */
  onProgress?: (workload: Workload, message: string, done: boolean) => void
}

/** Which control-plane workloads exist in the namespace, in restart order. */
export async function presentWorkloads(clients: KubeClients, namespace: string): Promise<Workload[]> {
  const [deployments, statefulSets] = await Promise.all([
    call(clients, {verb: 'list', resource: 'deployments.apps', namespace}, (options) =>
      clients.apps.listNamespacedDeployment({namespace}, options),
    ),
    call(clients, {verb: 'list', resource: 'statefulsets.apps', namespace}, (options) =>
      clients.apps.listNamespacedStatefulSet({namespace}, options),
    ),
  ])
  const deploymentNames = new Set(deployments.items.map((d) => d.metadata?.name))
  const statefulSetNames = new Set(statefulSets.items.map((s) => s.metadata?.name))
  return controlPlaneWorkloads.filter((w) =>
    w.kind === 'Deployment' ? deploymentNames.has(w.name) : statefulSetNames.has(w.name),
  )
}

function resource(workload: Workload): string {
  return workload.kind === 'Deployment' ? 'deployments.apps' : 'statefulsets.apps'
}

/** How long one request may take: what is left before the deadline, within the adapter's per-request bound. */
function requestBudget(clients: KubeClients, deadline: number): number {
  return Math.max(1000, Math.min(clients.requestTimeoutMs ?? requestTimeoutMs, deadline - Date.now()))
}

async function readState(
  clients: KubeClients,
  namespace: string,
  workload: Workload,
  deadline: number,
): Promise<RolloutState> {
  const action = {verb: 'get', resource: resource(workload), name: workload.name, namespace} as const
  if (workload.kind === 'Deployment') {
    const deployment = await call(
      clients,
      action,
      (options) => clients.apps.readNamespacedDeployment({name: workload.name, namespace}, options),
      {timeoutMs: requestBudget(clients, deadline)},
    )
    return deploymentRolloutState(deployment)
  }
  const statefulSet = await call(
    clients,
    action,
    (options) => clients.apps.readNamespacedStatefulSet({name: workload.name, namespace}, options),
    {timeoutMs: requestBudget(clients, deadline)},
  )
  return statefulSetRolloutState(statefulSet)
}

async function patchRestartedAt(
  clients: KubeClients,
  namespace: string,
  workload: Workload,
  restartedAt: string,
  deadline: number,
) {
  const action = {verb: 'patch', resource: resource(workload), name: workload.name, namespace} as const
  const body = {spec: {template: {metadata: {annotations: {[restartedAtAnnotation]: restartedAt}}}}}
  const merge = {timeoutMs: requestBudget(clients, deadline), headers: mergePatch}
  if (workload.kind === 'Deployment') {
    const current: V1Deployment = await call(
      clients,
      {...action, verb: 'get'},
      (options) => clients.apps.readNamespacedDeployment({name: workload.name, namespace}, options),
      {timeoutMs: requestBudget(clients, deadline)},
    )
    if (current.spec?.paused)
      throw new Error(`deployment ${workload.name} is paused (run kubectl rollout resume first)`)
    await call(
      clients,
      action,
      (options) => clients.apps.patchNamespacedDeployment({name: workload.name, namespace, body}, options),
      merge,
    )
    return
  }
  await call(
    clients,
    action,
    (options): Promise<V1StatefulSet> =>
      clients.apps.patchNamespacedStatefulSet({name: workload.name, namespace, body}, options),
    merge,
  )
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function restartAndWait(
  clients: KubeClients,
  namespace: string,
  workload: Workload,
  deadline: number,
  options: RestartOptions,
): Promise<RestartOutcome> {
  const started = Date.now()
  // Milliseconds, unlike kubectl's seconds: two restarts within one second must still be two rollouts.
  const restartedAt = new Date().toISOString()
  const outcome = (done: boolean, message: string, restarted = true): RestartOutcome => ({
    ...workload,
    restarted,
    done,
    message,
    restartedAt: restarted ? restartedAt : undefined,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  })
  try {
    await patchRestartedAt(clients, namespace, workload, restartedAt, deadline)
  } catch (error) {
    return outcome(false, (error as Error).message, false)
  }
  let last = ''
  for (;;) {
    let state: RolloutState
    try {
      state = await readState(clients, namespace, workload, deadline)
    } catch (error) {
      // A passing failure (a 5xx, a dropped connection, a slow answer) is asked again until the deadline.
      if (!(error instanceof ApiError && error.transient)) return outcome(false, (error as Error).message)
      state = {done: false, message: `retrying after: ${error.message}`}
    }
    if (state.message !== last) {
      last = state.message
      options.onProgress?.(workload, state.message, state.done)
    }
    if (state.done) return outcome(true, state.message)
    if (state.failure) return outcome(false, state.failure)
    if (Date.now() >= deadline) return outcome(false, `timed out: ${state.message}`)
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())))
  }
}

/** Restarts what is present, sentry first; a sentry that does not finish stops the rest from being restarted. */
export async function restartControlPlane(
  clients: KubeClients,
  namespace: string,
  workloads: Workload[],
  options: RestartOptions,
): Promise<RestartOutcome[]> {
  const deadline = Date.now() + options.timeoutMs
  const outcomes: RestartOutcome[] = []
  const first = workloads.filter((w) => w.name === sentry.name)
  const rest = workloads.filter((w) => w.name !== sentry.name)
  for (const workload of first) {
    const result = await restartAndWait(clients, namespace, workload, deadline, options)
    outcomes.push(result)
    if (!result.done) {
      const skipped = `not restarted: ${workload.name} did not finish`
      return [
        ...outcomes,
        ...rest.map((w) => ({
          ...w,
          restarted: false,
          done: false,
          message: skipped,
          restartedAt: undefined,
          seconds: 0,
        })),
      ]
    }
  }
  outcomes.push(...(await Promise.all(rest.map((w) => restartAndWait(clients, namespace, w, deadline, options)))))
  return outcomes
}
