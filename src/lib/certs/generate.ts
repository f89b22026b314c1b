// Generates a trust bundle (root, issuer, issuer key) with the certificate profile of DESIGN.md section 5.
import {generateKeyPairSync, type KeyObject, randomBytes} from 'node:crypto'

import {UsageError, UserError} from '../errors.js'
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '../x509.js'
import {privateKeyToPem, publicKeyDer, toSigningKey} from './keys.js'
import {type ParsedCertificate, parseCertificates} from './certificate.js'
import {normalizePem} from './pem.js'
import {defaultClockSkewMs, defaultTrustDomain, type TrustBundle} from './trust-bundle.js'

export interface GenerateOptions {
  /** `spec.mtls.controlPlaneTrustDomain`; default cluster.local. */
  trustDomain?: string
  /** The control-plane namespace, part of the issuer's SPIFFE subject. */
  namespace: string
  validityDays: number
  /** `spec.mtls.allowedClockSkew`; notBefore is set this far in the past. Default 15 minutes. */
  clockSkewMs?: number
  now?: Date
  /** Sign the root with this key instead of a new P-256 key: EC P-256/P-384/P-521, RSA or Ed25519. */
  rootKey?: KeyObject
  /** PEM of the current ca.crt: when it holds a root with rootKey's public key, the new root keeps its subject. */
  currentRoots?: string
}

export interface GeneratedBundle {
  bundle: TrustBundle
  /** PKCS#8 PEM of the new root key, for callers that save it; absent when rootKey was given. */
  rootKeyPem?: string
}

const caKeyUsages: KeyUsageFlags = KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature
const dayMs = 24 * 60 * 60 * 1000

export async function generateBundle(options: GenerateOptions): Promise<GeneratedBundle> {
  const trustDomain = options.trustDomain ?? defaultTrustDomain
  const clockSkewMs = options.clockSkewMs ?? defaultClockSkewMs
  checkOptions(trustDomain, options.namespace, options.validityDays, clockSkewMs)
  const now = options.now ?? new Date()
  const notBefore = new Date(now.getTime() - clockSkewMs)
  const notAfter = new Date(now.getTime() + options.validityDays * dayMs)

  const rootKey = options.rootKey ?? newKey()
  const issuerKey = newKey()
  const [rootSigner, issuerSigner] = await Promise.all([toSigningKey(rootKey), toSigningKey(issuerKey)])

  const current =
    options.rootKey && options.currentRoots ? currentRootWithKey(options.currentRoots, rootKey) : undefined
  // The subject is copied as DER so certificates that name the current root as their issuer still chain (Go matches
  // issuer and subject byte for byte), and the key identifier is kept for chain builders that match by AKI.
  const rootName = current ? new Name(current.raw.subject) : new Name([{O: [trustDomain]}])
  const currentSki = current?.certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId
  const rootSki = currentSki
    ? new SubjectKeyIdentifierExtension(currentSki)
    : await SubjectKeyIdentifierExtension.create(rootSigner.keys.publicKey)

  const rootCert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: rootName,
    notBefore,
    notAfter,
    keys: rootSigner.keys,
    signingAlgorithm: rootSigner.signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(caKeyUsages, true),
      rootSki,
    ],
  })
  const issuerCert = await X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: new Name([{O: [`spiffe://${trustDomain}/ns/${options.namespace}/dapr-sentry`]}]),
    issuer: rootName,
    notBefore,
    notAfter,
    publicKey: issuerSigner.keys.publicKey,
    signingKey: rootSigner.keys.privateKey,
    signingAlgorithm: rootSigner.signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(caKeyUsages, true),
      await SubjectKeyIdentifierExtension.create(issuerSigner.keys.publicKey),
      new AuthorityKeyIdentifierExtension(rootSki.keyId),
    ],
  })

  const bundle: TrustBundle = {
    rootCertPem: normalizePem(rootCert.toString('pem')),
    issuerCertPem: normalizePem(issuerCert.toString('pem')),
    issuerKeyPem: normalizePem(privateKeyToPem(issuerKey)),
  }
  return options.rootKey ? {bundle} : {bundle, rootKeyPem: normalizePem(privateKeyToPem(rootKey))}
}

function newKey(): KeyObject {
  return generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey
}

/** 128 random bits with the top bit set: always positive once DER adds its leading zero, always 16 bytes long. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0] ?? 0) | 0x80
  return bytes.toString('hex')
}

function currentRootWithKey(currentRoots: string, rootKey: KeyObject): ParsedCertificate | undefined {
  const publicKey = publicKeyDer(rootKey)
  return parseCertificates(currentRoots, 'current ca.crt').find((root) =>
    publicKeyDer(root.nodeCertificate.publicKey).equals(publicKey),
  )
}

// SPIFFE trust domains: lowercase letters, digits, dots, dashes, underscores.
const trustDomainPattern = /^[a-z0-9._-]+$/
// Kubernetes namespaces are DNS-1123 labels.
const namespacePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

function checkOptions(trustDomain: string, namespace: string, validityDays: number, clockSkewMs: number): void {
  if (!trustDomainPattern.test(trustDomain)) {
    throw new UserError(`trust domain "${trustDomain}" is not a valid SPIFFE trust domain`, {
      hint: 'Use lowercase letters, digits, dots, dashes and underscores, such as cluster.local.',
    })
  }
  if (!namespacePattern.test(namespace)) {
    throw new UserError(`namespace "${namespace}" is not a valid Kubernetes namespace name`)
  }
  if (!Number.isInteger(validityDays) || validityDays < 1) {
    throw new UsageError(`validity must be a whole number of days, at least 1 (got ${validityDays})`)
  }
  if (new Date(Date.now() + validityDays * dayMs).getUTCFullYear() > 9999) {
    throw new UsageError(`validity of ${validityDays} days ends after the year 9999, which certificates cannot encode`)
  }
  if (!Number.isFinite(clockSkewMs) || clockSkewMs < 0) {
    throw new UserError(`allowed clock skew must be zero or more (got ${clockSkewMs} ms)`)
  }
}
