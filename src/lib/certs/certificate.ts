// Certificate files parsed (a file may hold several certificates), and the signature checks chains are built from.
import {X509Certificate as NodeX509Certificate} from 'node:crypto'

import {UserError} from '../errors.js'
import {X509Certificate} from '../x509.js'
import {type RawCertificate, readRawCertificate} from './der.js'
import {hintForBadPem, type PemBlock, reason, splitPem, withArticle} from './pem.js'

export interface ParsedCertificate {
  source: string
  /** 1-based position in the file, for messages such as "ca.crt certificate 2". */
  position: number
  /** "ca.crt" for a file's only certificate, else "ca.crt certificate 2". */
  label: string
  pem: string
  der: Buffer
  subject: string
  issuer: string
  notBefore: Date
  notAfter: Date
  /** Extensions and names (sync parsing). */
  certificate: X509Certificate
  /** Signatures, key matching and fingerprints (OpenSSL, synchronous). */
  nodeCertificate: NodeX509Certificate
  /** The encoded names, key and signature algorithm, as Go compares them. */
  raw: RawCertificate
}

/**
 * Every certificate in a certificate file; at least one. Blocks of other types are refused: Sentry stops reading a
 * file at the first non-certificate block, and a private key pasted into ca.crt would be published in a ConfigMap.
 */
export function parseCertificates(pem: string, source: string): ParsedCertificate[] {
  const blocks = certificateBlocks(pem, source)
  return blocks.map((block, index) => {
    if (block.type !== 'CERTIFICATE') {
      throw new UserError(`${source}: PEM block ${index + 1} is ${withArticle(block.type)}, not a CERTIFICATE`, {
        hint: 'A certificate file must hold only CERTIFICATE blocks; keep private keys in their own file.',
      })
    }
    return parseCertificateBlock(block, source, index, blocks.length)
  })
}

/**
 * The certificates Sentry reads from a file: dapr/kit stops at the first block that is not a CERTIFICATE and drops
 * the rest without a word. `stoppedAt` is that block (1-based position and type), when there is one.
 */
export function parseLeadingCertificates(
  pem: string,
  source: string,
): {certificates: ParsedCertificate[]; stoppedAt: {position: number; type: string} | undefined} {
  const blocks = certificateBlocks(pem, source)
  const stop = blocks.findIndex((block) => block.type !== 'CERTIFICATE')
  const leading = stop === -1 ? blocks : blocks.slice(0, stop)
  return {
    certificates: leading.map((block, index) => parseCertificateBlock(block, source, index, blocks.length)),
    stoppedAt: stop === -1 ? undefined : {position: stop + 1, type: blocks[stop]?.type ?? ''},
  }
}

function certificateBlocks(pem: string, source: string): PemBlock[] {
  const blocks = splitPem(pem, source)
  if (blocks.length === 0) {
    throw new UserError(`${source} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`, {
      hint: 'Certificate files must be PEM; convert DER with `openssl x509 -inform der -in <file> -out <file>.pem`.',
    })
  }
  return blocks
}

function parseCertificateBlock(block: PemBlock, source: string, index: number, count: number): ParsedCertificate {
  const label = count === 1 ? source : `${source} certificate ${index + 1}`
  let certificate: X509Certificate
  let nodeCertificate: NodeX509Certificate
  let raw: RawCertificate
  try {
    certificate = new X509Certificate(block.der)
    nodeCertificate = new NodeX509Certificate(block.der)
    raw = readRawCertificate(block.der)
  } catch (error) {
    throw new UserError(`${label} is not a valid X.509 certificate (${reason(error)})`, {
      hint: hintForBadPem,
      cause: error,
    })
  }
  return {
    source,
    position: index + 1,
    label,
    pem: block.text,
    der: block.der,
    subject: certificate.subject,
    issuer: certificate.issuer,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    certificate,
    nodeCertificate,
    raw,
  }
}

/** Go and OpenSSL pick a parent by name (byte for byte in Go), then check the signature: both must hold. */
export function signs(parent: ParsedCertificate, child: ParsedCertificate): boolean {
  return child.raw.issuer.equals(parent.raw.subject) && child.nodeCertificate.verify(parent.nodeCertificate.publicKey)
}

export function isSelfSigned(cert: ParsedCertificate): boolean {
  return signs(cert, cert)
}
