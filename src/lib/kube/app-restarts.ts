// Restarting Dapr-enabled applications as a command reports it: "k/n restarted" progress, a summary table, and an
// error that names what did not finish with the exact command that resumes with only those.
import {UserError} from '../errors.js'
import {shellWord} from '../output/shell-quote.js'
import {renderTable} from '../output/table.js'
import {type AppRestartOutcome, formatWorkload} from './apps.js'

export interface ResumeOptions {
  concurrency?: number
  /** The connection flags the command was run with (--kubeconfig, --context), so the resume reaches the same cluster. */
  connection?: string[]
}

/** The command that restarts only the given workloads again (the others already finished). */
export function resumeCommand(failed: AppRestartOutcome[], options: ResumeOptions = {}): string {
  const only = failed.map((o) => `--only ${formatWorkload(o)}`).join(' ')
  const connection = (options.connection ?? []).map((arg) => ` ${shellWord(arg)}`).join('')
  const concurrency = options.concurrency === undefined ? '' : ` --concurrency ${options.concurrency}`
  return `dapr mtls restart-apps -k${connection}${concurrency} ${only}`
}

export function renderAppRestartSummary(outcomes: AppRestartOutcome[]): string {
  return renderTable(
    ['WORKLOAD', 'RESULT', 'SECONDS', 'DETAIL'],
    outcomes.map((o) => [
      formatWorkload(o),
      o.done ? 'restarted' : o.restarted ? 'not finished' : 'not restarted',
      String(o.seconds),
      o.message,
    ]),
  )
}

/** One progress line for a finished workload: "3/50 restarted: apps/deployment/checkout". */
export function appRestartProgress(outcome: AppRestartOutcome, finished: number, total: number): string {
  const verb = outcome.done ? 'restarted' : 'did not finish'
  return `${finished}/${total} ${verb}: ${formatWorkload(outcome)}${outcome.done ? '' : ` (${outcome.message})`}`
}

/** Throws when a workload did not finish, naming each and the command that resumes with only those. */
export function assertAppRestartsDone(outcomes: AppRestartOutcome[], options: ResumeOptions = {}): void {
  const failed = outcomes.filter((o) => !o.done)
  if (failed.length === 0) return
  const names = failed
    .slice(0, 5)
    .map((o) => formatWorkload(o))
    .join(', ')
  const more = failed.length > 5 ? ` and ${failed.length - 5} more` : ''
  throw new UserError(`${failed.length} of ${outcomes.length} application restarts did not finish: ${names}${more}`, {
    hint: `Fix the cause (kubectl describe), then resume with only those: ${resumeCommand(failed, options)}`,
  })
}
