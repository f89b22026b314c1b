// Checks a trust bundle before anything is written: Sentry's acceptance rules, then ours (DESIGN.md section 6).
import type {KeyObject} from 'node:crypto'

import {UserError} from '../errors.js'
import {BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension} from '../x509.js'
import {type BundleSources, bundleFileNames, type TrustBundle} from './trust-bundle.js'
import {EncryptedKeyError, parsePrivateKey, publicKeyDer, sentryKeyBlockTypes, weakKeyProblem} from './keys.js'
import {isSelfSigned, type ParsedCertificate, parseCertificates, signs} from './certificate.js'
import {splitPem} from './pem.js'
import {timeLeft} from './describe.js'

/** Rule ids (stable, for --json) and the plain rule each one states. */
export const validationRules = {
  'pem-format': 'files must hold readable PEM certificates and keys',
  'anchor-self-signed': 'every certificate in ca.crt must be a self-signed root',
  'issuer-chains-to-anchor': 'the issuer must be signed by a root in ca.crt',
  'issuer-is-ca': 'the issuer must be a CA allowed to sign certificates',
  'anchor-path-length': 'the root must allow the issuer as an intermediate CA',
  'issuer-key-matches': 'issuer.key must be the private key of issuer.crt',
  'issuer-key-format': 'issuer.key must be an unencrypted key Sentry can read',
  'validity-period': 'certificates must be valid now',
  'issuer-within-anchor': 'the issuer must not outlive the root it chains to',
  'expiry-overlap': 'root and issuer should not expire together',
  'short-validity': 'certificates should be valid for at least 30 more days',
  'weak-key': 'RSA keys must have at least 2048 bits',
} as const

export type ValidationRule = keyof typeof validationRules

export interface ValidationProblem {
  rule: ValidationRule
  /** The file (or label) the problem is in, e.g. "issuer.crt" or "ca.crt certificate 2". */
  source: string
  message: string
}

export interface ValidationReport {
  errors: ValidationProblem[]
  warnings: ValidationProblem[]
}

export interface ValidateOptions {
  now?: Date
  clockSkewMs: number
  sources?: BundleSources
}

const hourMs = 60 * 60 * 1000
const dayMs = 24 * hourMs
const shortValidityDays = 30

// Hints name the files the user gave, so the fix reads in their terms.
const hints: Record<ValidationRule, (sources: BundleSources) => string> = {
  'pem-format': () => 'Check that the file is the PEM you meant (not DER, not truncated); nothing was changed.',
  'anchor-self-signed': (sources) =>
    `${sources.rootCert} must hold only root certificates; put intermediates in ${sources.issuerCert} after the issuer.`,
  'issuer-chains-to-anchor': () =>
    'Give the root that signed the issuer, or an issuer signed by one of the roots given.',
  'issuer-is-ca': () => 'Issue the issuer with basicConstraints CA:TRUE and keyUsage keyCertSign.',
  'anchor-path-length': () => 'Issue the root without a path length limit (or pathlen ≥ 1).',
  'issuer-key-matches': (sources) => `Give the private key that belongs to ${sources.issuerCert}.`,
  'issuer-key-format': () => 'Convert the key to unencrypted PKCS#8: openssl pkey -in <key> -out <new key>.',
  'validity-period': () => 'Renew the certificate, or check the clock of this machine.',
  'issuer-within-anchor': () => 'Issue the issuer so that it expires no later than its root.',
  'expiry-overlap': () => 'Renew the issuer before the root, or give the root a longer life.',
  'short-validity': () => 'Renew with a longer validity.',
  'weak-key': () => 'Issue the certificate with an ECDSA P-256 key or an RSA key of 2048 bits or more.',
}

export function validateBundle(bundle: TrustBundle, options: ValidateOptions): ValidationReport {
  const now = options.now ?? new Date()
  const sources = options.sources ?? bundleFileNames
  const report: ValidationReport = {errors: [], warnings: []}
  const error = (rule: ValidationRule, source: string, message: string): void => {
    report.errors.push({rule, source, message})
  }
  const warn = (rule: ValidationRule, source: string, message: string): void => {
    report.warnings.push({rule, source, message})
  }

  const roots = readCertificates(bundle.rootCertPem, sources.rootCert, error)
  const issuerChain = readCertificates(bundle.issuerCertPem, sources.issuerCert, error)
  const issuerKey = readIssuerKey(bundle.issuerKeyPem, sources.issuerKey, error)

  for (const root of roots ?? []) {
    if (!isSelfSigned(root)) {
      error('anchor-self-signed', root.label, `${describe(root)} is issued by ${root.issuer}, so it is not a root`)
    }
  }
  for (const cert of [...(roots ?? []), ...(issuerChain ?? [])]) {
    checkValidityPeriod(cert, now, options.clockSkewMs, error, warn)
    const weak = weakKeyProblem(cert.nodeCertificate.publicKey)
    if (weak) error('weak-key', cert.label, `${describe(cert)} has ${weak}`)
  }

  const issuer = issuerChain?.[0]
  if (issuerChain && issuer) {
    checkIsCa(issuer, error)
    const chain = withoutTrailingRoot(issuerChain)
    for (const cert of chain.slice(1)) checkIsCa(cert, error)
    const chainBroken = checkLinks(chain, error)
    if (roots && !chainBroken) {
      const top = chain[chain.length - 1] ?? issuer
      const anchors = roots.filter((root) => signs(root, top))
      if (anchors.length === 0) {
        const keyOnly = roots.find((root) => top.nodeCertificate.verify(root.nodeCertificate.publicKey))
        error(
          'issuer-chains-to-anchor',
          top.label,
          keyOnly
            ? `${describe(top)} is signed by the key of ${keyOnly.label} but names its issuer ${top.issuer}, not ${keyOnly.subject}`
            : `${describe(top)} is not signed by any certificate in ${sources.rootCert} (it names its issuer ${top.issuer})`,
        )
      } else {
        checkAgainstAnchors(issuer, chain, anchors, error, warn)
      }
    }
  }

  if (issuer && issuerKey && !publicKeyDer(issuerKey).equals(publicKeyDer(issuer.nodeCertificate.publicKey))) {
    error('issuer-key-matches', sources.issuerKey, `this key does not belong to ${issuer.label} (${issuer.subject})`)
  }
  return report
}

/** Like validateBundle, but throws the first error as a UserError; returns the report (its warnings) otherwise. */
export function assertValidBundle(bundle: TrustBundle, options: ValidateOptions): ValidationReport {
  const report = validateBundle(bundle, options)
  const [first] = report.errors
  if (first) {
    const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : ''
    throw new UserError(`${formatProblem(first)}${more}`, {hint: hints[first.rule](options.sources ?? bundleFileNames)})
  }
  return report
}

/** "<source>: <problem> (<rule>)", the one-line form of a problem. */
export function formatProblem(problem: ValidationProblem): string {
  return `${problem.source}: ${problem.message} (${problem.rule})`
}

type Report = (rule: ValidationRule, source: string, message: string) => void

function readCertificates(pem: string, source: string, error: Report): ParsedCertificate[] | undefined {
  try {
    return parseCertificates(pem, source)
  } catch (caught) {
    if (!(caught instanceof UserError)) throw caught
    error('pem-format', source, withoutSource(caught.message, source))
    return undefined
  }
}

function readIssuerKey(pem: string, source: string, error: Report): KeyObject | undefined {
  let key: KeyObject
  try {
    key = parsePrivateKey(pem, source)
  } catch (caught) {
    if (caught instanceof EncryptedKeyError) {
      error('issuer-key-format', source, 'the key is encrypted, and Sentry cannot read an encrypted key')
      return undefined
    }
    if (!(caught instanceof UserError)) throw caught
    error('pem-format', source, withoutSource(caught.message, source))
    return undefined
  }
  const [first] = splitPem(pem, source)
  if (first && !sentryKeyBlockTypes.includes(first.type)) {
    error('issuer-key-format', source, `the file starts with ${first.type}; Sentry reads only the first PEM block`)
  }
  return key
}

/** Parse errors name their file; the problem line names it once, in front. */
function withoutSource(message: string, source: string): string {
  for (const prefix of [`${source}: `, `${source} `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length)
  }
  return message
}

function checkValidityPeriod(
  cert: ParsedCertificate,
  now: Date,
  clockSkewMs: number,
  error: Report,
  warn: Report,
): void {
  if (now.getTime() >= cert.notAfter.getTime()) {
    error('validity-period', cert.label, `${describe(cert)} expired on ${formatDate(cert.notAfter)}`)
  } else if (cert.notBefore.getTime() > now.getTime() + clockSkewMs) {
    error(
      'validity-period',
      cert.label,
      `${describe(cert)} is not valid until ${formatDate(cert.notBefore)}, beyond the allowed clock skew`,
    )
  } else if (cert.notAfter.getTime() - now.getTime() < shortValidityDays * dayMs) {
    const when = timeLeft(cert.notAfter, now)
    warn('short-validity', cert.label, `${describe(cert)} expires ${when}, on ${formatDate(cert.notAfter)}`)
  }
}

function checkIsCa(cert: ParsedCertificate, error: Report): void {
  const basicConstraints = cert.certificate.getExtension(BasicConstraintsExtension)
  if (!basicConstraints?.ca) {
    error('issuer-is-ca', cert.label, `${describe(cert)} is not a CA certificate (basicConstraints CA:TRUE is missing)`)
  }
  // No keyUsage extension means every usage is allowed (RFC 5280, and Go's verifier agrees).
  const keyUsage = cert.certificate.getExtension(KeyUsagesExtension)
  if (keyUsage && (keyUsage.usages & KeyUsageFlags.keyCertSign) === 0) {
    error('issuer-is-ca', cert.label, `${describe(cert)} may not sign certificates (keyUsage lacks keyCertSign)`)
  }
}

/** Sentry drops a self-signed certificate at the end of issuer.crt; the chain is what is left. */
function withoutTrailingRoot(chain: ParsedCertificate[]): ParsedCertificate[] {
  const last = chain[chain.length - 1]
  return chain.length > 1 && last && isSelfSigned(last) ? chain.slice(0, -1) : chain
}

/** Each certificate of issuer.crt must be signed by the next one; true when a link is broken. */
function checkLinks(chain: ParsedCertificate[], error: Report): boolean {
  let broken = false
  for (let index = 0; index + 1 < chain.length; index++) {
    const [child, parent] = [chain[index], chain[index + 1]]
    if (child && parent && !signs(parent, child)) {
      error(
        'issuer-chains-to-anchor',
        child.label,
        `${describe(child)} is not signed by the next certificate in the file`,
      )
      broken = true
    }
  }
  return broken
}

function checkAgainstAnchors(
  issuer: ParsedCertificate,
  chain: ParsedCertificate[],
  anchors: ParsedCertificate[],
  error: Report,
  warn: Report,
): void {
  // Path length: a CA may have at most pathLength CA certificates below it before the workload certificate.
  for (const [index, cert] of chain.entries()) {
    if (index === 0) continue
    const pathLength = cert.certificate.getExtension(BasicConstraintsExtension)?.pathLength
    if (pathLength !== undefined && pathLength < index) {
      error('anchor-path-length', cert.label, `${describe(cert)} has pathlen:${pathLength}, too short for this chain`)
    }
  }
  const allowing = anchors.filter((anchor) => {
    const pathLength = anchor.certificate.getExtension(BasicConstraintsExtension)?.pathLength
    return pathLength === undefined || pathLength >= chain.length
  })
  if (allowing.length === 0) {
    const [anchor] = anchors
    const pathLength = anchor?.certificate.getExtension(BasicConstraintsExtension)?.pathLength ?? 0
    error(
      'anchor-path-length',
      anchor?.label ?? issuer.label,
      `${anchor ? describe(anchor) : 'the root'} has pathlen:${pathLength}, so certificates signed by the issuer would not verify`,
    )
    return
  }
  const latest = allowing.reduce((a, b) => (b.notAfter.getTime() > a.notAfter.getTime() ? b : a))
  if (issuer.notAfter.getTime() > latest.notAfter.getTime()) {
    error(
      'issuer-within-anchor',
      issuer.label,
      `${describe(issuer)} expires on ${formatDate(issuer.notAfter)}, after ${latest.label} (${formatDate(latest.notAfter)})`,
    )
  } else if (latest.notAfter.getTime() - issuer.notAfter.getTime() <= dayMs) {
    warn(
      'expiry-overlap',
      issuer.label,
      `${describe(issuer)} expires within a day of ${latest.label} (${formatDate(latest.notAfter)}), so both must be renewed at the same time`,
    )
  }
}

function describe(cert: ParsedCertificate): string {
  return `the certificate "${cert.subject}"`
}

function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
