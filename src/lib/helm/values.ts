// The chart values of `dapr init -k`, pure: the flags' values in the official order, the user's --set entries after
// them, and the certificate values, which reach Helm in a values file because a command line is visible to `ps`.
import YAML from 'yaml'

import type {CertificateInfo, TrustBundle} from '../certs/index.js'
import {UsageError} from '../errors.js'

export type ValueSource = '--enable-ha' | '--enable-mtls' | '--runtime-version' | '--set' | 'certificates'

export interface ChartValue {
  key: string
  /** As Helm receives it; for a certificate value, a description (fingerprints) stands in for the PEM. */
  value: string
  source: ValueSource
}

export const certificateValueKeys = {
  rootCert: 'dapr_sentry.tls.root.certPEM',
  issuerCert: 'dapr_sentry.tls.issuer.certPEM',
  issuerKey: 'dapr_sentry.tls.issuer.keyPEM',
} as const

export const latestVersion = 'latest'

export interface FlagValueInput {
  haEnabled: boolean
  mtlsEnabled: boolean
  /** `latest`, or the version the chart and image tag are pinned to. */
  runtimeVersion: string
}

/**
 * The official CLI's values in its order. With `latest` no tag is set, so the chart's own default tag (the runtime
 * version it was released with) applies: resolving `latest` against an image registry fails in air-gapped clusters.
 */
export function flagValues(input: FlagValueInput): ChartValue[] {
  const values: ChartValue[] = [
    {key: 'global.ha.enabled', value: String(input.haEnabled), source: '--enable-ha'},
    {key: 'global.mtls.enabled', value: String(input.mtlsEnabled), source: '--enable-mtls'},
  ]
  if (input.runtimeVersion !== latestVersion) {
    values.push({key: 'global.tag', value: input.runtimeVersion, source: '--runtime-version'})
  }
  return values
}

/**
 * Splits one --set entry the way Helm's strvals parser does at the top level: `a=1,b=2` is two values, `\,` is a
 * literal comma and commas inside `{…}` list values belong to the list. Helm still parses the entry itself (types,
 * lists, indexes); this only finds the keys, and refuses an entry Helm would refuse.
 */
export function parseSetEntry(entry: string): ChartValue[] {
  const parts: string[] = []
  let current = ''
  let depth = 0
  for (let i = 0; i < entry.length; i++) {
    const char = entry[i] ?? ''
    if (char === '\\' && i + 1 < entry.length) {
      current += char + (entry[i + 1] ?? '')
      i++
    } else if (char === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      if (char === '{') depth++
      else if (char === '}' && depth > 0) depth--
      current += char
    }
  }
  parts.push(current)
  return parts.map((part) => {
    const equals = unescapedIndexOf(part, '=')
    const key = equals < 0 ? part : part.slice(0, equals)
    if (equals < 0 || key.trim() === '') {
      throw new UsageError(
        `--set ${entry}: "${part}" is not key=value`,
        'Write --set key=value, e.g. --set global.logAsJson=true.',
      )
    }
    return {key: key.trim(), value: unescape(part.slice(equals + 1)), source: '--set'}
  })
}

function unescapedIndexOf(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === char) return i
  }
  return -1
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1')
}

/** The value a key ends up with, later entries winning, as Helm merges them. */
export function effectiveValue(values: readonly ChartValue[], key: string): string | undefined {
  return values.findLast((v) => v.key === key)?.value
}

/**
 * Helm merges values files before every --set, whatever the order on its command line. The official CLI applies the
 * certificates last, so a --set that would change them instead is refused rather than silently winning.
 */
export function assertNoCertificateOverride(userValues: readonly ChartValue[]): void {
  const clash = userValues.find((v) => v.key === 'dapr_sentry' || v.key.startsWith('dapr_sentry.tls'))
  if (clash) {
    throw new UsageError(
      `--set ${clash.key} conflicts with the certificates given by the certificate flags`,
      'Pass the certificates either with --generate-certs / --ca-root-certificate … or with --set, not both.',
    )
  }
}

/** The values file Helm reads the certificates from: the three PEMs under dapr_sentry.tls, nothing else. */
export function certificateValuesFile(bundle: TrustBundle): string {
  const values = {
    dapr_sentry: {
      tls: {
        root: {certPEM: bundle.rootCertPem},
        issuer: {certPEM: bundle.issuerCertPem, keyPEM: bundle.issuerKeyPem},
      },
    },
  }
  return YAML.stringify(values, {blockQuote: 'literal', lineWidth: 0})
}

/** What --dry-run and --json show for the certificate values: fingerprints, never a PEM. */
export function certificateValueSummary(certificates: readonly CertificateInfo[]): ChartValue[] {
  const fingerprints = (role: CertificateInfo['role']) =>
    certificates
      .filter((c) => c.role === role)
      .map((c) => `SHA-256 ${c.sha256Fingerprint}`)
      .join(', ')
  return [
    {key: certificateValueKeys.rootCert, value: fingerprints('root'), source: 'certificates'},
    {key: certificateValueKeys.issuerCert, value: fingerprints('issuer'), source: 'certificates'},
    {key: certificateValueKeys.issuerKey, value: 'the issuer private key (not shown)', source: 'certificates'},
  ]
}
