// The plan of a change to Sentry's settings, as plain data: which spec.mtls fields change from what to what, the
// warnings about the new values, and what the change means for who reads it (Sentry at its next start, the injector
// for each new pod, Helm at its next upgrade). --dry-run prints it; a real run prints the same before writing.
import {parseGoDuration} from '../certs/index.js'
import {UsageError} from '../errors.js'
import type {Owner} from '../kube/ownership.js'
import {
  describeValidator,
  type MtlsSpec,
  settingsOf,
  type TokenValidatorSpec,
  tokenValidatorsOf,
} from './mtls-settings.js'

export type SettingsMode = 'kubernetes' | 'self-hosted'

export type MtlsField = 'enabled' | 'workloadCertTTL' | 'allowedClockSkew' | 'tokenValidators'

/** New values of spec.mtls fields; null removes the field. */
export type MtlsEdit = Partial<Record<MtlsField, boolean | string | TokenValidatorSpec[] | null>>

export interface FieldChange {
  field: MtlsField
  from: string
  to: string
}

export interface SettingsContext {
  mode: SettingsMode
  /** "daprsystem in namespace dapr-system", or the Configuration file. */
  location: string
  /** -k: the control-plane namespace, for the commands the plan names. */
  namespace?: string
  /** -k: whoever else manages the daprsystem Configuration (Helm, Argo CD, Flux). */
  owners?: Owner[]
  /** -k: Sentry's SPIFFE ID (its --trust-domain and namespace), the audience a JWKS token needs. */
  sentryId?: string
}

export interface SettingsPlan {
  location: string
  changes: FieldChange[]
  edit: MtlsEdit
  warnings: string[]
  /** What the change means, said before it is written. */
  consequences: string[]
}

export interface SettingsRequest {
  workloadCertTTL?: string | undefined
  allowedClockSkew?: string | undefined
  enabled?: boolean | undefined
  /** A flag given that only goes with --enabled (--restart-apps, --force, --concurrency). */
  appFlag?: string | undefined
}

const sentryFields: MtlsField[] = ['workloadCertTTL', 'allowedClockSkew', 'tokenValidators']

/** A Go duration that Sentry's time.ParseDuration reads and that is above zero; exit 2 otherwise. */
export function positiveDuration(flag: string, text: string): number {
  let ms: number
  try {
    if (text !== text.trim()) throw new Error('spaces')
    ms = parseGoDuration(text, flag)
  } catch {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not a Go duration`,
      'Write it as Go does, e.g. 90s, 15m, 1h30m or 24h.',
    )
  }
  if (!(ms > 0)) throw new UsageError(`${flag} ${text} is not positive`, 'Give a duration above zero, e.g. 1h.')
  return ms
}

function shown(field: MtlsField, mtls: MtlsSpec): string {
  const settings = settingsOf(mtls)
  switch (field) {
    case 'enabled':
      return String(settings.mtlsEnabled)
    case 'workloadCertTTL':
      return mtls.workloadCertTTL ? settings.workloadCertTTL : `${settings.workloadCertTTL} (default)`
    case 'allowedClockSkew':
      return mtls.allowedClockSkew ? settings.allowedClockSkew : `${settings.allowedClockSkew} (default)`
    case 'tokenValidators':
      return settings.tokenValidators.length === 0 ? 'none' : settings.tokenValidators.map(describeValidator).join('; ')
  }
}

function applied(mtls: MtlsSpec, edit: MtlsEdit): MtlsSpec {
  const removed = new Set(Object.keys(edit).filter((field) => edit[field as MtlsField] === null))
  const kept = Object.entries({...mtls, ...edit}).filter(([field]) => !removed.has(field))
  return Object.fromEntries(kept)
}

function durationWarnings(next: MtlsSpec): string[] {
  const {workloadCertTTL, allowedClockSkew} = settingsOf(next)
  const ttl = parseGoDuration(workloadCertTTL, 'workloadCertTTL')
  const skew = parseGoDuration(allowedClockSkew, 'allowedClockSkew')
  const warnings: string[] = []
  if (ttl < 60_000) {
    warnings.push(
      `workloadCertTTL ${workloadCertTTL} is under a minute: every sidecar asks Sentry for a new certificate at half of it, which loads Sentry and breaks calls whenever Sentry is briefly away.`,
    )
  }
  if (skew >= ttl) {
    warnings.push(
      `allowedClockSkew ${allowedClockSkew} is not shorter than workloadCertTTL ${workloadCertTTL}: a certificate is valid from issue − skew to issue + TTL and sidecars renew halfway, (TTL − skew)/2 after issue, which is already past, so they ask Sentry again and again.`,
    )
  }
  return warnings
}

function ownerConsequences(owners: Owner[], edit: MtlsEdit): string[] {
  const helmValues = (['enabled', 'workloadCertTTL', 'allowedClockSkew'] as const).flatMap((field) => {
    const value = edit[field]
    return typeof value === 'string' || typeof value === 'boolean' ? [`global.mtls.${field}=${String(value)}`] : []
  })
  const lines: string[] = []
  const helm = owners.find((owner) => owner.manager === 'Helm')
  const who = helm ? `daprsystem belongs to Helm (${helm.name})` : 'If Dapr was installed with Helm'
  if (helmValues.length > 0) {
    lines.push(
      `${who}: its chart renders daprsystem from global.mtls.*, so a \`helm upgrade\` that renders another value there, and any \`helm upgrade --force\`, puts the chart's value back. Keep this one with --set ${helmValues.join(',')}.`,
    )
  }
  if (Array.isArray(edit.tokenValidators) && edit.tokenValidators.length > 0) {
    lines.push(
      `${who}: the chart has no value for tokenValidators, so a \`helm upgrade --force\` (it replaces the object) drops them; run this command again after such an upgrade.`,
    )
  }
  for (const owner of owners.filter((o) => o.manager !== 'Helm')) {
    lines.push(
      `daprsystem is reconciled by ${owner.manager} (${owner.name}): its next sync reverts this change unless you make it in its source too.`,
    )
  }
  return lines
}

/** "a", "a and b", "a, b and c". */
function wordList(words: string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}` : (words[0] ?? '')
}

function jwksTokenShape(context: SettingsContext): string {
  const audience =
    context.sentryId ??
    `Sentry's SPIFFE ID, spiffe://<its --trust-domain>/ns/<its NAMESPACE, default "default">/dapr-sentry`
  return `A client's JWT needs the kid of a key in the JWKS, sub spiffe://<the trust domain it requests, public by default>/ns/<namespace>/<app id>, aud ${audience}, and an exp no more than 5 minutes past.`
}

function consequences(current: MtlsSpec, edit: MtlsEdit, context: SettingsContext): string[] {
  const lines: string[] = []
  const next = applied(current, edit)
  const fields = new Set(Object.keys(edit) as MtlsField[])
  const sentryChanged = sentryFields.filter((field) => fields.has(field))
  const before = tokenValidatorsOf(current).length
  const after = tokenValidatorsOf(next).length
  if (context.mode === 'kubernetes') {
    if (sentryChanged.length > 0) {
      lines.push(
        `Only Sentry reads ${wordList(sentryChanged)}, and only when it starts: the change applies once dapr-sentry restarts (--restart does it); nothing else needs a restart.`,
      )
    }
    if (fields.has('workloadCertTTL')) {
      lines.push(
        'Running sidecars get certificates with the new TTL at their next renewal, halfway through their current one.',
      )
    }
    if (fields.has('enabled')) {
      lines.push(
        `The sidecar injector reads spec.mtls.enabled for each new pod: running sidecars keep their mTLS setting until their app restarts, and meanwhile sidecars with and without mTLS cannot call each other.`,
      )
    }
    if (fields.has('tokenValidators') && after > 0) {
      lines.push(
        `Injected sidecars always use the Kubernetes validator; a JWKS validator serves other clients that join the cluster and ask Sentry with token validator JWKS. ${jwksTokenShape(context)}`,
      )
    }
    lines.push(...ownerConsequences(context.owners ?? [], edit))
  } else {
    if (sentryChanged.length > 0) {
      lines.push(
        `Sentry reads ${context.location} (its --config) only when it starts: restart Sentry for the change to apply.`,
      )
    }
    if (fields.has('tokenValidators') && before === 0 && after > 0) {
      lines.push(
        `With a token validator configured, Sentry turns off its insecure validator: daprd, placement and scheduler must then send a token from the file named by DAPR_SENTRY_TOKEN_FILE, or they fail at their next start or certificate renewal. ${jwksTokenShape(context)}`,
      )
    }
    if (fields.has('tokenValidators') && before > 0 && after === 0) {
      lines.push(
        'With no validator left, Sentry turns its insecure validator back on: whoever reaches Sentry gets a certificate for any app ID without a token.',
      )
    }
  }
  lines.push(...fetchedSources(current, next, context))
  return lines
}

/** Sentry fetches a URL source when it starts and exits when it cannot: say so for each URL the change adds. */
function fetchedSources(current: MtlsSpec, next: MtlsSpec, context: SettingsContext): string[] {
  const sources = (mtls: MtlsSpec) =>
    tokenValidatorsOf(mtls)
      .map((validator) => validator.options?.source)
      .filter((source): source is string => typeof source === 'string' && /^https?:\/\//.test(source))
  const before = new Set(sources(current))
  const undo =
    context.mode === 'kubernetes'
      ? 'a dapr-sentry restart then does not finish (the new pod fails, the running one is kept) and `dapr mtls token-validator remove jwks -k` undoes the change'
      : 'remove it with `dapr mtls token-validator remove jwks` to start Sentry again'
  return sources(next)
    .filter((source) => !before.has(source))
    .map(
      (source) =>
        `Sentry fetches ${source} when it starts and exits if it cannot (unreachable, a certificate it does not trust, not a JWKS): make sure Sentry can reach it; otherwise ${undo}.`,
    )
}

/** Pure: the plan of an edit to spec.mtls as it is now. Fields whose value would not change are left out. */
export function planEdit(current: MtlsSpec, edit: MtlsEdit, context: SettingsContext): SettingsPlan {
  const next = applied(current, edit)
  const changes: FieldChange[] = []
  const kept: MtlsEdit = {}
  for (const [field, value] of Object.entries(edit) as [MtlsField, MtlsEdit[MtlsField]][]) {
    const from = shown(field, current)
    const to = shown(field, next)
    // An unset enabled is false to the injector; an unset duration is Dapr's default, which writing makes explicit.
    const raw = (current as Record<string, unknown>)[field]
    const same = field === 'enabled' ? from === to : JSON.stringify(raw) === JSON.stringify(value ?? undefined)
    if (same) continue
    changes.push({field, from, to})
    kept[field] = value
  }
  const durationsChanged = kept.workloadCertTTL !== undefined || kept.allowedClockSkew !== undefined
  return {
    location: context.location,
    changes,
    edit: kept,
    warnings: durationsChanged ? durationWarnings(next) : [],
    consequences: changes.length > 0 ? consequences(current, kept, context) : [],
  }
}

/** Checks the flags of `dapr mtls set` and turns them into an edit; exit 2 for values Sentry would not read. */
export function settingsEdit(request: SettingsRequest, mode: SettingsMode): MtlsEdit {
  const edit: MtlsEdit = {}
  if (request.workloadCertTTL !== undefined) {
    positiveDuration('--workload-cert-ttl', request.workloadCertTTL)
    edit.workloadCertTTL = request.workloadCertTTL
  }
  if (request.allowedClockSkew !== undefined) {
    positiveDuration('--allowed-clock-skew', request.allowedClockSkew)
    edit.allowedClockSkew = request.allowedClockSkew
  }
  if (request.enabled !== undefined) {
    if (mode === 'self-hosted') {
      throw new UsageError(
        '--enabled does not apply self-hosted: daprd turns mTLS on with its own --enable-mtls flag, and Sentry does not read spec.mtls.enabled',
        'Start daprd with (or without) --enable-mtls instead; add -k to change it on a Kubernetes cluster.',
      )
    }
    edit.enabled = request.enabled
  } else if (request.appFlag !== undefined) {
    throw new UsageError(
      `--${request.appFlag} only goes with --enabled: the other settings need only a Sentry restart`,
      `Drop --${request.appFlag}, and use --restart to restart dapr-sentry.`,
    )
  }
  if (Object.keys(edit).length === 0) {
    throw new UsageError(
      'nothing to set',
      mode === 'kubernetes'
        ? 'Give --workload-cert-ttl, --allowed-clock-skew or --enabled.'
        : 'Give --workload-cert-ttl or --allowed-clock-skew.',
    )
  }
  return edit
}

/** -k: an mTLS switch reaches sidecars only when their pods are re-created, with downtime meanwhile; say so first. */
export function assertEnabledChangeAllowed(plan: SettingsPlan, options: {restartApps: boolean; force: boolean}): void {
  const change = plan.changes.find((c) => c.field === 'enabled')
  if (change === undefined || options.restartApps || options.force) return
  throw new UsageError(
    `--enabled=${change.to} changes nothing until every Dapr-enabled app is restarted, and until then sidecars with and without mTLS cannot call each other`,
    'Add --restart-apps to restart them all right after the change (calls fail during the rollout), or --force to change it now and restart them yourself.',
  )
}

export function renderPlan(plan: SettingsPlan): string {
  const lines = [`spec.mtls of ${plan.location}:`]
  if (plan.changes.length === 0) lines.push('  no change: it already has these settings')
  for (const change of plan.changes) lines.push(`  ${change.field}: ${change.from} → ${change.to}`)
  for (const warning of plan.warnings) lines.push(`Warning: ${warning}`)
  for (const line of plan.consequences) lines.push(`Note: ${line}`)
  return lines.join('\n')
}
