// The plan of a renewal, as plain data: what is replaced where, the certificates before and after, what restarts.
// --dry-run prints it and stops; the real run prints the same facts as it goes.
import type {CertificateInfo} from '../certs/index.js'
import {renderTable} from '../output/table.js'
import {rfc1123} from '../output/time-layouts.js'
import type {RenewalMode} from './mode.js'

export interface RenewalPlan {
  mode: RenewalMode['kind']
  /** Where the bundle lives: a directory, or namespace/name of the Secret and ConfigMap. */
  target: string
  /** A rollback's backup (file or folder). */
  backup?: string | undefined
  /** The new bundle is the one in place already: nothing needs writing. */
  unchanged: boolean
  writes: string[]
  restarts: string[]
  current: CertificateInfo[]
  next: CertificateInfo[]
  /** True when the new root has the current root's public key, so existing chains keep verifying. */
  rootPublicKeyKept: boolean
  warnings: string[]
}

export function rootPublicKeyKept(current: CertificateInfo[], next: CertificateInfo[]): boolean {
  const currentRoots = new Set(current.filter((c) => c.role === 'root').map((c) => c.spkiSha256))
  return next.filter((c) => c.role === 'root').some((c) => currentRoots.has(c.spkiSha256))
}

function certificateRows(label: string, certs: CertificateInfo[]): string[][] {
  return certs.map((c) => [label, c.role, c.subject, c.sha256Fingerprint.slice(0, 23) + '…', rfc1123(c.notAfter)])
}

export function renderPlan(plan: RenewalPlan): string {
  const title =
    plan.mode === 'backup'
      ? `Rollback plan for ${plan.target}: put back the bundle saved in ${plan.backup ?? ''}`
      : `Renewal plan (${plan.mode}) for ${plan.target}:`
  const lines = [title, '']
  lines.push(
    renderTable(
      ['', 'ROLE', 'SUBJECT', 'SHA-256', 'EXPIRES'],
      [
        ...certificateRows('current', plan.current),
        ...certificateRows(plan.mode === 'backup' ? 'backup' : 'new', plan.next),
      ],
    ),
  )
  lines.push('')
  if (plan.unchanged) lines.push('The bundle in place is already this one: nothing would be written.')
  lines.push(
    plan.rootPublicKeyKept
      ? 'The root public key stays the same: workloads keep trusting the new issuer without a restart.'
      : 'The root changes: the control plane and every Dapr sidecar must restart to trust it.',
  )
  lines.push('Writes:', ...plan.writes.map((w) => `  ${w}`))
  lines.push('Restarts:', ...(plan.restarts.length > 0 ? plan.restarts.map((r) => `  ${r}`) : ['  none']))
  for (const warning of plan.warnings) lines.push(`Warning: ${warning}`)
  return lines.join('\n')
}
