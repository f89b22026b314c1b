// The expiry report of a bundle (every root and the issuer), its rendering, and the exit code it means:
// 0 valid beyond the warning window, 3 within it, 4 expired or not yet valid.
import {
  type CertificateInfo,
  certificateState,
  type CertificateState,
  describeBundle,
  expiryLevel,
  type ExpiryLevel,
  type TrustBundle,
} from './certs/index.js'
import {ExitCode} from './output/exit-codes.js'
import {renderTable} from './output/table.js'
import {goTimeString, rfc1123} from './output/time-layouts.js'

export interface ExpiryReport {
  /** 'kubernetes' or 'self-hosted'. */
  source: 'kubernetes' | 'self-hosted'
  /** The certificates directory, or namespace/dapr-trust-bundle. */
  location: string
  warnDays: number
  status: ExpiryLevel
  /** Each certificate with its state, decided by the same rule as `status` (clock skew included). */
  certificates: (CertificateInfo & {state: CertificateState})[]
}

export function buildExpiryReport(
  bundle: Pick<TrustBundle, 'rootCertPem' | 'issuerCertPem'>,
  options: {source: ExpiryReport['source']; location: string; warnDays: number; clockSkewMs?: number; now?: Date},
): ExpiryReport {
  const now = options.now ?? new Date()
  const described = describeBundle(bundle, now)
  const certificates = described.map((c) => ({
    ...c,
    state: certificateState(c, options.warnDays, now, options.clockSkewMs),
  }))
  return {
    source: options.source,
    location: options.location,
    warnDays: options.warnDays,
    status: expiryLevel(certificates, options.warnDays, now, options.clockSkewMs),
    certificates,
  }
}

export function expiryExitCode(level: ExpiryLevel): number {
  return level === 'critical' ? ExitCode.critical : level === 'warning' ? ExitCode.warning : ExitCode.ok
}

export function renderExpiryReport(report: ExpiryReport): string {
  const root = report.certificates.find((c) => c.role === 'root')
  const lines: string[] = []
  if (root) {
    lines.push(`Root certificate expires in ${root.hoursLeft} hours. Expiry date: ${goTimeString(root.notAfter)}`)
    lines.push('')
  }
  lines.push(
    renderTable(
      ['CERTIFICATE', 'SUBJECT', 'EXPIRES', 'DAYS LEFT', 'STATE'],
      report.certificates.map((c) => [c.role, c.subject, rfc1123(c.notAfter), String(c.daysLeft), c.state]),
    ),
  )
  return lines.join('\n')
}
