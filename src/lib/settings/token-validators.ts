// Sentry's JWKS token validator as `dapr mtls token-validator add` writes it. Sentry resolves `source` and
// `caCertificate` on its own filesystem, so a JWKS or CA file given here is written as inline content (in both modes)
// and an https URL as it is. Everything is checked before anything is written: the URL, the JWKS keys, the CA bundle,
// the durations, and that Sentry knows the validator.
import {parseCertificates} from '../certs/index.js'
import {UsageError, UserError} from '../errors.js'
import {readInputFile} from '../renewal/inputs.js'
import {checkJwks} from './jwks.js'
import type {TokenValidatorSpec} from './mtls-settings.js'
import {positiveDuration} from './plan.js'

export const jwksValidatorName = 'jwks'

/** What --source names: a URL Sentry fetches, or a JWKS given here (inline JSON, or a file on this machine). */
export type JwksSource = {kind: 'url'; url: string} | {kind: 'inline'; text: string} | {kind: 'file'; path: string}

export interface JwksValidatorFlags {
  source: string
  caCertificate?: string | undefined
  minRefreshInterval?: string | undefined
  requestTimeout?: string | undefined
  insecureSource?: boolean | undefined
}

export interface JwksValidator {
  spec: TokenValidatorSpec
  warnings: string[]
}

/** Pure: the validator names Sentry accepts in tokenValidators, with its own reasons for the others. */
export function assertValidatorName(name: string): void {
  if (name.toLowerCase() === jwksValidatorName) return
  if (['kubernetes', 'insecure'].includes(name.toLowerCase())) {
    throw new UsageError(
      `the ${name.toLowerCase()} validator is built into Sentry and cannot be configured`,
      'Sentry takes only jwks in tokenValidators (Kubernetes mode always has the kubernetes validator).',
    )
  }
  throw new UsageError(`unknown token validator ${name}`, 'Sentry supports one configurable validator: jwks.')
}

/** Pure: what kind of source the --source text is. */
export function classifySource(source: string, insecureSource: boolean): JwksSource {
  const text = source.trim()
  if (text === '') throw new UsageError('--source is empty', 'Give an https URL, a JWKS file or inline JWKS JSON.')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new UsageError(
        `--source ${text} is not a valid URL`,
        'Give an https URL such as https://issuer.example/jwks.json.',
      )
    }
    if (url.protocol === 'http:' && !insecureSource) {
      throw new UsageError(
        `--source ${text} is plain http: anyone on the path could hand Sentry their own keys`,
        'Serve the JWKS over https, or add --insecure-source for a test set-up.',
      )
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(
        `--source ${text}: Sentry fetches only https (or http) URLs`,
        'Give an https URL, or the path of a JWKS file here: the CLI writes its content.',
      )
    }
    return {kind: 'url', url: text}
  }
  if (text.startsWith('{')) return {kind: 'inline', text}
  return {kind: 'file', path: source}
}

function assertUrlOnly(flags: JwksValidatorFlags): void {
  const given = (
    [
      ['--ca-certificate', flags.caCertificate],
      ['--jwks-min-refresh-interval', flags.minRefreshInterval],
      ['--jwks-request-timeout', flags.requestTimeout],
    ] as const
  ).find(([, value]) => value !== undefined)
  if (given === undefined) return
  throw new UsageError(
    `${given[0]} only applies to a JWKS that Sentry fetches from a URL`,
    `Drop ${given[0]}: a JWKS given as a file or inline is written into the Configuration and never fetched.`,
  )
}

/** A duration option Sentry reads only above a floor; below it Sentry silently keeps its default. */
function durationOption(flag: string, text: string | undefined, floorMs: number, floor: string, def: string) {
  if (text === undefined) return undefined
  if (positiveDuration(flag, text) <= floorMs) {
    throw new UsageError(
      `${flag} ${text} is not above ${floor}: Sentry ignores such a value and keeps its default of ${def}`,
      `Give more than ${floor}, or drop ${flag} for the default.`,
    )
  }
  return text
}

/** Reads what the flags name and builds the validator; throws before anything is written. */
export async function jwksValidator(flags: JwksValidatorFlags): Promise<JwksValidator> {
  const source = classifySource(flags.source, flags.insecureSource ?? false)
  const warnings: string[] = []
  const options: Record<string, unknown> = {}
  if (source.kind === 'url') {
    options.source = source.url
    if (source.url.startsWith('http:')) {
      warnings.push(
        `the JWKS comes over plain http from ${source.url}: whoever can alter that traffic can sign tokens.`,
      )
    }
    if (flags.caCertificate !== undefined) {
      const pem = await readInputFile(flags.caCertificate, '--ca-certificate')
      const certificates = parseCertificates(pem, flags.caCertificate)
      if (certificates.length === 0) {
        throw new UserError(`${flags.caCertificate} (--ca-certificate) holds no certificate`, {
          hint: 'Give the PEM file of the CA that signed the JWKS server certificate. Nothing was changed.',
        })
      }
      options.caCertificate = pem
    }
    const refresh = durationOption('--jwks-min-refresh-interval', flags.minRefreshInterval, 1000, '1s', '10m')
    const timeout = durationOption('--jwks-request-timeout', flags.requestTimeout, 1, '1ms', '30s')
    if (refresh !== undefined) options.minRefreshInterval = refresh
    if (timeout !== undefined) options.requestTimeout = timeout
  } else {
    assertUrlOnly(flags)
    const label = source.kind === 'file' ? `${source.path} (--source)` : '--source'
    const text = source.kind === 'file' ? await readInputFile(source.path, '--source') : source.text
    const checked = checkJwks(text, label)
    warnings.push(...checked.unusable.map((reason) => `${label}: ${reason}; it is written but verifies no token.`))
    options.source = checked.json
  }
  return {spec: {name: jwksValidatorName, options}, warnings}
}

/** Pure: the list with the validator added; Sentry keeps one validator per name, so a second jwks is refused. */
export function withValidator(current: TokenValidatorSpec[], added: TokenValidatorSpec): TokenValidatorSpec[] {
  if (current.some((validator) => validator.name.toLowerCase() === added.name.toLowerCase())) {
    throw new UserError(`a ${added.name} validator is already configured, and Sentry uses only one per name`, {
      hint: `Remove it first with \`dapr mtls token-validator remove ${added.name}\` (see it with \`dapr mtls token-validator list\`).`,
    })
  }
  return [...current, added]
}

/** Pure: the list without the named validator; removing one that is not there changes nothing, as scripts expect. */
export function withoutValidator(current: TokenValidatorSpec[], name: string): TokenValidatorSpec[] {
  return current.filter((validator) => validator.name.toLowerCase() !== name.toLowerCase())
}
