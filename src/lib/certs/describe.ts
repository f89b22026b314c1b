// What a trust bundle holds, certificate by certificate (for status, expiry and plans), and how urgent its expiry is.
import {createHash, type KeyObject} from 'node:crypto'

import {isSelfSigned, type ParsedCertificate, parseCertificates} from './certificate.js'
import {anchorsInUse} from './chain.js'
import {type BundleSources, bundleFileNames, defaultClockSkewMs, type TrustBundle} from './trust-bundle.js'
import {publicKeyDer} from './keys.js'

export interface CertificateInfo {
  role: 'root' | 'issuer'
  subject: string
  issuer: string
  serialNumber: string
  notBefore: Date
  notAfter: Date
  /** e.g. 'ECDSA P-256', 'Ed25519', 'RSA 2048'. */
  keyAlgorithm: string
  /** SHA-256 of the DER certificate as AA:BB:…, like `openssl x509 -fingerprint -sha256`. */
  sha256Fingerprint: string
  /** Hex SHA-256 of the SubjectPublicKeyInfo: equal values mean the same key pair. */
  spkiSha256: string
  selfSigned: boolean
  /**
   * For a root: whether the issuer chains to it (the chain in use). An extra root (kept for trust during a rotation,
   * or an expired leftover) is false. Always true for the issuer; true for every root when there is no issuer to check.
   */
  inUse: boolean
  /** Whole hours until notAfter, rounded down: negative as soon as the certificate has expired. */
  hoursLeft: number
  /** Math.floor(hoursLeft / 24), the whole days of the expiry banner. */
  daysLeft: number
  /** The same time as a person says it, as the table and the banner word it: "in 12 days", "expired 1 day ago". */
  timeLeft: string
}

export type ExpiryLevel = 'ok' | 'warning' | 'critical'

const hourMs = 60 * 60 * 1000

/**
 * Every root in ca.crt, then the issuer (the first certificate of issuer.crt). Without an issuer (an empty
 * issuerCertPem: a reader that may see only the roots), every root counts as in use. Throws UserError on unreadable PEM.
 */
export function describeBundle(
  bundle: Pick<TrustBundle, 'rootCertPem' | 'issuerCertPem'>,
  now: Date = new Date(),
  sources: Pick<BundleSources, 'rootCert' | 'issuerCert'> = bundleFileNames,
): CertificateInfo[] {
  const roots = parseCertificates(bundle.rootCertPem, sources.rootCert)
  if (bundle.issuerCertPem === '') return roots.map((root) => describeCertificate(root, 'root', now, true))
  const issuerChain = parseCertificates(bundle.issuerCertPem, sources.issuerCert)
  const inUse = new Set(anchorsInUse(roots, issuerChain))
  const infos = roots.map((root) => describeCertificate(root, 'root', now, inUse.has(root)))
  const [issuer] = issuerChain
  return issuer ? [...infos, describeCertificate(issuer, 'issuer', now, true)] : infos
}

export function describeCertificate(
  cert: ParsedCertificate,
  role: CertificateInfo['role'],
  now: Date,
  inUse = true,
): CertificateInfo {
  const node = cert.nodeCertificate
  // Floor, not truncation toward zero: a certificate that expired ten minutes ago has -1 hours left, not 0.
  const hoursLeft = Math.floor((cert.notAfter.getTime() - now.getTime()) / hourMs)
  return {
    role,
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: node.serialNumber.toLowerCase(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keyAlgorithm: keyAlgorithm(node.publicKey),
    sha256Fingerprint: node.fingerprint256,
    spkiSha256: createHash('sha256').update(publicKeyDer(node.publicKey)).digest('hex'),
    selfSigned: isSelfSigned(cert),
    inUse,
    hoursLeft,
    daysLeft: Math.floor(hoursLeft / 24),
    timeLeft: timeLeft(cert.notAfter, now),
  }
}

const dayMs = 24 * hourMs

const count = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`

/**
 * The time until `notAfter` in words: "in 12 days" (whole days, floor(hours / 24), as the banner counts them), "in
 * 1 day", "today" under a day; once past, as a person says it: "expired today", "expired 1 day ago" (25 hours ago).
 */
export function timeLeft(notAfter: Date, now: Date = new Date()): string {
  const ms = notAfter.getTime() - now.getTime()
  if (ms <= 0) {
    const daysAgo = Math.floor(-ms / dayMs)
    return daysAgo === 0 ? 'expired today' : `expired ${count(daysAgo, 'day')} ago`
  }
  const days = Math.floor(Math.floor(ms / hourMs) / 24)
  return days === 0 ? 'today' : `in ${count(days, 'day')}`
}

/** The same in hours, for the official first line of `mtls expiry`: "expires in 1 hour", "expired 25 hours ago". */
export function hoursPhrase(notAfter: Date, now: Date = new Date()): string {
  const ms = notAfter.getTime() - now.getTime()
  const hours = Math.floor(Math.abs(ms) / hourMs)
  if (ms <= 0) return hours === 0 ? 'expired less than an hour ago' : `expired ${count(hours, 'hour')} ago`
  return hours === 0 ? 'expires in less than an hour' : `expires in ${count(hours, 'hour')}`
}

function keyAlgorithm(key: KeyObject): string {
  const details = key.asymmetricKeyDetails
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = details?.namedCurve ?? 'unknown curve'
      return `ECDSA ${curveNames[curve] ?? curve}`
    }
    case 'rsa':
      return `RSA ${details?.modulusLength ?? ''}`.trim()
    case 'rsa-pss':
      return `RSA-PSS ${details?.modulusLength ?? ''}`.trim()
    case 'ed25519':
      return 'Ed25519'
    case 'ed448':
      return 'Ed448'
    default:
      return key.asymmetricKeyType ?? 'unknown'
  }
}

const curveNames: Record<string, string> = {prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521'}

export type CertificateState = 'valid' | 'expiring' | 'expired' | 'not yet valid'

/**
 * One certificate's state: expired, or not valid yet beyond the clock skew; expiring with fewer than warnDays whole
 * days left (the banner's rule); valid otherwise.
 */
export function certificateState(
  cert: Pick<CertificateInfo, 'notBefore' | 'notAfter'>,
  warnDays: number,
  now: Date = new Date(),
  clockSkewMs = defaultClockSkewMs,
): CertificateState {
  const time = now.getTime()
  if (time >= cert.notAfter.getTime()) return 'expired'
  if (cert.notBefore.getTime() > time + clockSkewMs) return 'not yet valid'
  const daysLeft = Math.floor(Math.floor((cert.notAfter.getTime() - time) / hourMs) / 24)
  return daysLeft < warnDays ? 'expiring' : 'valid'
}

/** The worst state among the certificates: critical (expired or not yet valid), warning (expiring) or ok. */
export function expiryLevel(
  certs: Pick<CertificateInfo, 'notBefore' | 'notAfter'>[],
  warnDays: number,
  now: Date = new Date(),
  clockSkewMs = defaultClockSkewMs,
): ExpiryLevel {
  const states = certs.map((c) => certificateState(c, warnDays, now, clockSkewMs))
  if (states.some((s) => s === 'expired' || s === 'not yet valid')) return 'critical'
  return states.includes('expiring') ? 'warning' : 'ok'
}
