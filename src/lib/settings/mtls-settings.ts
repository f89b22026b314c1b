// Sentry's settings in spec.mtls of a Dapr Configuration, as Sentry and the injector read them, with Dapr's defaults
// for unset fields. Pure: plain objects in, plain objects out.

export const defaultWorkloadCertTTL = '24h'
export const defaultClockSkew = '15m'

/** One entry of spec.mtls.tokenValidators, as written (Sentry accepts only the name jwks). */
export interface TokenValidatorSpec {
  name: string
  options?: Record<string, unknown>
}

/** spec.mtls as it is stored; fields this tool does not set are kept as they are. */
export interface MtlsSpec {
  enabled?: boolean
  workloadCertTTL?: string
  allowedClockSkew?: string
  controlPlaneTrustDomain?: string
  sentryAddress?: string
  tokenValidators?: TokenValidatorSpec[]
}

/** The settings shown by `dapr mtls` and changed by `dapr mtls set` and `token-validator`. */
export interface MtlsSettings {
  mtlsEnabled: boolean
  workloadCertTTL: string
  allowedClockSkew: string
  tokenValidators: TokenValidatorSpec[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Pure: the validators of spec.mtls, keeping only entries that have a name (anything else Sentry refuses too). */
export function tokenValidatorsOf(mtls: MtlsSpec | undefined): TokenValidatorSpec[] {
  const list: unknown = mtls?.tokenValidators
  if (!Array.isArray(list)) return []
  return list.filter(isRecord).map((entry) => ({
    name: typeof entry.name === 'string' ? entry.name : String(entry.name),
    ...(isRecord(entry.options) ? {options: entry.options} : {}),
  }))
}

export function settingsOf(mtls: MtlsSpec | undefined): MtlsSettings {
  return {
    mtlsEnabled: mtls?.enabled === true,
    workloadCertTTL: mtls?.workloadCertTTL || defaultWorkloadCertTTL,
    allowedClockSkew: mtls?.allowedClockSkew || defaultClockSkew,
    tokenValidators: tokenValidatorsOf(mtls),
  }
}

/** How Sentry's JWKS cache reads `source`: a URL, else a path on Sentry's own filesystem, else inline JSON or base64. */
export function describeJwksSource(source: unknown): string {
  if (typeof source !== 'string' || source === '') return 'no source'
  if (/^https?:\/\//.test(source)) return source
  const trimmed = source.trim()
  if (trimmed.startsWith('{')) {
    try {
      const keys = (JSON.parse(trimmed) as {keys?: unknown}).keys
      if (Array.isArray(keys)) {
        const kids = keys.map((key) => (isRecord(key) && typeof key.kid === 'string' ? key.kid : '(no kid)'))
        return `inline JWKS, ${keys.length} key${keys.length === 1 ? '' : 's'} (kid ${kids.join(', ')})`
      }
    } catch {
      // Not JSON after all: shown below as what it is.
    }
    return 'inline content that is not a JWKS'
  }
  if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && trimmed.length > 64) return 'inline JWKS (base64)'
  return `${source} on Sentry's filesystem`
}

/** A scalar option as written (a duration string, or a number of seconds). */
function optionText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value)
}

/** One line per validator: "jwks: https://issuer.example/jwks.json (CA certificate given, refresh 2m)". */
export function describeValidator(validator: TokenValidatorSpec): string {
  const options = validator.options ?? {}
  const extras = [
    options.caCertificate ? 'CA certificate given' : undefined,
    options.minRefreshInterval === undefined
      ? undefined
      : `refresh at most every ${optionText(options.minRefreshInterval)}`,
    options.requestTimeout === undefined ? undefined : `request timeout ${optionText(options.requestTimeout)}`,
  ].filter((extra) => extra !== undefined)
  const source = validator.name === 'jwks' ? describeJwksSource(options.source) : 'not a validator Sentry knows'
  return `${validator.name}: ${source}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`
}
