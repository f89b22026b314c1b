// The checks of `mtls doctor`, each a pure function from what was read to one row: OK, WARN or FAIL with a one-line
// detail and the fix, or ERROR when it could not be checked. The bundle is judged by the same rules as a renewal
// (for the Sentry version that runs), then by what makes a cluster fail at 3 a.m.: expiry, a ConfigMap that differs
// from the Secret, sidecars that do not trust the root in use, someone else managing the objects, missing rights.
import {
  type CertificateInfo,
  certificateState,
  type CertificateState,
  describeBundle,
  hintFor,
  type TrustBundle,
  type ValidationProblem,
  type ValidationRule,
  validateBundle,
} from '../certs/index.js'
import {describeCause} from '../errors.js'
import {ExitCode} from '../output/exit-codes.js'
import {rfc1123} from '../output/time-layouts.js'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'error'

export interface DoctorCheck {
  /** Stable id, for scripts: anchors, issuer-chain, issuer-key, sentry-rules, issuer-expiry, ... */
  id: string
  title: string
  status: CheckStatus
  detail: string
  hint?: string | undefined
  /** What the detail counts (pods grouped by owner, missing rules), in full. */
  items?: string[] | undefined
}

export interface BundleCheckOptions {
  now?: Date
  warnDays: number
  clockSkewMs?: number | undefined
  /** The running Sentry's version ("1.16.2"); undefined when unknown (the rule every version accepts). */
  sentryVersion?: string | undefined
  /** The file names (self-hosted) or Secret keys (Kubernetes), as messages name them. */
  sources: {rootCert: string; issuerCert: string; issuerKey: string}
}

const check = (
  id: string,
  title: string,
  status: CheckStatus,
  detail: string,
  hint?: string,
  items?: string[],
): DoctorCheck => ({id, title, status, detail, ...(hint ? {hint} : {}), ...(items ? {items} : {})})

const datedRules = new Set<ValidationRule>(['validity-period', 'issuer-within-anchor'])
const keyRules = new Set<ValidationRule>(['issuer-key-matches', 'issuer-key-format', 'issuer-key-type', 'rsa-key-size'])

/** Pure: one row from the validation problems it covers; OK with `ok` when there are none. */
function problemRow(
  id: string,
  title: string,
  problems: ValidationProblem[],
  ok: string,
  options: BundleCheckOptions,
): DoctorCheck {
  const [first] = problems
  if (first === undefined) return check(id, title, 'ok', ok)
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return check(
    id,
    title,
    'fail',
    `${first.source}: ${first.message}${more}`,
    hintFor(first.rule, {
      sources: options.sources,
      ...(options.sentryVersion ? {sentryVersion: options.sentryVersion} : {}),
    }),
    problems.map((p) => `${p.source}: ${p.message} (${p.rule})`),
  )
}

const inFile = (problem: ValidationProblem, file: string) =>
  problem.source === file || problem.source.startsWith(`${file} certificate `)

/** Pure: the rows about the bundle itself: its shape, Sentry's rules, and its dates. */
export function bundleChecks(bundle: TrustBundle, options: BundleCheckOptions): DoctorCheck[] {
  const now = options.now ?? new Date()
  const {sources} = options
  const version = options.sentryVersion === undefined ? {} : {sentryVersion: options.sentryVersion}
  const {errors} = validateBundle(bundle, {now, sources, ...version})
  const shape = errors.filter((p) => !datedRules.has(p.rule))
  const rules = options.sentryVersion
    ? `the rules of Sentry ${options.sentryVersion}`
    : 'the rules every Sentry version accepts (its version is unknown)'
  let certificates: CertificateInfo[] = []
  let unreadable: string | undefined
  try {
    certificates = describeBundle(bundle, now, sources)
  } catch (error) {
    unreadable = describeCause(error)
  }
  const roots = certificates.filter((c) => c.role === 'root')
  const issuer = certificates.find((c) => c.role === 'issuer')
  const inUse = roots.filter((c) => c.inUse)
  return [
    problemRow(
      'anchors',
      'every root is a self-signed CA',
      shape.filter((p) => inFile(p, sources.rootCert)),
      `${roots.length} root${roots.length === 1 ? '' : 's'} in ${sources.rootCert}, each self-signed`,
      options,
    ),
    problemRow(
      'issuer-chain',
      'the issuer chains to a root',
      shape.filter((p) => inFile(p, sources.issuerCert) && !keyRules.has(p.rule)),
      issuer && inUse[0] ? `${issuer.subject} is signed by root ${inUse[0].subject}` : 'chains to a root',
      options,
    ),
    problemRow(
      'issuer-key',
      'the issuer key matches',
      shape.filter((p) => inFile(p, sources.issuerKey) || keyRules.has(p.rule)),
      `${sources.issuerKey} is the key of ${sources.issuerCert}${issuer ? ` (${issuer.keyAlgorithm})` : ''}`,
      options,
    ),
    problemRow('sentry-rules', `passes ${rules}, as a renewal checks`, errors, 'no problem found', options),
    ...(unreadable === undefined
      ? expiryChecks(roots, issuer, options, now)
      : [check('expiry', 'expiry', 'fail', `the certificates cannot be read: ${unreadable}`)]),
  ]
}

const stateStatus: Record<CertificateState, CheckStatus> = {
  valid: 'ok',
  expiring: 'warn',
  expired: 'fail',
  'not yet valid': 'fail',
}

function dated(c: CertificateInfo, state: CertificateState): string {
  const when = state === 'not yet valid' ? `valid from ${rfc1123(c.notBefore)}` : `expires ${rfc1123(c.notAfter)}`
  return `${when} (${state === 'not yet valid' ? 'not yet valid' : c.timeLeft})`
}

const dayMs = 86_400_000

/** Pure: the issuer's expiry, the roots it chains to, roots that can be pruned, and root and issuer ending together. */
export function expiryChecks(
  roots: CertificateInfo[],
  issuer: CertificateInfo | undefined,
  options: BundleCheckOptions,
  now: Date,
): DoctorCheck[] {
  const state = (c: CertificateInfo) => certificateState(c, options.warnDays, now, options.clockSkewMs)
  const renew = `Renew before then: dapr mtls renew-certificate (with --private-key <root key> to keep the root, so no app needs a restart).`
  const rows: DoctorCheck[] = []
  if (issuer) {
    const s = state(issuer)
    rows.push(
      check('issuer-expiry', 'issuer expiry', stateStatus[s], dated(issuer, s), s === 'valid' ? undefined : renew),
    )
  }
  const inUse = roots.filter((c) => c.inUse)
  const worst = inUse
    .map((c) => ({c, s: state(c)}))
    .sort((a, b) => severity(stateStatus[b.s]) - severity(stateStatus[a.s]))[0]
  if (worst) {
    rows.push(
      check(
        'root-expiry',
        'expiry of the root the issuer chains to',
        stateStatus[worst.s],
        `${worst.c.subject} ${dated(worst.c, worst.s)}`,
        worst.s === 'valid' ? undefined : renew,
      ),
    )
  }
  const prunable = roots.filter((c) => !c.inUse && state(c) === 'expired')
  const extra = roots.filter((c) => !c.inUse && state(c) !== 'expired')
  rows.push(
    prunable.length > 0
      ? check(
          'expired-roots',
          'expired roots that can be pruned',
          'warn',
          `${prunable.length} expired root${prunable.length === 1 ? '' : 's'} the issuer does not chain to: ${prunable.map((c) => `${c.subject} (expired ${rfc1123(c.notAfter)})`).join(', ')}`,
          'Remove them from ca.crt when convenient (a renewal with fresh certificates drops them).',
        )
      : check(
          'expired-roots',
          'expired roots that can be pruned',
          'ok',
          extra.length > 0
            ? `none; ${extra.length} extra valid root${extra.length === 1 ? '' : 's'} kept beside the one in use`
            : 'none',
        ),
  )
  rows.push(overlapCheck(issuer, inUse, (c) => state(c) !== 'valid'))
  return rows
}

/**
 * Pure: root and issuer ending together (Dapr's default, and this tool's, DESIGN.md section 5) means the issuer
 * cannot be renewed alone: a fresh renewal then replaces the root too. Worth knowing always, worth a warning once it
 * is due (`due`: within the warning window).
 */
function overlapCheck(
  issuer: CertificateInfo | undefined,
  inUse: CertificateInfo[],
  due: (c: CertificateInfo) => boolean,
): DoctorCheck {
  const title = 'root and issuer end at different times'
  const root = issuer && inUse.find((c) => Math.abs(c.notAfter.getTime() - issuer.notAfter.getTime()) < dayMs)
  if (!issuer || !root) return check('expiry-overlap', title, 'ok', issuer ? 'yes' : 'no issuer to compare')
  const advice =
    'Renew with --private-key <root key> to keep the root (no app restart), or give the issuer a shorter life than the root.'
  const detail = `no: both expire ${rfc1123(issuer.notAfter)}, so renewing the issuer then replaces the root as well, unless the root key is kept`
  return due(issuer)
    ? check('expiry-overlap', title, 'warn', detail, advice)
    : check('expiry-overlap', title, 'ok', detail)
}

const order: Record<CheckStatus, number> = {ok: 0, warn: 1, error: 2, fail: 3}
const severity = (status: CheckStatus) => order[status]

/** Pure: the worst result; a check that failed outranks one that could not run. */
export function worstStatus(checks: DoctorCheck[]): CheckStatus {
  return checks.reduce<CheckStatus>((worst, c) => (severity(c.status) > severity(worst) ? c.status : worst), 'ok')
}

/** Pure: DESIGN.md section 4: 0 all OK, 3 a warning, 4 a failure, 1 when something could not be checked. */
export function doctorExitCode(checks: DoctorCheck[]): number {
  switch (worstStatus(checks)) {
    case 'fail':
      return ExitCode.critical
    case 'error':
      return ExitCode.failure
    case 'warn':
      return ExitCode.warning
    case 'ok':
      return ExitCode.ok
  }
}

/** Pure: a check that could not run, with why. */
export function errorCheck(id: string, title: string, error: unknown, hint?: string): DoctorCheck {
  const userHint = (error as {hint?: string} | undefined)?.hint
  return check(id, title, 'error', `could not check: ${describeCause(error)}`, hint ?? userHint)
}
