// Restarting after a trust-bundle write (DESIGN.md section 8): the control plane in Dapr's order, then every
// Dapr-enabled application a few at a time, all within one --timeout. Planned before the write (so a listing that
// fails changes nothing, and --dry-run shows it); run after it. Ctrl-C stops starting new restarts, stops waiting, and
// ends with what was restarted and the command that resumes. Shared by renew-certificate, rollback, restart-apps and
// rotate; the Kubernetes adapter is reached through the session, so nothing here loads it early.
import {UserError} from '../errors.js'
import {holdInterrupts} from '../interrupts.js'
import type {ClusterSession} from '../kube-command.js'
import type {AppRestartOutcome, NamespacedWorkload, RestartOutcome, Workload} from '../kube/index.js'
import {ExitCode} from '../output/exit-codes.js'
import {shellWord} from '../output/shell-quote.js'
import type {StatusKind} from '../output/terminal.js'
import {type AppSelection, describeSelection, type RestartRequest} from './request.js'

/** A pod with a daprd container that no rollout can replace (a bare pod, a Job's pod): listed, never touched. */
export interface UnrestartablePod {
  namespace: string
  name: string
  /** What owns it: "Pod (no owner)", "Job nightly-report", ... */
  owner: string
}

export interface RestartPlan {
  /** The control-plane workloads present, in restart order; empty when the control plane is not restarted. */
  controlPlane: Workload[]
  apps: {selection: AppSelection; workloads: NamespacedWorkload[]; notRestartable: UnrestartablePod[]} | undefined
  concurrency: number
  timeoutSeconds: number
}

export interface RestartsResult {
  controlPlane: RestartOutcome[]
  apps: AppRestartOutcome[]
  notRestartable: UnrestartablePod[]
}

/** How the flow speaks; the command decides what reaches the terminal. */
export interface RestartEvents {
  line(kind: StatusKind, message: string): void
  /** A long wait: a spinner with the latest state on a terminal, a line per change otherwise. */
  wait(title: string): {update: (message: string, done: boolean) => void; stop: () => void}
  /** A block of text on stderr, such as a summary table. */
  block(text: string): void
  /** stderr is a terminal: application progress is one "k/n restarted" status, not a line per workload. */
  tty: boolean
}

/** Reads what a restart will touch; throws before anything is written when that cannot be read. */
export async function planRestarts(session: ClusterSession, request: RestartRequest): Promise<RestartPlan> {
  const {kube, clients, controlPlane} = session
  const {namespace} = controlPlane
  const [workloads, apps] = await Promise.all([
    request.controlPlane ? kube.presentWorkloads(clients, namespace) : Promise.resolve([]),
    request.apps ? planApps(session, request.apps) : Promise.resolve(undefined),
  ])
  if (request.controlPlane && workloads.length === 0) {
    throw new UserError(`--restart found no control-plane workloads in namespace ${namespace}; nothing was changed`, {
      hint: 'Check -n, or drop --restart and restart the control plane your own way after renewing.',
    })
  }
  return {controlPlane: workloads, apps, concurrency: request.concurrency, timeoutSeconds: request.timeoutSeconds}
}

async function planApps(session: ClusterSession, selection: AppSelection): Promise<NonNullable<RestartPlan['apps']>> {
  const {kube, clients} = session
  if (selection.only.length > 0) return {selection, workloads: selection.only, notRestartable: []}
  const scope = {namespaces: selection.namespaces}
  const [workloads, pods] = await Promise.all([
    kube.listDaprWorkloads(clients, scope),
    kube.listSidecarPods(clients, scope),
  ])
  const notRestartable = pods
    .filter((pod) => pod.owner === undefined)
    .map((pod) => ({namespace: pod.namespace, name: pod.name, owner: pod.ownerDescription}))
  return {selection, workloads, notRestartable}
}

const listed = (names: string[], most = 5) =>
  names.slice(0, most).join(', ') + (names.length > most ? ` and ${names.length - most} more` : '')

const unrestartableLine = (pods: UnrestartablePod[]) =>
  `${pods.length} pod${pods.length === 1 ? '' : 's'} with a daprd sidecar no rollout can replace, left as they are (restart them yourself): ${listed(pods.map((p) => `${p.namespace}/${p.name} (${p.owner})`))}`

/** Pure: the plan's lines about restarts, as renewal and rollback plans show them. */
export function restartPlanLines(plan: RestartPlan, namespace: string): string[] {
  const lines = plan.controlPlane.map((w) => `${w.kind} ${namespace}/${w.name}`)
  if (plan.apps) {
    const names = plan.apps.workloads.map((w) => `${w.namespace}/${w.kind.toLowerCase()}/${w.name}`)
    lines.push(
      names.length === 0
        ? `no Dapr-enabled application found (${describeSelection(plan.apps.selection)})`
        : `then ${names.length} Dapr-enabled application${names.length === 1 ? '' : 's'} (${describeSelection(plan.apps.selection)}), ${plan.concurrency} at a time: ${listed(names)}`,
    )
    if (plan.apps.notRestartable.length > 0) lines.push(unrestartableLine(plan.apps.notRestartable))
  }
  return lines
}

/** The command that restarts the selected applications again, for when the control plane did not finish. */
function appsCommand(session: ClusterSession, selection: AppSelection, concurrency: number): string {
  const namespaces = selection.namespaces.map((n) => ` --app-namespace ${n}`).join('')
  const connection = session.connectionFlags.map((arg) => ` ${shellWord(arg)}`).join('')
  return `dapr mtls restart-apps -k${connection}${namespaces} --concurrency ${concurrency}`
}

export async function runRestarts(
  session: ClusterSession,
  plan: RestartPlan,
  events: RestartEvents,
): Promise<RestartsResult> {
  const {kube, clients, controlPlane} = session
  const deadline = Date.now() + plan.timeoutSeconds * 1000
  const controller = new AbortController()
  const guard = holdInterrupts({
    held: 'Stopping: no further restart is started, and those under way are no longer waited for (Ctrl-C again to stop at once).',
    abandoned: 'Stopped at once; the rollouts already started go on in the cluster.',
    onHeld: () => {
      controller.abort()
    },
  })
  const result: RestartsResult = {controlPlane: [], apps: [], notRestartable: plan.apps?.notRestartable ?? []}
  try {
    if (plan.controlPlane.length > 0) {
      const wait = events.wait('Restarting the control plane')
      try {
        result.controlPlane = await kube.restartWithSummary(clients, controlPlane.namespace, plan.controlPlane, {
          timeoutSeconds: plan.timeoutSeconds,
          timeoutMs: deadline - Date.now(),
          progress: wait.update,
          summary: (text) => {
            wait.stop()
            events.block(text)
          },
          signal: controller.signal,
          afterwards: plan.apps
            ? `No application was restarted; afterwards run: ${appsCommand(session, plan.apps.selection, plan.concurrency)}`
            : undefined,
        })
      } finally {
        wait.stop()
      }
      events.line('success', 'All control plane services have restarted successfully!')
    }
    if (plan.apps) result.apps = await restartApplications(session, plan, deadline, controller.signal, events)
    return result
  } finally {
    guard.release()
  }
}

async function restartApplications(
  session: ClusterSession,
  plan: RestartPlan,
  deadline: number,
  signal: AbortSignal,
  events: RestartEvents,
): Promise<AppRestartOutcome[]> {
  const {kube, clients} = session
  const apps = plan.apps
  if (apps === undefined) return []
  const total = apps.workloads.length
  let outcomes: AppRestartOutcome[] = []
  if (total === 0) {
    events.line('info', `No Dapr-enabled application found (${describeSelection(apps.selection)}); none restarted`)
  } else {
    const title = `Restarting ${total} Dapr-enabled application${total === 1 ? '' : 's'}, ${plan.concurrency} at a time`
    const wait = events.tty ? events.wait(title) : undefined
    if (!wait) events.line('pending', title)
    try {
      outcomes = await kube.restartApps(clients, apps.workloads, {
        concurrency: plan.concurrency,
        timeoutMs: deadline - Date.now(),
        signal,
        onFinished: (outcome, finished, of) => {
          if (wait) wait.update(`${finished}/${of} restarted`, false)
          else events.line(outcome.done ? 'success' : 'failure', kube.appRestartProgress(outcome, finished, of))
        },
      })
    } finally {
      wait?.stop()
    }
    events.block(kube.renderAppRestartSummary(outcomes))
  }
  if (apps.notRestartable.length > 0) events.line('warning', unrestartableLine(apps.notRestartable))
  if (signal.aborted) throw interruptedAppRestarts(session, outcomes, plan.concurrency)
  kube.assertAppRestartsDone(outcomes, {concurrency: plan.concurrency, connection: session.connectionFlags})
  if (total > 0) events.line('success', `All ${total} Dapr-enabled applications have restarted`)
  return outcomes
}

/** Ctrl-C during the application restarts: what was restarted, and the command that resumes with the rest. */
function interruptedAppRestarts(
  session: ClusterSession,
  outcomes: AppRestartOutcome[],
  concurrency: number,
): UserError {
  const name = session.kube.formatWorkload
  const done = outcomes.filter((o) => o.done)
  const unwaited = outcomes.filter((o) => o.restarted && !o.done)
  const rest = outcomes.filter((o) => !o.restarted)
  const parts = [
    `${done.length} of ${outcomes.length} applications restarted${done.length > 0 ? ` (${listed(done.map(name))})` : ''}`,
    ...(unwaited.length > 0 ? [`${unwaited.length} restarted but not waited for (${listed(unwaited.map(name))})`] : []),
    `${rest.length} not restarted`,
  ]
  return new UserError(`interrupted: ${parts.join('; ')}`, {
    hint:
      rest.length > 0
        ? `Resume with only those not restarted: ${session.kube.resumeCommand(rest, {concurrency, connection: session.connectionFlags})}`
        : 'Every application was restarted; kubectl rollout status shows the last ones finishing.',
    exitCode: ExitCode.interrupted,
  })
}
