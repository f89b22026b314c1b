// Restarting workloads the way `kubectl rollout restart` does (the template's restartedAt annotation) and waiting
// with kubectl's rollout rules. The control plane goes in Dapr's order: dapr-sentry first and waited for, then the
// operator, the sidecar injector, placement and scheduler together, each only if present. One deadline bounds it all.
import type {KubeClients} from './client.js'
import {ApiError, type ApiAction} from './errors.js'
import {call, requestTimeoutMs} from './request.js'
import {daemonSetRolloutState, deploymentRolloutState, type RolloutState, statefulSetRolloutState} from './rollout.js'

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet'

/** A control-plane workload; its namespace is the control plane's. */
export interface Workload {
  kind: WorkloadKind
  name: string
}

/** A workload anywhere in the cluster. */
export interface NamespacedWorkload extends Workload {
  namespace: string
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
const strategicMergePatch = {'Content-Type': 'application/strategic-merge-patch+json'}

/**
 * More changes to a pod template, sent in the same patch as restartedAt so the workload rolls once: annotations (null
 * removes one) and strategic-merge entries for its containers, merged by container name (and env by variable name).
 */
export interface TemplatePatch {
  annotations?: Record<string, string | null>
  containers?: Record<string, unknown>[]
}

export interface RestartOutcome extends Workload {
  restarted: boolean
  done: boolean
  message: string
  restartedAt: string | undefined
  seconds: number
}

export interface RestartOptions {
  timeoutMs: number
  /** The longest wait between two reads of a rollout (default 1000 ms); the first reads come sooner. */
  pollMs?: number
  /** Called when a workload's state changes (not on every poll). */
  onProgress?: (workload: Workload, message: string, done: boolean) => void
  /** Changes made to the pod template in the restart's own patch. */
  templatePatch?: TemplatePatch
  /**
   * Ctrl-C: stop waiting. A restart already sent stays sent (its rollout goes on in the cluster); none is started
   * after it.
   */
  signal?: AbortSignal | undefined
}

/** Why a workload was not restarted, or not waited for, once Ctrl-C came. */
export const interruptedMessages = {
  notRestarted: 'not restarted: interrupted',
  notWaited: 'restarted, not waited for: interrupted',
} as const

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

const resources: Record<WorkloadKind, string> = {
  Deployment: 'deployments.apps',
  StatefulSet: 'statefulsets.apps',
  DaemonSet: 'daemonsets.apps',
}

function action(workload: NamespacedWorkload, verb: ApiAction['verb']): ApiAction {
  return {verb, resource: resources[workload.kind], name: workload.name, namespace: workload.namespace}
}

/** How long one request may take: what is left before the deadline, within the adapter's per-request bound. */
function requestBudget(clients: KubeClients, deadline: number): {timeoutMs: number} {
  return {timeoutMs: Math.max(1000, Math.min(clients.requestTimeoutMs ?? requestTimeoutMs, deadline - Date.now()))}
}

async function readState(
  clients: KubeClients,
  workload: NamespacedWorkload,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<RolloutState> {
  const {name, namespace} = workload
  const budget = {...requestBudget(clients, deadline), signal}
  switch (workload.kind) {
    case 'Deployment':
      return deploymentRolloutState(
        await call(
          clients,
          action(workload, 'get'),
          (o) => clients.apps.readNamespacedDeployment({name, namespace}, o),
          budget,
        ),
      )
    case 'StatefulSet':
      return statefulSetRolloutState(
        await call(
          clients,
          action(workload, 'get'),
          (o) => clients.apps.readNamespacedStatefulSet({name, namespace}, o),
          budget,
        ),
      )
    case 'DaemonSet':
      return daemonSetRolloutState(
        await call(
          clients,
          action(workload, 'get'),
          (o) => clients.apps.readNamespacedDaemonSet({name, namespace}, o),
          budget,
        ),
      )
  }
}

async function patchRestartedAt(
  clients: KubeClients,
  workload: NamespacedWorkload,
  restartedAt: string,
  deadline: number,
  extra: TemplatePatch | undefined,
): Promise<void> {
  const {name, namespace} = workload
  const annotations = {...extra?.annotations, [restartedAtAnnotation]: restartedAt}
  const containers = extra?.containers === undefined ? {} : {spec: {containers: extra.containers}}
  const body = {spec: {template: {metadata: {annotations}, ...containers}}}
  // A merge patch would replace the whole container list; the strategic one merges it by name.
  const merge = {...requestBudget(clients, deadline), headers: extra ? strategicMergePatch : mergePatch}
  const patch = action(workload, 'patch')
  switch (workload.kind) {
    case 'Deployment': {
      const current = await call(
        clients,
        action(workload, 'get'),
        (o) => clients.apps.readNamespacedDeployment({name, namespace}, o),
        requestBudget(clients, deadline),
      )
      if (current.spec?.paused) throw new Error(`deployment ${name} is paused (run kubectl rollout resume first)`)
      await call(clients, patch, (o) => clients.apps.patchNamespacedDeployment({name, namespace, body}, o), merge)
      return
    }
    case 'StatefulSet':
      await call(clients, patch, (o) => clients.apps.patchNamespacedStatefulSet({name, namespace, body}, o), merge)
      return
    case 'DaemonSet':
      await call(clients, patch, (o) => clients.apps.patchNamespacedDaemonSet({name, namespace, body}, o), merge)
      return
  }
}

/** Waits `ms`, or less when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, {once: true})
  })
}

/**
 * The wait before the next read of a rollout: 100 ms doubling up to `pollMs`. A small rollout is done in well under
 * a second, and a fixed one-second poll made a restart of one app at a time wait twice as long as kubectl's watch.
 */
export function pollDelay(polls: number, pollMs = 1000): number {
  return Math.min(pollMs, 100 * 2 ** Math.min(polls, 10))
}

/** Restarts one workload and waits until its rollout is done, fails, or the deadline passes. */
export async function restartWorkload(
  clients: KubeClients,
  workload: NamespacedWorkload,
  deadline: number,
  options: Omit<RestartOptions, 'timeoutMs'>,
): Promise<RestartOutcome> {
  const started = Date.now()
  // Milliseconds, unlike kubectl's seconds: two restarts within one second must still be two rollouts.
  const restartedAt = new Date().toISOString()
  const plain: Workload = {kind: workload.kind, name: workload.name}
  const outcome = (done: boolean, message: string, restarted = true): RestartOutcome => ({
    ...plain,
    restarted,
    done,
    message,
    restartedAt: restarted ? restartedAt : undefined,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  })
  const {signal} = options
  if (signal?.aborted) return outcome(false, interruptedMessages.notRestarted, false)
  try {
    // The patch itself is never cancelled: once sent, whether it landed must be known.
    await patchRestartedAt(clients, workload, restartedAt, deadline, options.templatePatch)
  } catch (error) {
    return outcome(false, (error as Error).message, false)
  }
  let last = ''
  let polls = 0
  for (;;) {
    if (signal?.aborted) return outcome(false, interruptedMessages.notWaited)
    let state: RolloutState
    try {
      state = await readState(clients, workload, deadline, signal)
    } catch (error) {
      if (signal?.aborted) return outcome(false, interruptedMessages.notWaited)
      // A passing failure (a 5xx, a dropped connection, a slow answer) is asked again until the deadline.
      if (!(error instanceof ApiError && error.transient)) return outcome(false, (error as Error).message)
      state = {done: false, message: `retrying after: ${error.message}`}
    }
    if (state.message !== last) {
      last = state.message
      options.onProgress?.(plain, state.message, state.done)
    }
    if (state.done) return outcome(true, state.message)
    if (state.failure) return outcome(false, state.failure)
    if (Date.now() >= deadline) return outcome(false, `timed out: ${state.message}`)
    await sleep(Math.min(pollDelay(polls++, options.pollMs), Math.max(0, deadline - Date.now())), signal)
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
    const result = await restartWorkload(clients, {...workload, namespace}, deadline, options)
    outcomes.push(result)
    if (!result.done) {
      const skipped = options.signal?.aborted
        ? interruptedMessages.notRestarted
        : `not restarted: ${workload.name} did not finish`
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
  outcomes.push(...(await Promise.all(rest.map((w) => restartWorkload(clients, {...w, namespace}, deadline, options)))))
  return outcomes
}
