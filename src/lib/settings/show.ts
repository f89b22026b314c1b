// What `dapr mtls` shows of Sentry's settings, in both modes: mTLS on or off, the workload certificate TTL, the
// allowed clock skew, the token validators, and with -k the trust domain and version of the Sentry that runs.
import {renderFields} from '../output/table.js'
import {describeValidator, type TokenValidatorSpec} from './mtls-settings.js'

export interface ShownSettings {
  workloadCertTTL: string
  allowedClockSkew: string
  tokenValidators: TokenValidatorSpec[]
  /** -k: the trust domain Sentry really uses (its --trust-domain arg). */
  trustDomain?: string | undefined
  /** -k: the version the dapr-sentry image tag names. */
  sentryVersion?: string | undefined
}

export interface TokenValidatorList {
  /** "daprsystem in namespace dapr-system", or the Configuration file. */
  location: string
  tokenValidators: TokenValidatorSpec[]
}

type Mode = 'kubernetes' | 'self-hosted'

/** One line per validator, or what Sentry does without one. */
function validatorLines(validators: TokenValidatorSpec[], mode: Mode): string {
  if (validators.length > 0) return validators.map(describeValidator).join('\n')
  return mode === 'kubernetes'
    ? 'none (sidecars use the built-in Kubernetes validator)'
    : "none (Sentry's insecure validator signs for anyone)"
}

export function renderValidators(list: TokenValidatorList, mode: Mode): string {
  return `Token validators of ${list.location}:\n${validatorLines(list.tokenValidators, mode)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`
}

export function renderSettings(settings: ShownSettings, mode: Mode): string {
  const validators = validatorLines(settings.tokenValidators, mode)
  const rows: [string, string][] = [
    ['Workload certificate TTL', settings.workloadCertTTL],
    ['Allowed clock skew', settings.allowedClockSkew],
  ]
  if (settings.trustDomain !== undefined)
    rows.push(['Trust domain', `${settings.trustDomain} (dapr-sentry --trust-domain)`])
  rows.push(['Token validators', validators])
  if (mode === 'kubernetes')
    rows.push(['Sentry version', settings.sentryVersion ?? 'unknown (image tag names no version)'])
  return renderFields(rows)
}
