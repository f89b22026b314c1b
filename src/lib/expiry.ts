// The expiry report of a bundle (every root and the issuer), its rendering, and the exit code it means:
// 0 valid beyond the warning window, 3 within it, 4 expired or not yet valid.
import {
  type CertificateInfo,
  certificateState,
  type CertificateState,
  describeBundle,
  expiryLevel,
  type ExpiryLevel,
  hoursPhrase,
  type TrustBundle,
} from './certs/index.js'
import {ExitCode} from './output/exit-codes.js'
import {type RowTone, renderTable} from './output/table.js'
import {goTimeString, rfc1123, shortUtc} from './output/time-layouts.js'

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

/** A row's tone: expired or not yet valid is critical (red on a terminal), expiring a warning (yellow). */
function tone(state: CertificateState): RowTone {
  return state === 'expiring' ? 'warning' : state === 'valid' ? undefined : 'critical'
}

/** The first 8 hex digits of the SHA-256 fingerprint: enough to tell two roots with the same subject apart. */
const shortFingerprint = (fingerprint: string): string => fingerprint.replaceAll(':', '').slice(0, 8)

/**
 * The official first line, then one row per certificate. The table fits 80 columns; `wide` adds the subject, the
 * serial and the whole fingerprint.
 */
export function renderExpiryReport(report: ExpiryReport, options: {wide?: boolean} = {}): string {
  const root = report.certificates.find((c) => c.role === 'root')
  const lines: string[] = []
  if (root) {
    lines.push(`Root certificate ${hoursPhrase(root.notAfter)}. Expiry date: ${goTimeString(root.notAfter)}`)
    lines.push('')
  }
  const {certificates} = report
  const tones = certificates.map((c) => tone(c.state))
  if (options.wide) {
    lines.push(
      renderTable(
        ['CERTIFICATE', 'SUBJECT', 'SERIAL', 'SHA-256', 'EXPIRY DATE', 'EXPIRES', 'STATE'],
        certificates.map((c) => [
          c.role,
          c.subject,
          c.serialNumber,
          c.sha256Fingerprint,
          rfc1123(c.notAfter),
          c.timeLeft,
          c.state,
        ]),
        {tones},
      ),
    )
  } else {
    lines.push(
      renderTable(
        ['CERTIFICATE', 'SHA-256', 'EXPIRY DATE', 'EXPIRES', 'STATE'],
        certificates.map((c) => [
          c.role,
          shortFingerprint(c.sha256Fingerprint),
          shortUtc(c.notAfter),
          c.timeLeft,
          c.state,
        ]),
        {tones},
      ),
    )
  }
  return lines.join('\n')
}
