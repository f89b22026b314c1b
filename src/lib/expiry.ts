// The expiry report of a bundle (every root and the issuer), its rendering, and the exit code it means:
// 0 valid beyond the warning window, 3 within it (or an expired extra root that can be pruned), 4 expired, not yet
// valid, or a bundle Sentry would refuse or regenerate. The level follows the chain in use: the issuer and the roots
// it chains to; an extra root kept beside them does not make a healthy bundle critical.
import {
  type CertificateInfo,
  certificateState,
  type CertificateState,
  describeBundle,
  expiryLevel,
  type ExpiryLevel,
  hintFor,
  hoursPhrase,
  type TrustBundle,
  validateBundle,
} from './certs/index.js'
import {ExitCode} from './output/exit-codes.js'
import {renderProblems} from './output/problems.js'
import {type RowTone, renderTable} from './output/table.js'
import {goTimeString, rfc1123, shortUtc} from './output/time-layouts.js'

/** Why a bundle is broken whatever its dates say: Sentry would refuse it, or would regenerate it. */
export interface BundleProblem {
  /** A validation rule id, or 'configmap-mismatch'. */
  rule: string
  message: string
  hint: string | undefined
}

export interface ExpiryReport {
  /** 'kubernetes' or 'self-hosted'. */
  source: 'kubernetes' | 'self-hosted'
  /** The certificates directory, or namespace/dapr-trust-bundle. */
  location: string
  warnDays: number
  status: ExpiryLevel
  /** Each certificate with its state, decided by the same rule as `status` (clock skew included). */
  certificates: (CertificateInfo & {state: CertificateState})[]
  /** What makes the bundle critical whatever the dates say; empty when Sentry would take it as it is. */
  problems: BundleProblem[]
  /** Facts worth a line: extra roots that can be pruned. */
  notes: string[]
  /** Why the issuer is missing from the report: the Secret could not be read (a roots-only reader). */
  issuerUnreadable?: string | undefined
}

export interface ExpiryReportOptions {
  source: ExpiryReport['source']
  location: string
  warnDays: number
  clockSkewMs?: number
  now?: Date
  /** The running Sentry's version, for the issuer-key rule of validation. */
  sentryVersion?: string | undefined
  /** Problems the caller found outside the bundle itself (the ConfigMap that differs from the Secret). */
  problems?: BundleProblem[]
  /** The issuer could not be read (the roots came from the ConfigMap alone): why, and what access it needs. */
  issuerUnreadable?: string | undefined
}

/** Rules whose verdict the certificate rows already carry, as their state. */
const datedRules = new Set(['validity-period', 'short-validity', 'expiry-overlap'])
const keyRules = new Set(['issuer-key-matches', 'issuer-key-format', 'issuer-key-type'])

/** Sentry's rules over the bundle, as problems; key rules only when the key could be read. */
function bundleProblems(bundle: TrustBundle, options: ExpiryReportOptions, now: Date): BundleProblem[] {
  if (bundle.issuerCertPem === '') return []
  const version = options.sentryVersion === undefined ? {} : {sentryVersion: options.sentryVersion}
  const report = validateBundle(bundle, {now, ...version})
  return report.errors
    .filter((problem) => !datedRules.has(problem.rule))
    .filter((problem) => bundle.issuerKeyPem !== '' || !(keyRules.has(problem.rule) || problem.source.endsWith('.key')))
    .map((problem) => ({
      rule: problem.rule,
      message: `${problem.source}: ${problem.message}`,
      hint: hintFor(problem.rule, version),
    }))
}

export function buildExpiryReport(bundle: TrustBundle, options: ExpiryReportOptions): ExpiryReport {
  const now = options.now ?? new Date()
  const described = describeBundle(bundle, now)
  const certificates = described.map((c) => ({
    ...c,
    state: certificateState(c, options.warnDays, now, options.clockSkewMs),
  }))
  const problems = [...(options.problems ?? []), ...bundleProblems(bundle, options, now)]
  const prunable = certificates.filter((c) => !c.inUse && c.state === 'expired')
  const notes = [
    ...prunable.map(
      (c) =>
        `root ${c.subject} (serial ${c.serialNumber.slice(0, 8)}…) expired on ${rfc1123(c.notAfter)}; the issuer does not chain to it, so it can be pruned`,
    ),
  ]
  const inUseLevel = expiryLevel(
    certificates.filter((c) => c.inUse),
    options.warnDays,
    now,
    options.clockSkewMs,
  )
  const status: ExpiryLevel =
    problems.length > 0 ? 'critical' : inUseLevel === 'ok' && prunable.length > 0 ? 'warning' : inUseLevel
  return {
    source: options.source,
    location: options.location,
    warnDays: options.warnDays,
    status,
    certificates,
    problems,
    notes,
    ...(options.issuerUnreadable === undefined ? {} : {issuerUnreadable: options.issuerUnreadable}),
  }
}

export function expiryExitCode(level: ExpiryLevel): number {
  return level === 'critical' ? ExitCode.critical : level === 'warning' ? ExitCode.warning : ExitCode.ok
}

/** The root the headline speaks of: the latest-expiring root the issuer chains to, else the first root. */
export function headlineRoot<T extends Pick<CertificateInfo, 'role' | 'inUse' | 'notAfter'>>(
  certificates: T[],
): T | undefined {
  const roots = certificates.filter((c) => c.role === 'root')
  const inUse = roots.filter((c) => c.inUse)
  return (inUse.length > 0 ? inUse : roots).reduce<T | undefined>(
    (latest, c) => (latest === undefined || c.notAfter.getTime() > latest.notAfter.getTime() ? c : latest),
    undefined,
  )
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
  const root = headlineRoot(report.certificates)
  const lines: string[] = []
  if (root) {
    lines.push(`Root certificate ${hoursPhrase(root.notAfter)}. Expiry date: ${goTimeString(root.notAfter)}`)
    lines.push('')
  }
  const {certificates} = report
  const tones = [
    ...certificates.map((c) => tone(c.state)),
    ...(report.issuerUnreadable === undefined ? [] : [undefined]),
  ]
  const role = (c: CertificateInfo) => (c.role === 'root' && !c.inUse ? 'root (extra)' : c.role)
  const unreadable = report.issuerUnreadable === undefined
  if (options.wide) {
    lines.push(
      renderTable(
        ['CERTIFICATE', 'SUBJECT', 'SERIAL', 'SHA-256', 'EXPIRY DATE', 'EXPIRES', 'STATE'],
        [
          ...certificates.map((c) => [
            role(c),
            c.subject,
            c.serialNumber,
            c.sha256Fingerprint,
            rfc1123(c.notAfter),
            c.timeLeft,
            c.state,
          ]),
          ...(unreadable ? [] : [['issuer', 'not readable', '-', '-', '-', '-', 'unknown']]),
        ],
        {tones},
      ),
    )
  } else {
    lines.push(
      renderTable(
        ['CERTIFICATE', 'SHA-256', 'EXPIRY DATE', 'EXPIRES', 'STATE'],
        [
          ...certificates.map((c) => [
            role(c),
            shortFingerprint(c.sha256Fingerprint),
            shortUtc(c.notAfter),
            c.timeLeft,
            c.state,
          ]),
          ...(unreadable ? [] : [['issuer', 'not readable', '-', '-', 'unknown']]),
        ],
        {tones},
      ),
    )
  }
  if (report.issuerUnreadable !== undefined) lines.push(`Issuer: ${report.issuerUnreadable}`)
  lines.push(...renderProblems(report.problems))
  for (const note of report.notes) lines.push(`Note: ${note}`)
  return lines.join('\n')
}
