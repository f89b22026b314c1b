// The per-workload summary printed after a restart, and the error when any workload did not finish.
import {UserError} from '../errors.js'
import {renderTable} from '../output/table.js'
import type {RestartOutcome} from './restart.js'

export function renderRestartSummary(outcomes: RestartOutcome[]): string {
  return renderTable(
    ['WORKLOAD', 'RESULT', 'SECONDS', 'DETAIL'],
    outcomes.map((o) => [
      `${o.kind === 'Deployment' ? 'deploy' : 'sts'}/${o.name}`,
      o.done ? 'restarted' : o.restarted ? 'not finished' : 'not restarted',
      String(o.seconds),
      o.message,
    ]),
  )
}

export function assertRestartsDone(outcomes: RestartOutcome[], timeoutSeconds: number): void {
  const failed = outcomes.filter((o) => !o.done)
  if (failed.length === 0) return
  throw new UserError(
    `the control-plane restart did not finish within ${timeoutSeconds}s: ${failed.map((o) => `${o.name} (${o.message})`).join(', ')}`,
    {
      hint: 'The new certificates are in place. Check those workloads with kubectl describe, then run the restart again.',
    },
  )
}
