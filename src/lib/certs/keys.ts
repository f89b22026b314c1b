// Private keys: reading the PEM forms Dapr and OpenSSL write, and handing a key to WebCrypto for signing.
import {createPrivateKey, createPublicKey, type KeyObject, webcrypto} from 'node:crypto'

import {UserError} from '../errors.js'
import {type PemBlock, reason, splitPem} from './pem.js'

/** The key is encrypted and no passphrase was given: the caller may ask for one and call parsePrivateKey again. */
export class EncryptedKeyError extends UserError {
  readonly source: string

  constructor(source: string) {
    super(`${source} is encrypted and needs a passphrase`, {
      hint: 'Give the passphrase when asked, or decrypt the key first: openssl pkey -in <key> -out <decrypted key>.',
    })
    this.name = 'EncryptedKeyError'
    this.source = source
  }
}

/** The passphrase does not decrypt the key: the caller may ask again. */
export class WrongPassphraseError extends UserError {
  constructor(source: string, cause: unknown) {
    super(`cannot decrypt ${source}: wrong passphrase`, {hint: 'Check the passphrase; nothing was changed.', cause})
    this.name = 'WrongPassphraseError'
  }
}

const keyBlockTypes = new Set(['EC PRIVATE KEY', 'RSA PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'])
const keyFormats = 'SEC1 (EC PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) or PKCS#8 (PRIVATE KEY)'

/** The block types Sentry reads as the issuer key (dapr/kit pem.DecodePEMPrivateKey reads only the first block). */
export const sentryKeyBlockTypes: readonly string[] = ['EC PRIVATE KEY', 'RSA PRIVATE KEY', 'PRIVATE KEY']

/** The named curves WebCrypto can sign with, by OpenSSL name. */
const curves: Record<string, {webName: string; hash: string}> = {
  prime256v1: {webName: 'P-256', hash: 'SHA-256'},
  secp384r1: {webName: 'P-384', hash: 'SHA-384'},
  secp521r1: {webName: 'P-521', hash: 'SHA-512'},
}

export function isEncryptedKey(pem: string): boolean {
  try {
    const block = keyBlock(splitPem(pem, 'key'))
    return block !== undefined && isEncryptedBlock(block)
  } catch {
    return false
  }
}

/**
 * Reads a private key: SEC1 (an EC PARAMETERS block before it is skipped), PKCS#1, PKCS#8, encrypted PKCS#8 or legacy
 * encrypted PEM. Only keys that can sign certificates are accepted: ECDSA P-256/P-384/P-521, RSA and Ed25519.
 */
export function parsePrivateKey(pem: string, source: string, passphrase?: string): KeyObject {
  const blocks = splitPem(pem, source)
  if (blocks.length === 0) {
    throw new UserError(`${source} is not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" line)`, {
      hint: `Give a PEM key file: ${keyFormats}.`,
    })
  }
  const block = keyBlock(blocks)
  if (!block) {
    const found = blocks.map((b) => b.type).join(', ')
    throw new UserError(`${source} holds no private key (found ${found})`, {
      hint: `Give a PEM key file: ${keyFormats}.`,
    })
  }
  const encrypted = isEncryptedBlock(block)
  if (encrypted && passphrase === undefined) throw new EncryptedKeyError(source)
  let key: KeyObject
  try {
    key = createPrivateKey(encrypted ? {key: block.text, format: 'pem', passphrase} : {key: block.text, format: 'pem'})
  } catch (error) {
    if (encrypted) {
      throw new WrongPassphraseError(source, error)
    }
    throw new UserError(`${source}: the ${block.type} block is not a valid private key (${reason(error)})`, {
      hint: `Give a PEM key file: ${keyFormats}.`,
      cause: error,
    })
  }
  assertSigningKey(key, source)
  return key
}

function keyBlock(blocks: PemBlock[]): PemBlock | undefined {
  const block = blocks.find((b) => b.type !== 'EC PARAMETERS')
  return block && keyBlockTypes.has(block.type) ? block : undefined
}

function isEncryptedBlock(block: PemBlock): boolean {
  return block.type === 'ENCRYPTED PRIVATE KEY' || (block.headers['Proc-Type'] ?? '').includes('ENCRYPTED')
}

const signingKeyHint = 'Use an ECDSA (P-256, P-384 or P-521), RSA or Ed25519 key.'

function keyDescription(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown'
  return type === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve ?? 'explicit-parameter'}` : type
}

/** Our stricter rule (DESIGN.md section 6): RSA keys under 2048 bits can be broken and are refused. */
export const minRsaBits = 2048

/** Why a public or private key is too weak to sign or be trusted, or undefined when it is strong enough. */
export function weakKeyProblem(key: KeyObject): string | undefined {
  const bits = key.asymmetricKeyDetails?.modulusLength
  if (
    (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
    bits !== undefined &&
    bits < minRsaBits
  ) {
    return `an RSA key of ${bits} bits: too weak, at least ${minRsaBits} bits are needed`
  }
  return undefined
}

function assertSigningKey(key: KeyObject, source: string): void {
  const type = key.asymmetricKeyType
  const curve = key.asymmetricKeyDetails?.namedCurve ?? ''
  const weak = weakKeyProblem(key)
  if (weak) {
    throw new UserError(`${source} holds ${weak}`, {
      hint: 'Use an ECDSA P-256 key (openssl ecparam -genkey -name prime256v1) or an RSA key of 2048 bits or more.',
    })
  }
  if (type === 'rsa' || type === 'ed25519' || (type === 'ec' && Object.hasOwn(curves, curve))) return
  throw new UserError(`${source}: ${keyDescription(key)} keys are not supported`, {hint: signingKeyHint})
}

/** The key as unencrypted PKCS#8 PEM: the one form Sentry reads for every key type. */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({type: 'pkcs8', format: 'pem'}).toString()
}

/** The DER SubjectPublicKeyInfo of a private or public key: equal bytes mean the same key pair. */
export function publicKeyDer(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({type: 'spki', format: 'der'})
}

type ImportAlgorithm = webcrypto.Algorithm | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams

export interface SigningKey {
  keys: webcrypto.CryptoKeyPair
  /** The signature algorithm for X509CertificateGenerator: ECDSA hashes by curve size, as Go does. */
  signingAlgorithm: webcrypto.Algorithm | webcrypto.EcdsaParams
}

/**
 * The key as a WebCrypto key pair for @peculiar/x509. WebCrypto imports only PKCS#8 private keys (not SEC1 or
 * PKCS#1), so every key goes through a PKCS#8 export first.
 */
export async function toSigningKey(key: KeyObject): Promise<SigningKey> {
  const {importAlgorithm, signingAlgorithm} = webAlgorithms(key)
  const pkcs8 = key.export({type: 'pkcs8', format: 'der'})
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', pkcs8, importAlgorithm, false, ['sign']),
    webcrypto.subtle.importKey('spki', publicKeyDer(key), importAlgorithm, true, ['verify']),
  ])
  return {keys: {privateKey, publicKey}, signingAlgorithm}
}

function webAlgorithms(key: KeyObject): Pick<SigningKey, 'signingAlgorithm'> & {importAlgorithm: ImportAlgorithm} {
  const type = key.asymmetricKeyType
  const curve = curves[key.asymmetricKeyDetails?.namedCurve ?? '']
  if (type === 'ec' && curve) {
    return {
      importAlgorithm: {name: 'ECDSA', namedCurve: curve.webName},
      signingAlgorithm: {name: 'ECDSA', hash: curve.hash},
    }
  }
  if (type === 'rsa') {
    return {
      importAlgorithm: {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'},
      signingAlgorithm: {name: 'RSASSA-PKCS1-v1_5'},
    }
  }
  if (type === 'ed25519') return {importAlgorithm: {name: 'Ed25519'}, signingAlgorithm: {name: 'Ed25519'}}
  // parsePrivateKey refuses these keys already; this guards keys made elsewhere.
  throw new UserError(`cannot sign certificates with ${keyDescription(key)} keys`, {hint: signingKeyHint})
}
