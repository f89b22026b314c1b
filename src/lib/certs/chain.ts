// Which roots of a bundle are in use: the anchors the issuer chains to (through any intermediates in issuer.crt).
// Other roots are extra anchors: kept for trust during a rotation, or expired leftovers that can be pruned.
import {isSelfSigned, type ParsedCertificate, parseCertificates, signs} from './certificate.js'

/** issuer.crt as Sentry uses it: leaf first, a trailing self-signed root dropped. */
export function issuerChainOf(certificates: ParsedCertificate[]): ParsedCertificate[] {
  const last = certificates[certificates.length - 1]
  return certificates.length > 1 && last && isSelfSigned(last) ? certificates.slice(0, -1) : certificates
}

/** The roots that sign the top of the issuer chain; empty when the issuer chains to none of them. */
export function anchorsInUse(roots: ParsedCertificate[], issuerCertificates: ParsedCertificate[]): ParsedCertificate[] {
  const chain = issuerChainOf(issuerCertificates)
  const top = chain[chain.length - 1]
  return top ? roots.filter((root) => signs(root, top)) : []
}

/** Whether the issuer in `issuerCertPem` chains to one of the roots in `rootCertPem` (by name and signature). */
export function issuerChainsTo(issuerCertPem: string, rootCertPem: string): boolean {
  return (
    anchorsInUse(parseCertificates(rootCertPem, 'ca.crt'), parseCertificates(issuerCertPem, 'issuer.crt')).length > 0
  )
}
