// Go's crypto/x509 as Sentry runs it at start-up: CheckSignatureFrom (which signatures and parents it accepts), and
// Verify with no key usages (parents picked by exact name bytes, every chain to an anchor built, then the serverAuth
// extended key usage checked along each chain, the root included). Measured against real Sentry by the parity test.
import {BasicConstraintsExtension, ExtendedKeyUsageExtension, KeyUsageFlags, KeyUsagesExtension} from '../x509.js'
import type {ParsedCertificate} from './certificate.js'
import {derElements, derInteger, derOid} from './der.js'

/** Why Go's CheckSignatureFrom refuses a parent for a child. */
export type SignatureFailure =
  'not-a-ca' | 'no-cert-sign' | 'insecure-algorithm' | 'unsupported-algorithm' | 'bad-signature'

/** Why Go's chain builder refuses a candidate parent. */
export type CandidateFailure = SignatureFailure | 'expired' | 'not-yet-valid' | 'path-length' | 'critical-extension'

export interface Rejection {
  child: ParsedCertificate
  candidate: ParsedCertificate
  /** Whether the candidate came from the anchors (ca.crt) or the intermediates (the rest of issuer.crt). */
  kind: 'anchor' | 'intermediate'
  reason: CandidateFailure
}

export interface Verification {
  /** Chains Go builds, leaf first, anchor last, before the extended key usage check. */
  candidates: ParsedCertificate[][]
  /** The candidates that also pass the serverAuth check: Verify succeeds when there is one. */
  chains: ParsedCertificate[][]
  /** Every candidate parent refused on the way, for messages. */
  rejected: Rejection[]
}

const serverAuth = '1.3.6.1.5.5.7.3.1'
const anyExtendedKeyUsage = '2.5.29.37.0'

const extendedKeyUsageNames: Record<string, string> = {
  [anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
  [serverAuth]: 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
}

// Signature algorithms by OID, with Go's name and verdict (crypto/x509 signatureAlgorithmDetails and checkSignature:
// MD5 and SHA-1 are insecure for certificates; anything not listed is unsupported).
const insecureAlgorithms: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.3.14.3.2.29': 'SHA1-RSA',
  '1.2.840.10040.4.3': 'DSA-SHA1',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
}
const secureAlgorithms: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.3.101.112': 'Ed25519',
}
const rsaPss = '1.2.840.113549.1.1.10'
const mgf1 = '1.2.840.113549.1.1.8'
const pssSaltLengths: Record<string, number> = {
  '2.16.840.1.101.3.4.2.1': 32,
  '2.16.840.1.101.3.4.2.2': 48,
  '2.16.840.1.101.3.4.2.3': 64,
}

// The extensions Go's parser handles (crypto/x509 processExtensions); any other extension marked critical makes Go
// refuse the certificate in a chain.
const handledExtensions = new Set(
  [14, 15, 17, 19, 30, 31, 32, 33, 35, 36, 37, 54].map((arc) => `2.5.29.${arc}`).concat('1.3.6.1.5.5.7.1.1'),
)

/** Go's name for a certificate's signature algorithm, e.g. "ECDSA-SHA1", or the OID when Go has no name for it. */
export function signatureAlgorithmName(cert: ParsedCertificate): string {
  const {oid} = cert.raw.signatureAlgorithm
  if (oid === rsaPss) return 'RSA-PSS'
  return insecureAlgorithms[oid] ?? secureAlgorithms[oid] ?? oid
}

/** Go's verdict on an algorithm alone: undefined when it may sign a certificate. */
export function signatureAlgorithmFailure(cert: ParsedCertificate): SignatureFailure | undefined {
  const {oid, parameters} = cert.raw.signatureAlgorithm
  if (Object.hasOwn(insecureAlgorithms, oid)) return 'insecure-algorithm'
  if (Object.hasOwn(secureAlgorithms, oid)) return undefined
  return oid === rsaPss && goAcceptsPssParameters(parameters) ? undefined : 'unsupported-algorithm'
}

/** Go's Certificate.CheckSignatureFrom: the parent may sign certificates, with an algorithm Go allows, and did. */
export function checkSignatureFrom(child: ParsedCertificate, parent: ParsedCertificate): SignatureFailure | undefined {
  const constraints = basicConstraints(parent)
  if ((parent.raw.version === 3 && !constraints.valid) || (constraints.valid && !constraints.isCa)) return 'not-a-ca'
  const usage = keyUsage(parent)
  if (usage !== 0 && (usage & KeyUsageFlags.keyCertSign) === 0) return 'no-cert-sign'
  const algorithm = signatureAlgorithmFailure(child)
  if (algorithm) return algorithm
  try {
    return child.nodeCertificate.verify(parent.nodeCertificate.publicKey) ? undefined : 'bad-signature'
  } catch {
    return 'unsupported-algorithm'
  }
}

/** Go's Certificate.Verify with the given anchors and intermediates, and no KeyUsages (so serverAuth). */
export function verifyLikeGo(
  leaf: ParsedCertificate,
  anchors: ParsedCertificate[],
  intermediates: ParsedCertificate[],
  now: Date,
): Verification {
  const rejected: Rejection[] = []
  const candidates = anchors.some((anchor) => anchor.der.equals(leaf.der))
    ? [[leaf]]
    : buildChains([leaf], anchors, intermediates, now, rejected)
  return {candidates, chains: candidates.filter((chain) => serverAuthBlockers(chain).length === 0), rejected}
}

/** The certificates of a chain whose extended key usage rules out serverAuth (Go's checkChainForKeyUsage). */
export function serverAuthBlockers(chain: ParsedCertificate[]): ParsedCertificate[] {
  return chain.filter((cert) => {
    const usages = extendedKeyUsages(cert)
    return usages.length > 0 && !usages.includes(anyExtendedKeyUsage) && !usages.includes(serverAuth)
  })
}

/** "clientAuth, codeSigning": the extended key usages a certificate names; "none" when it names none. */
export function describeExtendedKeyUsage(cert: ParsedCertificate): string {
  const usages = extendedKeyUsages(cert)
  return usages.length === 0 ? 'none' : usages.map((oid) => extendedKeyUsageNames[oid] ?? oid).join(', ')
}

/** Go's MaxPathLen: -1 when the certificate sets no limit (or has no basicConstraints). */
export function maxPathLength(cert: ParsedCertificate): number {
  const constraints = basicConstraints(cert)
  return constraints.valid ? constraints.maxPathLength : -1
}

export function isGoCa(cert: ParsedCertificate): boolean {
  const constraints = basicConstraints(cert)
  return constraints.valid && constraints.isCa
}

/** Go's Certificate.KeyUsage bits (0 when the extension is absent). */
export function keyUsage(cert: ParsedCertificate): number {
  return cert.certificate.getExtension(KeyUsagesExtension)?.usages ?? 0
}

export function unhandledCriticalExtensions(cert: ParsedCertificate): string[] {
  return cert.raw.extensions.filter((ext) => ext.critical && !handledExtensions.has(ext.oid)).map((ext) => ext.oid)
}

function buildChains(
  chain: ParsedCertificate[],
  anchors: ParsedCertificate[],
  intermediates: ParsedCertificate[],
  now: Date,
  rejected: Rejection[],
): ParsedCertificate[][] {
  const child = chain[chain.length - 1]
  if (!child) return []
  const found: ParsedCertificate[][] = []
  for (const [kind, pool] of [
    ['anchor', anchors],
    ['intermediate', intermediates],
  ] as const) {
    for (const candidate of pool) {
      if (!candidate.raw.subject.equals(child.raw.issuer) || alreadyInChain(candidate, chain)) continue
      const reason = checkSignatureFrom(child, candidate) ?? candidateFailure(candidate, kind, chain, now)
      if (reason) {
        rejected.push({child, candidate, kind, reason})
      } else if (kind === 'anchor') {
        found.push([...chain, candidate])
      } else {
        found.push(...buildChains([...chain, candidate], anchors, intermediates, now, rejected))
      }
    }
  }
  return found
}

/** Go's Certificate.isValid for a parent about to be appended to `chain`. */
function candidateFailure(
  candidate: ParsedCertificate,
  kind: Rejection['kind'],
  chain: ParsedCertificate[],
  now: Date,
): CandidateFailure | undefined {
  if (unhandledCriticalExtensions(candidate).length > 0) return 'critical-extension'
  if (now.getTime() < candidate.notBefore.getTime()) return 'not-yet-valid'
  if (now.getTime() > candidate.notAfter.getTime()) return 'expired'
  if (kind === 'intermediate' && !isGoCa(candidate)) return 'not-a-ca'
  const limit = maxPathLength(candidate)
  return limit >= 0 && chain.length - 1 > limit ? 'path-length' : undefined
}

/** Go's alreadyInChain: same subject, same key and same subjectAltName mean the same CA (no loops). */
function alreadyInChain(candidate: ParsedCertificate, chain: ParsedCertificate[]): boolean {
  const names = (cert: ParsedCertificate) => cert.raw.extensions.find((ext) => ext.oid === '2.5.29.17')?.value
  return chain.some((cert) => {
    if (!cert.raw.subject.equals(candidate.raw.subject)) return false
    if (!cert.raw.subjectPublicKeyInfo.equals(candidate.raw.subjectPublicKeyInfo)) return false
    const [a, b] = [names(cert), names(candidate)]
    return a === undefined || b === undefined ? a === b : a.equals(b)
  })
}

function basicConstraints(cert: ParsedCertificate): {valid: boolean; isCa: boolean; maxPathLength: number} {
  const extension = cert.certificate.getExtension(BasicConstraintsExtension)
  if (!extension) return {valid: false, isCa: false, maxPathLength: -1}
  return {valid: true, isCa: extension.ca, maxPathLength: extension.pathLength ?? -1}
}

function extendedKeyUsages(cert: ParsedCertificate): string[] {
  return (cert.certificate.getExtension(ExtendedKeyUsageExtension)?.usages ?? []).map(String)
}

/**
 * Go accepts RSA-PSS only in three forms: SHA-256, SHA-384 or SHA-512, MGF1 with the same hash, a salt as long as the
 * hash, and the default trailer field (crypto/x509 getSignatureAlgorithmFromAI).
 */
function goAcceptsPssParameters(parameters: Buffer): boolean {
  try {
    const [sequence] = derElements(parameters)
    const fields = new Map(derElements(sequence?.content ?? Buffer.alloc(0)).map((field) => [field.tag, field]))
    const [hash] = derElements(fields.get(0xa0)?.content ?? Buffer.alloc(0))
    const [maskGen] = derElements(fields.get(0xa1)?.content ?? Buffer.alloc(0))
    const hashOid = derOid(derElements(hash?.content ?? Buffer.alloc(0))[0])
    const [maskOid, maskHash] = derElements(maskGen?.content ?? Buffer.alloc(0))
    const maskHashOid = derOid(derElements(maskHash?.content ?? Buffer.alloc(0))[0])
    const salt = derInteger(derElements(fields.get(0xa2)?.content ?? Buffer.alloc(0))[0])
    const trailer = fields.has(0xa3) ? derInteger(derElements(fields.get(0xa3)?.content ?? Buffer.alloc(0))[0]) : 1
    return derOid(maskOid) === mgf1 && maskHashOid === hashOid && pssSaltLengths[hashOid] === salt && trailer === 1
  } catch {
    return false
  }
}
