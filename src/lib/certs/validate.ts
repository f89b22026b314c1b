// Checks a trust bundle before anything is written: Sentry's start-up rules (pkg/sentry/server/ca/validate.go with
// Go's verifier), then a short list of stricter rules of ours, each stopping an outage Sentry lets through.
import type {KeyObject} from 'node:crypto'

import {UserError} from '../errors.js'
import {KeyUsageFlags} from '../x509.js'
import {type BundleSources, bundleFileNames, type TrustBundle} from './trust-bundle.js'
import {EncryptedKeyError, parsePrivateKey, publicKeyDer, sentryKeyBlockTypes} from './keys.js'
import {type ParsedCertificate, parseLeadingCertificates} from './certificate.js'
import {
  checkSignatureFrom,
  describeExtendedKeyUsage,
  isGoCa,
  keyUsage,
  maxPathLength,
  type Rejection,
  serverAuthBlockers,
  type SignatureFailure,
  signatureAlgorithmFailure,
  signatureAlgorithmName,
  unhandledCriticalExtensions,
  verifyLikeGo,
} from './go-verifier.js'
import {allKeyTypesSince, type IssuerKeyRule, issuerKeyRule, issuerKeyType} from './issuer-key-rule.js'
import {splitPem, withArticle} from './pem.js'

/** Rule ids (stable, for --json) and the plain rule each one states. */
export const validationRules = {
  'pem-format': 'files must hold readable PEM certificates and keys',
  'non-certificate-block': 'certificate files must hold only CERTIFICATE blocks',
  'anchor-self-signed': 'every certificate in ca.crt must be a self-signed root',
  'anchor-is-ca': 'every root in ca.crt must be a CA allowed to sign certificates',
  'anchor-expired': 'a root in ca.crt that has expired is no longer used and can be pruned',
  'anchor-not-yet-valid': 'a root in ca.crt that is not valid yet is not used until it is',
  'issuer-chain-order': 'issuer.crt must list the issuer first, then the CA that signed each certificate',
  'issuer-is-root': 'the issuer must be signed by a root, not be a root itself',
  'issuer-chains-to-anchor': 'the issuer must be signed by a root in ca.crt',
  'issuer-is-ca': 'the issuer must be a CA allowed to sign certificates',
  'extended-key-usage': 'the issuer, its intermediates and its root must allow serverAuth',
  'insecure-signature': 'signatures must use an algorithm Go accepts (not SHA-1 or MD5)',
  'critical-extension': 'certificates Sentry verifies must not carry critical extensions Go does not know',
  'anchor-path-length': 'the root must allow the issuer as an intermediate CA',
  'issuer-key-format': 'issuer.key must be an unencrypted key Sentry can read',
  'issuer-key-type': 'the issuer key must be a type the Sentry version can sign with',
  'issuer-key-matches': 'issuer.key must be the private key of issuer.crt',
  'rsa-key-size': 'RSA keys must have at least 2048 bits',
  'validity-period': 'certificates must be valid now',
  'issuer-within-anchor': 'the issuer must not outlive the root it chains to',
  'expiry-overlap': 'root and issuer should not expire together',
  'short-validity': 'certificates should be valid for at least 30 more days',
} as const

export type ValidationRule = keyof typeof validationRules

/** A rule of ours that refuses what Sentry accepts, and why: the parity test allows exactly these differences. */
export interface StricterRule {
  rule: ValidationRule
  /** What Sentry does with such a bundle. */
  sentry: string
  /** The outage the refusal prevents. */
  outage: string
}

export const stricterRules: readonly StricterRule[] = [
  {
    rule: 'issuer-is-ca',
    sentry: 'starts with an issuer that is not a CA or lacks keyCertSign (its own check needs both missing)',
    outage: 'every workload certificate it signs fails verification, so no sidecar can reach another or Sentry',
  },
  {
    rule: 'anchor-path-length',
    sentry: 'starts when the root path length allows the issuer itself',
    outage: 'workload certificates sit one level deeper, break the path length and fail verification everywhere',
  },
  {
    rule: 'issuer-within-anchor',
    sentry: 'does not compare the issuer expiry with the root',
    outage: 'the root expires first while the issuer still looks valid, and every mTLS connection fails at once',
  },
  {
    rule: 'rsa-key-size',
    sentry: 'accepts RSA keys from 1024 bits',
    outage: 'a key short enough to be broken, and a bundle the next Go key-size floor turns into a crash loop',
  },
  {
    rule: 'non-certificate-block',
    sentry: 'stops reading a certificate file at the first other block and drops the rest without a word',
    outage: 'roots after the block are missing from Sentry and every sidecar (a pasted private key is published)',
  },
]

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
  sources?: BundleSources
  /** The Sentry version the bundle is for ("1.16.2"); unknown or absent means the ECDSA-only issuer key rule. */
  sentryVersion?: string
}

const dayMs = 24 * 60 * 60 * 1000
const shortValidityDays = 30
const minimumRsaBits = 2048

interface HintContext {
  sources: BundleSources
  keyRule: IssuerKeyRule
}

// Hints name the files the user gave, so the fix reads in their terms.
const hints: Record<ValidationRule, (context: HintContext) => string> = {
  'pem-format': () => 'Check that the file is the PEM you meant (not DER, not truncated); nothing was changed.',
  'non-certificate-block': () =>
    'Keep only CERTIFICATE blocks in certificate files: Sentry ignores everything from the first other block on.',
  'anchor-self-signed': ({sources}) =>
    `${sources.rootCert} must hold only root certificates; put intermediates in ${sources.issuerCert} after the issuer.`,
  'anchor-is-ca': () => 'Issue the root with basicConstraints CA:TRUE and keyUsage keyCertSign.',
  'anchor-expired': ({sources}) => `Remove the expired root from ${sources.rootCert} when convenient.`,
  'anchor-not-yet-valid': ({sources}) => `Check the clock, or add that root to ${sources.rootCert} once it is valid.`,
  'issuer-chain-order': ({sources}) =>
    `Order ${sources.issuerCert} leaf first: the issuer, then the intermediate that signed it, and so on up to the root.`,
  'issuer-is-root': ({sources}) =>
    `Issue a separate issuer CA signed by the root, and keep the root in ${sources.rootCert} only.`,
  'issuer-chains-to-anchor': () =>
    'Give the root that signed the issuer, or an issuer signed by one of the roots given.',
  'issuer-is-ca': () => 'Issue the issuer with basicConstraints CA:TRUE and keyUsage keyCertSign.',
  'extended-key-usage': () =>
    'Reissue it without extendedKeyUsage (or with serverAuth in it): a CA limits the usages of everything below it.',
  'insecure-signature': () => 'Reissue it signed with SHA-256 or stronger (openssl: -sha256).',
  'critical-extension': () => 'Reissue it without that extension, or with the extension not marked critical.',
  'anchor-path-length': () => 'Issue the root without a path length limit (or pathlen ≥ 1).',
  'issuer-key-format': () => 'Convert the key to unencrypted PKCS#8: openssl pkey -in <key> -out <new key>.',
  'issuer-key-type': ({keyRule}) =>
    keyRule.version === undefined
      ? `Use an ECDSA issuer key, or add --sentry-version ${allKeyTypesSince} if your Sentry is ${allKeyTypesSince} or later.`
      : `Use an ECDSA issuer key (e.g. P-256), or upgrade Dapr to ${allKeyTypesSince} or later first.`,
  'issuer-key-matches': ({sources}) => `Give the private key that belongs to ${sources.issuerCert}.`,
  'rsa-key-size': () => 'Reissue it with an RSA key of 2048 bits or more, or an ECDSA key.',
  'validity-period': () => 'Renew the certificate, or check the clock of this machine.',
  'issuer-within-anchor': () => 'Issue the issuer so that it expires no later than its root.',
  'expiry-overlap': () => 'Renew the issuer before the root, or give the root a longer life.',
  'short-validity': () => 'Renew with a longer validity.',
}

type Report = (rule: ValidationRule, source: string, message: string) => void

export function validateBundle(bundle: TrustBundle, options: ValidateOptions = {}): ValidationReport {
  const now = options.now ?? new Date()
  const sources = options.sources ?? bundleFileNames
  const report: ValidationReport = {errors: [], warnings: []}
  const error: Report = (rule, source, message) => {
    report.errors.push({rule, source, message})
  }
  const warn: Report = (rule, source, message) => {
    report.warnings.push({rule, source, message})
  }

  const anchors = readCertificates(bundle.rootCertPem, sources.rootCert, error)
  const issuerFile = readCertificates(bundle.issuerCertPem, sources.issuerCert, error)
  const issuerKey = readIssuerKey(bundle.issuerKeyPem, sources.issuerKey, error)

  for (const anchor of anchors ?? []) checkAnchorSignature(anchor, error)
  const chain = issuerFile && checkIssuerChain(issuerFile, sources, error)
  const issuer = chain?.[0]
  if (chain && issuer) {
    checkIsCa(issuer, error)
    for (const cert of chain) checkValidityPeriod(cert, now, error, warn)
    const critical = unhandledCriticalExtensions(issuer)
    if (critical.length > 0) {
      error(
        'critical-extension',
        issuer.label,
        `${describe(issuer)} has critical extensions Go refuses: ${critical.join(', ')}`,
      )
    }
  }
  if (issuerKey) checkIssuerKey(issuerKey, issuer, sources, issuerKeyRule(options.sentryVersion), error)

  const usedAnchors = new Set<ParsedCertificate>()
  const refusedAnchors = new Set<ParsedCertificate>()
  if (anchors && chain && issuer && !isRootIssuer(chain)) {
    const verification = verifyLikeGo(issuer, anchors, chain.slice(1), now)
    if (verification.chains.length > 0) {
      for (const path of verification.chains) usedAnchors.add(path[path.length - 1] ?? issuer)
      checkWorkloadChains(issuer, verification.chains, error, warn)
    } else if (verification.candidates.length > 0) {
      explainExtendedKeyUsage(verification.candidates, error)
    } else {
      for (const anchor of explainUnknownAuthority(chain, anchors, verification.rejected, sources, error)) {
        refusedAnchors.add(anchor)
      }
    }
  }
  for (const anchor of anchors ?? []) {
    if (!refusedAnchors.has(anchor)) checkAnchorValidity(anchor, now, usedAnchors.size > 0, warn)
  }
  for (const cert of [...(anchors ?? []), ...(issuerFile ?? [])]) checkRsaKeySize(cert, error)
  return {errors: inFileOrder(report.errors, sources), warnings: inFileOrder(report.warnings, sources)}
}

/** Problems by file, in the order Sentry reads them (ca.crt, issuer.crt, issuer.key); stable within a file. */
function inFileOrder(problems: ValidationProblem[], sources: BundleSources): ValidationProblem[] {
  const files = [sources.rootCert, sources.issuerCert, sources.issuerKey]
  const rank = (problem: ValidationProblem) =>
    files.findIndex((file) => problem.source === file || problem.source.startsWith(`${file} certificate `))
  return problems
    .map((problem, index) => ({problem, index}))
    .sort((a, b) => rank(a.problem) - rank(b.problem) || a.index - b.index)
    .map(({problem}) => problem)
}

/** Like validateBundle, but throws the first error as a UserError; returns the report (its warnings) otherwise. */
export function assertValidBundle(bundle: TrustBundle, options: ValidateOptions = {}): ValidationReport {
  const report = validateBundle(bundle, options)
  const [first] = report.errors
  if (first) {
    const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : ''
    throw new UserError(`${formatProblem(first)}${more}`, {hint: hintFor(first.rule, options)})
  }
  return report
}

/** What to do about a broken rule, in the terms of the files the user gave. */
export function hintFor(
  rule: ValidationRule,
  options: Pick<ValidateOptions, 'sources' | 'sentryVersion'> = {},
): string {
  return hints[rule]({sources: options.sources ?? bundleFileNames, keyRule: issuerKeyRule(options.sentryVersion)})
}

/** "<source>: <problem> (<rule>)", the one-line form of a problem. */
export function formatProblem(problem: ValidationProblem): string {
  return `${problem.source}: ${problem.message} (${problem.rule})`
}

/** The certificates Sentry reads from the file: those before any block of another type (which we refuse). */
function readCertificates(pem: string, source: string, error: Report): ParsedCertificate[] | undefined {
  try {
    const {certificates, stoppedAt} = parseLeadingCertificates(pem, source)
    if (stoppedAt) {
      error(
        'non-certificate-block',
        source,
        `PEM block ${stoppedAt.position} is ${withArticle(stoppedAt.type)}, not a CERTIFICATE; Sentry ignores it and every block after it`,
      )
    }
    if (certificates.length > 0) return certificates
    error('pem-format', source, 'holds no certificate before its first other PEM block, so Sentry finds none')
    return undefined
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

/** Sentry's anchor check: cert.CheckSignatureFrom(cert), which also wants a CA that may sign certificates. */
function checkAnchorSignature(anchor: ParsedCertificate, error: Report): void {
  const failure = checkSignatureFrom(anchor, anchor)
  if (failure === undefined) return
  if (failure === 'not-a-ca' || failure === 'no-cert-sign') {
    error('anchor-is-ca', anchor.label, `${describe(anchor)} ${cannotSign(failure)}, so Sentry refuses it as a root`)
  } else if (failure === 'bad-signature') {
    const why = anchor.raw.issuer.equals(anchor.raw.subject)
      ? 'is not signed by its own key'
      : `is issued by ${anchor.issuer}`
    error('anchor-self-signed', anchor.label, `${describe(anchor)} ${why}, so it is not a root`)
  } else {
    error('insecure-signature', anchor.label, `${describe(anchor)} ${signatureProblem(anchor, failure)}`)
  }
}

/**
 * Sentry's reading of issuer.crt: each certificate signed by the next one (dapr/kit DecodePEMCertificatesChain, by
 * signature alone), then a trailing self-signed root dropped. Returns the chain Sentry keeps, or undefined when broken.
 */
function checkIssuerChain(
  file: ParsedCertificate[],
  sources: BundleSources,
  error: Report,
): ParsedCertificate[] | undefined {
  let broken = false
  for (let index = 0; index + 1 < file.length; index++) {
    const [child, parent] = [file[index], file[index + 1]]
    if (!child || !parent) continue
    const failure = checkSignatureFrom(child, parent)
    if (failure === undefined) continue
    broken = true
    if (failure === 'not-a-ca' || failure === 'no-cert-sign') {
      error(
        'issuer-is-ca',
        parent.label,
        `${describe(parent)} ${cannotSign(failure)}, so it cannot sign ${child.label}`,
      )
    } else if (failure === 'bad-signature') {
      error(
        'issuer-chain-order',
        child.label,
        `${describe(child)} is not signed by the next certificate in ${sources.issuerCert}, so Sentry refuses the chain`,
      )
    } else {
      error('insecure-signature', child.label, `${describe(child)} ${signatureProblem(child, failure)}`)
    }
  }
  if (broken) return undefined
  const last = file[file.length - 1]
  const chain = file.length > 1 && last && checkSignatureFrom(last, last) === undefined ? file.slice(0, -1) : file
  if (isRootIssuer(chain)) {
    const [issuer] = chain
    if (issuer) {
      error(
        'issuer-is-root',
        issuer.label,
        `${describe(issuer)} is self-signed: Sentry drops self-signed certificates from the issuer chain and is left with none`,
      )
    }
  }
  return chain
}

/** Every certificate self-signed: Sentry's re-encoded issuer chain is empty. */
function isRootIssuer(chain: ParsedCertificate[]): boolean {
  return chain.every((cert) => checkSignatureFrom(cert, cert) === undefined)
}

/** Ours: Sentry's own check passes unless basicConstraints and keyCertSign are both missing. */
function checkIsCa(cert: ParsedCertificate, error: Report): void {
  if (!isGoCa(cert)) {
    error('issuer-is-ca', cert.label, `${describe(cert)} is not a CA certificate (basicConstraints CA:TRUE is missing)`)
  }
  // No keyUsage extension means every usage is allowed (RFC 5280, and Go's verifier agrees).
  const usage = keyUsage(cert)
  if (usage !== 0 && (usage & KeyUsageFlags.keyCertSign) === 0) {
    error('issuer-is-ca', cert.label, `${describe(cert)} may not sign certificates (keyUsage lacks keyCertSign)`)
  }
}

/** Sentry verifies the issuer chain at its own clock, with no allowance for skew. */
function checkValidityPeriod(cert: ParsedCertificate, now: Date, error: Report, warn: Report): void {
  if (now.getTime() > cert.notAfter.getTime()) {
    error('validity-period', cert.label, `${describe(cert)} expired on ${formatDate(cert.notAfter)}`)
  } else if (now.getTime() < cert.notBefore.getTime()) {
    error('validity-period', cert.label, `${describe(cert)} is not valid until ${formatDate(cert.notBefore)}`)
  } else {
    warnIfShort(cert, now, warn)
  }
}

function warnIfShort(cert: ParsedCertificate, now: Date, warn: Report): void {
  if (cert.notAfter.getTime() - now.getTime() >= shortValidityDays * dayMs) return
  const days = Math.floor((cert.notAfter.getTime() - now.getTime()) / dayMs)
  warn('short-validity', cert.label, `${describe(cert)} expires in ${days} days, on ${formatDate(cert.notAfter)}`)
}

/** Sentry checks only an anchor's self-signature: one out of its validity is accepted, and simply never used. */
function checkAnchorValidity(anchor: ParsedCertificate, now: Date, issuerVerified: boolean, warn: Report): void {
  const note = issuerVerified ? 'the issuer chains to another root' : 'Sentry accepts it in ca.crt'
  if (now.getTime() > anchor.notAfter.getTime()) {
    warn(
      'anchor-expired',
      anchor.label,
      `${describe(anchor)} expired on ${formatDate(anchor.notAfter)}; ${note}, so it can be pruned`,
    )
  } else if (now.getTime() < anchor.notBefore.getTime()) {
    warn(
      'anchor-not-yet-valid',
      anchor.label,
      `${describe(anchor)} is not valid until ${formatDate(anchor.notBefore)}; ${note}, and nothing can use it before then`,
    )
  } else {
    warnIfShort(anchor, now, warn)
  }
}

function checkIssuerKey(
  key: KeyObject,
  issuer: ParsedCertificate | undefined,
  sources: BundleSources,
  rule: IssuerKeyRule,
  error: Report,
): void {
  const type = issuerKeyType(key)
  if (type && !rule.keyTypes.includes(type)) {
    const why =
      rule.version === undefined
        ? `is taken to sign only with ECDSA issuer keys (Sentry before ${allKeyTypesSince} exits "unsupported key type")`
        : 'signs only with ECDSA issuer keys (it would exit "unsupported key type")'
    error('issuer-key-type', sources.issuerKey, `the key is ${type}, and ${rule.sentry} ${why}`)
  }
  if (issuer && !publicKeyDer(key).equals(publicKeyDer(issuer.nodeCertificate.publicKey))) {
    error('issuer-key-matches', sources.issuerKey, `this key does not belong to ${issuer.label} (${issuer.subject})`)
  }
}

/** Every chain Go built has a certificate whose extended key usage rules out serverAuth. */
function explainExtendedKeyUsage(candidates: ParsedCertificate[][], error: Report): void {
  const blockers = new Set(candidates.flatMap(serverAuthBlockers))
  for (const cert of blockers) {
    error(
      'extended-key-usage',
      cert.label,
      `${describe(cert)} has extendedKeyUsage ${describeExtendedKeyUsage(cert)}; Sentry verifies the issuer chain for serverAuth, which it rules out`,
    )
  }
}

/**
 * Go found no chain from the top of issuer.crt to an anchor: say why, from the candidates it refused. Returns the
 * anchors refused only for their validity, which are then errors rather than "can be pruned" warnings.
 */
function explainUnknownAuthority(
  chain: ParsedCertificate[],
  anchors: ParsedCertificate[],
  rejected: Rejection[],
  sources: BundleSources,
  error: Report,
): ParsedCertificate[] {
  const before = new Set<string>()
  const refusedForValidity: ParsedCertificate[] = []
  const once = (rule: ValidationRule, cert: ParsedCertificate, message: string): void => {
    const key = `${rule} ${cert.label}`
    if (before.has(key)) return
    before.add(key)
    error(rule, cert.label, message)
  }
  for (const {child, candidate, kind, reason} of rejected) {
    if (reason === 'insecure-algorithm' || reason === 'unsupported-algorithm') {
      once('insecure-signature', child, `${describe(child)} ${signatureProblem(child, reason)}`)
    } else if ((reason === 'expired' || reason === 'not-yet-valid') && kind === 'anchor') {
      const when =
        reason === 'expired'
          ? `expired on ${formatDate(candidate.notAfter)}`
          : `is not valid until ${formatDate(candidate.notBefore)}`
      once(
        'validity-period',
        candidate,
        `${describe(candidate)} ${when}, and no other root in ${sources.rootCert} verifies ${child.label}`,
      )
      refusedForValidity.push(candidate)
    } else if (reason === 'path-length') {
      once(
        'anchor-path-length',
        candidate,
        `${describe(candidate)} has pathlen:${maxPathLength(candidate)}, too short for this chain; Sentry refuses it`,
      )
    } else if (reason === 'critical-extension') {
      once(
        'critical-extension',
        candidate,
        `${describe(candidate)} has critical extensions Go refuses: ${unhandledCriticalExtensions(candidate).join(', ')}`,
      )
    }
    // not-a-ca and no-cert-sign were reported by the anchor and chain checks; expired intermediates by their validity.
  }
  if (before.size > 0 || rejected.some((r) => r.reason !== 'bad-signature')) return refusedForValidity
  const top = chain[chain.length - 1]
  if (!top) return refusedForValidity
  const keyOnly = anchors.find((anchor) => top.nodeCertificate.verify(anchor.nodeCertificate.publicKey))
  error(
    'issuer-chains-to-anchor',
    top.label,
    keyOnly && !keyOnly.raw.subject.equals(top.raw.issuer)
      ? `${describe(top)} is signed by the key of ${keyOnly.label} but names its issuer ${top.issuer}, not ${keyOnly.subject}`
      : `${describe(top)} is not signed by any certificate in ${sources.rootCert} (it names its issuer ${top.issuer})`,
  )
  return refusedForValidity
}

/** How far apart two expiry dates can be and still count as one, for an issuer and its root. */
const sameEndToleranceMs = 60 * 60 * 1000

/**
 * Ours: Sentry verifies the issuer as a leaf, but workload certificates sit one level below it, so every CA in the
 * chain must allow one more CA beneath it than Sentry checks. And the issuer must not outlive every root it chains to.
 */
function checkWorkloadChains(
  issuer: ParsedCertificate,
  chains: ParsedCertificate[][],
  error: Report,
  warn: Report,
): void {
  // A CA at position k (issuer = 0) has k CAs below it when a workload certificate is verified.
  const tooShort = (path: ParsedCertificate[]) =>
    path.find((cert, index) => index > 0 && maxPathLength(cert) >= 0 && maxPathLength(cert) < index)
  const usable = chains.filter((path) => tooShort(path) === undefined)
  if (usable.length === 0) {
    const [path = []] = chains
    const cert = tooShort(path) ?? issuer
    error(
      'anchor-path-length',
      cert.label,
      `${describe(cert)} has pathlen:${maxPathLength(cert)}, so certificates signed by the issuer would not verify`,
    )
    return
  }
  const roots = usable.map((path) => path[path.length - 1] ?? issuer)
  const latest = roots.reduce((a, b) => (b.notAfter.getTime() > a.notAfter.getTime() ? b : a))
  // Certificates made one after the other with the same lifetime (the Dapr docs' openssl recipe) end seconds apart,
  // in either order: an issuer that outlives its root by less than the tolerance ends with it, as a warning.
  if (issuer.notAfter.getTime() > latest.notAfter.getTime() + sameEndToleranceMs) {
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

/** Ours: Go accepts RSA keys from 1024 bits. */
function checkRsaKeySize(cert: ParsedCertificate, error: Report): void {
  const key = cert.nodeCertificate.publicKey
  const bits = key.asymmetricKeyDetails?.modulusLength
  if (
    (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
    bits !== undefined &&
    bits < minimumRsaBits
  ) {
    error(
      'rsa-key-size',
      cert.label,
      `${describe(cert)} has a ${bits}-bit RSA key; we refuse RSA keys under ${minimumRsaBits} bits`,
    )
  }
}

function cannotSign(failure: 'not-a-ca' | 'no-cert-sign'): string {
  return failure === 'not-a-ca'
    ? 'is not a CA certificate (basicConstraints CA:TRUE is missing)'
    : 'may not sign certificates (keyUsage lacks keyCertSign)'
}

function signatureProblem(cert: ParsedCertificate, failure: SignatureFailure): string {
  const algorithm = signatureAlgorithmName(cert)
  return failure === 'insecure-algorithm' || signatureAlgorithmFailure(cert) === 'insecure-algorithm'
    ? `is signed with ${algorithm}, an insecure algorithm Go refuses`
    : `is signed with ${algorithm}, an algorithm Go does not support`
}

function describe(cert: ParsedCertificate): string {
  return `the certificate "${cert.subject}"`
}

function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
