// The trust bundle Sentry reads (ca.crt, issuer.crt, issuer.key) and the defaults Dapr uses for it.
export interface TrustBundle {
  /** ca.crt: the trust anchors, one or more self-signed roots. */
  rootCertPem: string
  /** issuer.crt: the issuer certificate Sentry signs workload certificates with. */
  issuerCertPem: string
  /** issuer.key: the issuer's private key. */
  issuerKeyPem: string
}

export const defaultTrustDomain = 'cluster.local'
export const defaultClockSkewMs = 15 * 60 * 1000
export const defaultValidityDays = 365

/** What to call each part of a bundle in messages: file names, or the paths a user gave. */
export interface BundleSources {
  rootCert: string
  issuerCert: string
  issuerKey: string
}

export const bundleFileNames: BundleSources = {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'}
