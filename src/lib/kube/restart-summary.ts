// Restarting the control plane as a command reports it: progress lines, a per-workload summary, and an error that
// says what failed or timed out and the exact commands to finish by hand.
import {UserError} from '../errors.js'
import {ExitCode} from '../output/exit-codes.js'
import {renderTable} from '../output/table.js'
import type {KubeClients} from './client.js'
import {restartControlPlane, type RestartOutcome, type Workload, type WorkloadKind} from './restart.js'

const shortKinds: Record<WorkloadKind, string> = {Deployment: 'deploy', StatefulSet: 'sts', DaemonSet: 'ds'}

export function renderRestartSummary(outcomes: RestartOutcome[]): string {
  return renderTable(
    ['WORKLOAD', 'RESULT', 'SECONDS', 'DETAIL'],
    outcomes.map((o) => [
      `${shortKinds[o.kind]}/${o.name}`,
      o.done ? 'restarted' : o.restarted ? 'not finished' : 'not restarted',
      String(o.seconds),
      o.message,
    ]),
  )
}

/** Pure: "a (why), b (why); not restarted (why): c, d; restarted: e" for the workloads of a restart. */
export function describeRestartOutcomes(outcomes: RestartOutcome[]): string {
  const unfinished = outcomes.filter((o) => o.restarted && !o.done)
  const skipped = new Map<string, string[]>()
  for (const o of outcomes.filter((w) => !w.restarted)) {
    const reason = o.message.replace(/^not restarted: /, '')
    skipped.set(reason, [...(skipped.get(reason) ?? []), o.name])
  }
  const done = outcomes.filter((o) => o.done).map((o) => o.name)
  return [
    ...(unfinished.length > 0 ? [unfinished.map((o) => `${o.name} (${o.message})`).join(', ')] : []),
    ...[...skipped].map(([reason, names]) => `not restarted (${reason}): ${names.join(', ')}`),
    ...(done.length > 0 ? [`restarted: ${done.join(', ')}`] : []),
  ].join('; ')
}

export function assertRestartsDone(
  outcomes: RestartOutcome[],
  namespace: string,
  timeoutSeconds: number,
  options: {interrupted?: boolean; afterwards?: string; done?: string | undefined} = {},
): void {
  // What is already in place, whatever happened to the restart: by default a renewal's new certificates.
  const done = options.done ?? 'The new certificates are in place.'
  const failed = outcomes.filter((o) => !o.done)
  if (failed.length === 0) return
  const what = describeRestartOutcomes(outcomes)
  const commands = failed
    .map((o) => `kubectl rollout restart ${o.kind.toLowerCase()}/${o.name} -n ${namespace}`)
    .join('; ')
  const afterwards = options.afterwards ? ` ${options.afterwards}` : ''
  if (options.interrupted) {
    throw new UserError(`interrupted during the control-plane restart: ${what}`, {
      hint: `${done} Finish with: ${commands}.${afterwards}`,
      exitCode: ExitCode.interrupted,
    })
  }
  const timedOut = failed.some((o) => o.message.startsWith('timed out'))
  throw new UserError(
    timedOut
      ? `the control-plane restart did not finish within ${timeoutSeconds}s: ${what}`
      : `the control-plane restart failed: ${what}`,
    {hint: `${done} Fix the cause (kubectl describe), then: ${commands}.${afterwards}`},
  )
}

export async function restartWithSummary(
  clients: KubeClients,
  namespace: string,
  workloads: Workload[],
  options: {
    timeoutSeconds: number
    /** The time left of the one --timeout, when less than timeoutSeconds is left. */
    timeoutMs?: number
    progress: (message: string, done: boolean) => void
    summary: (text: string) => void
    signal?: AbortSignal | undefined
    /** What is left undone when the control plane fails, for the hint (the applications, with --restart-apps). */
    afterwards?: string
    /** What is already in place when a restart fails, for the hint. */
    done?: string
  },
): Promise<RestartOutcome[]> {
  const outcomes = await restartControlPlane(clients, namespace, workloads, {
    timeoutMs: options.timeoutMs ?? options.timeoutSeconds * 1000,
    signal: options.signal,
    onProgress: (workload, message, done) => {
      options.progress(`${workload.name}: ${message}`, done)
    },
  })
  options.summary(renderRestartSummary(outcomes))
  assertRestartsDone(outcomes, namespace, options.timeoutSeconds, {
    interrupted: options.signal?.aborted ?? false,
    afterwards: options.afterwards,
    done: options.done,
  })
  return outcomes
}
