// A rotation as people read it: the plan of a phase, where a rotation stands (--status), and what to do after each
// phase, with the exact commands for the mode at hand.
import type {CertificateInfo} from '../certs/index.js'
import {shellWord} from '../output/shell-quote.js'
import {renderTable} from '../output/table.js'
import {rfc1123} from '../output/time-layouts.js'
import type {RotationPhase} from './phases.js'
import type {RotationPlan, RotationStatusReport} from './rotate.js'

function certificateRows(label: string, certs: CertificateInfo[]): string[][] {
  return certs.map((c) => [
    label,
    c.role === 'root' ? (c.inUse ? 'root (in use)' : 'root') : 'issuer',
    c.sha256Fingerprint.replaceAll(':', '').slice(0, 8),
    rfc1123(c.notAfter),
  ])
}

function blockerLines(plan: Pick<RotationPlan, 'blockers' | 'staleControlPlane' | 'sidecarsChecked'>): string[] {
  const lines: string[] = []
  for (const blocker of plan.blockers) {
    const note = blocker.replaceable ? '' : ' (no rollout can replace it: delete or re-create it yourself)'
    lines.push(`  ${blocker.owner}${note}: ${blocker.sidecars.join(', ')}`)
  }
  for (const pod of plan.staleControlPlane) lines.push(`  control plane: ${pod} started before the new root was added`)
  if (!plan.sidecarsChecked)
    lines.push('  (the sidecars could not be listed here: make sure every daprd was restarted)')
  return lines
}

const phaseTitles: Record<RotationPhase, string> = {
  'add-root': 'add the new root beside the current ones (the issuer stays)',
  'switch-issuer': 'switch to the issuer signed by the new root',
  prune: 'remove the old roots',
}

export function renderRotationPlan(plan: RotationPlan): string {
  const lines = [
    `Rotation phase ${plan.phase}${plan.completing ? ' (completing an interrupted run)' : ''}: ${phaseTitles[plan.phase]}`,
    `Trust bundle: ${plan.location}`,
    '',
    renderTable(
      ['', 'ROLE', 'SHA-256', 'EXPIRES'],
      [...certificateRows('now', plan.current), ...certificateRows('after', plan.next)],
    ),
    '',
    'Writes:',
    ...(plan.completing
      ? ['  nothing: the bundle is already written; the rotation state is updated']
      : plan.writes.map((w) => `  ${w}`)),
  ]
  const blockers = blockerLines(plan)
  if (blockers.length > 0) lines.push('Not trusting the new root yet:', ...blockers)
  if (plan.earliestPrune) lines.push(`Old roots can be pruned after ${plan.earliestPrune}`)
  for (const warning of plan.warnings) lines.push(`Warning: ${warning}`)
  return lines.join('\n')
}

export function renderRotationStatus(report: RotationStatusReport): string {
  const lines = [`Trust bundle: ${report.location}`]
  if (report.phase === 'none') lines.push('No rotation in progress.')
  else {
    lines.push(
      `Rotation started ${report.startedAt ?? '?'}; next phase: ${report.phase}${report.completing ? ' (its write is done; the run completes it)' : ''}`,
    )
    if (report.rootAddedAt) lines.push(`  new root added:   ${report.rootAddedAt}`)
    if (report.issuerSwitchedAt) lines.push(`  issuer switched:  ${report.issuerSwitchedAt}`)
    if (report.earliestPrune) lines.push(`  old roots can be pruned after ${report.earliestPrune}`)
  }
  lines.push(`Next run: ${report.next}`)
  const blockers = blockerLines(report)
  if (blockers.length > 0) lines.push('Blocking the switch (they do not trust the new root yet):', ...blockers)
  lines.push(
    '',
    renderTable(
      ['ROLE', 'SHA-256', 'EXPIRES'],
      certificateRows('', report.certificates).map((row) => row.slice(1)),
    ),
  )
  return lines.join('\n')
}

export interface NextStepContext {
  mode: 'kubernetes' | 'self-hosted'
  phase: RotationPhase
  /** The directory (self-hosted), for the exact `mtls env` command. */
  certsDir?: string
  /** -n, when one was given, so the printed commands reach the same control plane. */
  namespaceFlag?: string | undefined
  appsRestarted: boolean
  earliestPrune?: string | undefined
}

/** What to do after a phase, as sentences and commands to paste. */
export function rotationNextSteps(context: NextStepContext): string[] {
  const rotate =
    context.mode === 'kubernetes'
      ? `dapr mtls rotate -k${context.namespaceFlag ? ` -n ${shellWord(context.namespaceFlag)}` : ''}`
      : `dapr mtls rotate${context.certsDir ? ` --certs-dir ${shellWord(context.certsDir)}` : ''}`
  const env = `eval "$(dapr mtls env${context.certsDir ? ` --certs-dir ${shellWord(context.certsDir)}` : ''})"`
  switch (context.phase) {
    case 'add-root':
      return [
        context.mode === 'kubernetes'
          ? context.appsRestarted
            ? 'Every Dapr-enabled workload was restarted: its sidecar now trusts the old and the new root.'
            : 'Restart every Dapr-enabled workload so its sidecar trusts the new root too (--restart-apps does it; until then they keep working on the old root).'
          : `Sentry reloads the directory by itself. Load the new anchors with ${env}, then restart each daprd process from that shell, one at a time (until then they keep working on the old root).`,
        `Then switch the issuer: ${rotate}  (${rotate} --status shows who does not trust the new root yet)`,
      ]
    case 'switch-issuer':
      return [
        'Sidecars move to the new issuer at their next certificate renewal; nothing needs a restart.',
        `Prune the old roots ${context.earliestPrune ? `after ${context.earliestPrune}` : 'once every old certificate has expired'}: ${rotate}`,
      ]
    case 'prune':
      return context.mode === 'kubernetes'
        ? [
            'The rotation is complete.',
            context.appsRestarted
              ? 'Every Dapr-enabled workload was restarted and trusts only the new root.'
              : 'Sidecars still trust the old root too until they restart: restart them when convenient (--restart-apps).',
          ]
        : [
            'The rotation is complete.',
            `Load the pruned anchors with ${env} and restart your daprd processes when convenient; until then they also trust the old root.`,
          ]
  }
}
