// The certificates directory as a renewal target.
import {
  bundleFileNames,
  defaultClockSkewMs,
  defaultTrustDomain,
  parseCertificates,
  type TrustBundle,
} from '../certs/index.js'
import type {BackupPolicy} from '../backups/record.js'
import type {ControlPlaneSettings} from '../renewal/new-bundle.js'
import type {BundleTarget} from '../renewal/target.js'
import {bundlePaths, readCertsDir, writeCertsDir} from './certs-dir.js'

export const selfHostedDefaults: ControlPlaneSettings = {
  trustDomain: defaultTrustDomain,
  namespace: 'default',
  clockSkewMs: defaultClockSkewMs,
}

/** Trust domain and namespace as the issuer states them (O=spiffe://<domain>/ns/<ns>/dapr-sentry); undefined when
 * its subject has no such name (certificates made by the Dapr docs' openssl recipe) or it cannot be read. */
export function issuerSpiffeSettings(issuerCertPem: string): ControlPlaneSettings | undefined {
  try {
    const [issuer] = parseCertificates(issuerCertPem, bundleFileNames.issuerCert)
    const match = /spiffe:\/\/([^/]+)\/ns\/([^/]+)\/dapr-sentry/.exec(issuer?.subject ?? '')
    if (match?.[1] && match[2]) return {...selfHostedDefaults, trustDomain: match[1], namespace: match[2]}
  } catch {
    // An unreadable issuer: a renewal replaces it (and warns that it was unreadable).
  }
  return undefined
}

/** The issuer's settings, or the defaults when it names none. */
export function settingsFromIssuer(issuerCertPem: string): ControlPlaneSettings {
  return issuerSpiffeSettings(issuerCertPem) ?? selfHostedDefaults
}

/**
 * A missing directory or file is an error that says how to create the certificates. The Sentry version (--sentry-version)
 * decides which issuer key types the new bundle may use; unknown means the rule every Sentry accepts.
 */
export function certsDirTarget(
  dir: string,
  options: {sentryVersion?: string | undefined; backup?: BackupPolicy} = {},
): BundleTarget {
  let current: Promise<TrustBundle | undefined> | undefined
  const read = async (): Promise<TrustBundle | undefined> => (await readCertsDir(dir)).bundle
  return {
    location: dir,
    writes: Object.values(bundlePaths(dir)),
    readCurrent() {
      current ??= read()
      return current
    },
    async settings() {
      const bundle = await this.readCurrent()
      const settings = bundle ? settingsFromIssuer(bundle.issuerCertPem) : selfHostedDefaults
      return {...settings, sentryVersion: options.sentryVersion}
    },
    async write(bundle) {
      const {backupDir} = await writeCertsDir(dir, bundle, options.backup ? {backup: options.backup} : {})
      return {backup: backupDir}
    },
  }
}
