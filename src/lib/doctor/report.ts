// Doctor's result as scripts read it (-o json|yaml) and as a person reads it: one row per check, the fixes below,
// and the Role that grants missing rights, ready for `kubectl apply -f -`.
import {renderTable, type RowTone} from '../output/table.js'
import {type CheckStatus, type DoctorCheck, worstStatus} from './checks.js'

export interface DoctorReport {
  source: 'kubernetes' | 'self-hosted'
  /** namespace/dapr-trust-bundle, or the certificates directory. */
  location: string
  /** The Sentry version the rules were those of; undefined when unknown. */
  sentryVersion: string | undefined
  /** The worst result: ok, warn, fail, or error (could not check). */
  status: CheckStatus
  checks: DoctorCheck[]
  /** A Role and RoleBinding (and ClusterRole) granting what the access check found missing. */
  accessManifest?: string | undefined
}

export function doctorReport(
  source: DoctorReport['source'],
  location: string,
  sentryVersion: string | undefined,
  checks: DoctorCheck[],
  accessManifest?: string,
): DoctorReport {
  return {
    source,
    location,
    sentryVersion,
    status: worstStatus(checks),
    checks,
    ...(accessManifest ? {accessManifest} : {}),
  }
}

const labels: Record<CheckStatus, string> = {ok: 'OK', warn: 'WARN', fail: 'FAIL', error: 'ERROR'}
const tones: Record<CheckStatus, RowTone> = {ok: undefined, warn: 'warning', fail: 'critical', error: 'critical'}

export function renderDoctor(report: DoctorReport): string {
  const lines = [
    renderTable(
      ['RESULT', 'CHECK', 'DETAIL'],
      report.checks.map((c) => [labels[c.status], c.title, c.detail]),
      {tones: report.checks.map((c) => tones[c.status])},
    ),
  ]
  const fixes = report.checks.filter((c) => c.status !== 'ok' && c.hint)
  if (fixes.length > 0) lines.push('', ...fixes.map((c) => `${labels[c.status]} ${c.title}: ${c.hint ?? ''}`))
  if (report.accessManifest) {
    lines.push(
      '',
      'The rights a renewal needs and you lack, ready for kubectl apply -f -:',
      '---',
      report.accessManifest,
    )
  }
  return lines.join('\n')
}
