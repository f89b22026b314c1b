// Certificate files parsed (a file may hold several certificates), and the signature checks chains are built from.
import {X509Certificate as NodeX509Certificate} from 'node:crypto'

import {UserError} from '../errors.js'
import {X509Certificate} from '../x509.js'
import {hintForBadPem, reason, splitPem} from './pem.js'

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
}

/**
 * Every certificate in a certificate file; at least one. Blocks of other types are refused: Sentry stops reading a
 * file at the first non-certificate block, and a private key pasted into ca.crt would be published in a ConfigMap.
 */
export function parseCertificates(pem: string, source: string): ParsedCertificate[] {
  const blocks = splitPem(pem, source)
  if (blocks.length === 0) {
    throw new UserError(`${source} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`, {
      hint: 'Certificate files must be PEM; convert DER with `openssl x509 -inform der -in <file> -out <file>.pem`.',
    })
  }
  return blocks.map((block, index) => {
    const label = blocks.length === 1 ? source : `${source} certificate ${index + 1}`
    if (block.type !== 'CERTIFICATE') {
      throw new UserError(
        `${source}: PEM block ${index + 1} is ${article(block.type)} ${block.type}, not a CERTIFICATE`,
        {
          hint: 'A certificate file must hold only CERTIFICATE blocks; keep private keys in their own file.',
        },
      )
    }
    let certificate: X509Certificate
    let nodeCertificate: NodeX509Certificate
    try {
      certificate = new X509Certificate(block.der)
      nodeCertificate = new NodeX509Certificate(block.der)
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
    }
  })
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a'
}

/** Go and OpenSSL pick a parent by name (byte for byte in Go), then check the signature: both must hold. */
export function signs(parent: ParsedCertificate, child: ParsedCertificate): boolean {
  const issuerName = Buffer.from(child.certificate.issuerName.toArrayBuffer())
  const subjectName = Buffer.from(parent.certificate.subjectName.toArrayBuffer())
  return issuerName.equals(subjectName) && child.nodeCertificate.verify(parent.nodeCertificate.publicKey)
}

export function isSelfSigned(cert: ParsedCertificate): boolean {
  return signs(cert, cert)
}
