// Restarting the control plane as a command reports it: progress lines, a per-workload summary, and an error that
// says what failed or timed out and the exact commands to finish by hand.
import {UserError} from '../errors.js'
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

export function assertRestartsDone(
  outcomes: RestartOutcome[],
  namespace: string,
  timeoutSeconds: number,
  done = 'The new certificates are in place.',
): void {
  const failed = outcomes.filter((o) => !o.done)
  if (failed.length === 0) return
  const timedOut = failed.some((o) => o.message.startsWith('timed out'))
  const what = failed.map((o) => `${o.name} (${o.message})`).join(', ')
  const commands = failed
    .map((o) => `kubectl rollout restart ${o.kind.toLowerCase()}/${o.name} -n ${namespace}`)
    .join('; ')
  throw new UserError(
    timedOut
      ? `the control-plane restart did not finish within ${timeoutSeconds}s: ${what}`
      : `the control-plane restart failed: ${what}`,
    {hint: `${done} Fix the cause (kubectl describe), then: ${commands}`},
  )
}

export async function restartWithSummary(
  clients: KubeClients,
  namespace: string,
  workloads: Workload[],
  options: {
    timeoutSeconds: number
    progress: (message: string, done: boolean) => void
    summary: (text: string) => void
    /** What is already in place when a restart fails, for the error's hint. */
    done?: string
  },
): Promise<RestartOutcome[]> {
  const outcomes = await restartControlPlane(clients, namespace, workloads, {
    timeoutMs: options.timeoutSeconds * 1000,
    onProgress: (workload, message, done) => {
      options.progress(`${workload.name}: ${message}`, done)
    },
  })
  options.summary(renderRestartSummary(outcomes))
  assertRestartsDone(outcomes, namespace, options.timeoutSeconds, options.done)
  return outcomes
}
