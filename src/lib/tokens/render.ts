// How token runs read: a line per Secret step as it happens, and tables of namespaces and workloads at the end.
import {renderTable} from '../output/table.js'
import type {TokenKindInfo} from './kinds.js'
import type {describePlan, NamespaceOutcome, TokenRunResult, WorkloadOutcome} from './service.js'

/** One line for a Secret step, done or refused. */
export function secretLine(info: TokenKindInfo, secretName: string, outcome: NamespaceOutcome): string {
  const {namespace, generation} = outcome
  if (!outcome.done) return `namespace ${namespace}: ${outcome.error ?? 'failed'}`
  switch (outcome.secret) {
    case 'create':
      return `Secret ${secretName} created in namespace ${namespace} with a new ${info.title} (generation ${generation ?? 1})`
    case 'replace':
      return `Secret ${secretName} in namespace ${namespace} holds a new ${info.title} (generation ${generation ?? 1})`
    case 'keep':
      return `Secret ${secretName} in namespace ${namespace} kept as it is (generation ${generation ?? 1})`
    case 'delete':
      return `Secret ${secretName} deleted from namespace ${namespace}`
    case 'absent':
      return `no Secret ${secretName} in namespace ${namespace}: nothing to delete`
  }
}

const secretWords = {create: 'created', replace: 'new token', keep: 'kept', delete: 'deleted', absent: 'absent'}
const changeWords = {attach: 'token added', roll: 'restarted', detach: 'token removed'}

export function renderWorkloadSummary(workloads: WorkloadOutcome[]): string {
  return renderTable(
    ['WORKLOAD', 'CHANGE', 'CONTAINER', 'RESULT', 'SECONDS'],
    workloads.map((w) => [
      w.workload,
      changeWords[w.change],
      w.container ?? '',
      w.done ? 'rolled out' : w.restarted ? `not finished: ${w.message}` : `not changed: ${w.message}`,
      String(w.seconds),
    ]),
  )
}

export function renderTokenRun(result: TokenRunResult): string {
  const namespaces = renderTable(
    ['NAMESPACE', 'SECRET', 'GENERATION', 'RESULT'],
    result.namespaces.map((n) => [
      n.namespace,
      `${result.secretName} (${secretWords[n.secret]})`,
      n.generation === undefined ? '' : String(n.generation),
      n.done ? 'done' : (n.error ?? 'failed'),
    ]),
  )
  const workloads =
    result.workloads.length === 0 ? 'No workload was changed or restarted.' : renderWorkloadSummary(result.workloads)
  return `${namespaces}\n\n${workloads}`
}

const planWords = {
  create: 'would be created',
  replace: 'would get a new token',
  keep: 'kept',
  delete: 'would be deleted',
  absent: 'absent',
}
const planChangeWords = {attach: 'token would be added', roll: 'would restart', detach: 'token would be removed'}

export function renderPlan(plan: ReturnType<typeof describePlan>): string {
  const lines = plan.namespaces.map(
    (n) =>
      `Secret ${plan.secretName} in namespace ${n.namespace}: ${planWords[n.secret]}${n.generation === undefined ? '' : ` (generation ${n.generation})`}`,
  )
  const workloads = plan.workloads.map(
    (w) => `${w.workload}: ${planChangeWords[w.change]}${w.container ? ` (container ${w.container})` : ''}, then roll`,
  )
  return [
    ...lines,
    ...(workloads.length > 0 ? workloads : ['No workload would be restarted.']),
    'Nothing was changed (--dry-run).',
  ].join('\n')
}
