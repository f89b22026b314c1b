// Builds the bundle a renewal will write, for each mode, and checks it by Sentry's rules before anything is written.
import {
  assertValidBundle,
  describeBundle,
  generateBundle,
  type CertificateInfo,
  type TrustBundle,
  type ValidationProblem,
} from '../certs/index.js'
import type {RenewalMode} from './mode.js'
import {type KeyLoadOptions, loadPrivateKey, readInputFile} from './inputs.js'

export interface ControlPlaneSettings {
  trustDomain: string
  /** The control-plane namespace, part of the issuer's SPIFFE subject. */
  namespace: string
  clockSkewMs: number
  /** The Sentry version the bundle is for; undefined when unknown (the issuer key rule every Sentry accepts). */
  sentryVersion?: string | undefined
}

export interface NewBundle {
  bundle: TrustBundle
  certificates: CertificateInfo[]
  warnings: ValidationProblem[]
  /** The PEM of a root key generated for this bundle; absent when the root key came from the user. */
  rootKeyPem: string | undefined
}

export async function buildNewBundle(
  mode: RenewalMode,
  settings: ControlPlaneSettings,
  currentRootPem: string | undefined,
  keyOptions: KeyLoadOptions = {},
): Promise<NewBundle> {
  const now = new Date()
  let bundle: TrustBundle
  let rootKeyPem: string | undefined
  let sources = {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'}
  if (mode.kind === 'backup') {
    // Put back byte for byte: the backup is what Sentry read before, so nothing is re-encoded.
    bundle = mode.bundle
    sources = {
      rootCert: `${mode.backup} ca.crt`,
      issuerCert: `${mode.backup} issuer.crt`,
      issuerKey: `${mode.backup} issuer.key`,
    }
  } else if (mode.kind === 'provided') {
    const [rootCertPem, issuerCertPem, issuerKeyPem] = await Promise.all([
      readInputFile(mode.rootCertFile, '--ca-root-certificate'),
      readInputFile(mode.issuerCertFile, '--issuer-public-certificate'),
      readInputFile(mode.issuerKeyFile, '--issuer-private-key'),
    ])
    // The issuer key is stored as PKCS#8: Sentry cannot read encrypted keys or a leading EC PARAMETERS block, and
    // PKCS#8 is the one form it reads for every key type.
    const issuerKey = await loadPrivateKey(issuerKeyPem, mode.issuerKeyFile, keyOptions)
    bundle = {rootCertPem, issuerCertPem, issuerKeyPem: issuerKey.export({type: 'pkcs8', format: 'pem'}).toString()}
    sources = {rootCert: mode.rootCertFile, issuerCert: mode.issuerCertFile, issuerKey: mode.issuerKeyFile}
  } else {
    const rootKey =
      mode.kind === 'root-key'
        ? await loadPrivateKey(await readInputFile(mode.rootKeyFile, '--private-key'), mode.rootKeyFile, keyOptions)
        : undefined
    const generated = await generateBundle({
      trustDomain: settings.trustDomain,
      namespace: settings.namespace,
      validityDays: mode.validityDays,
      clockSkewMs: settings.clockSkewMs,
      now,
      rootKey,
      currentRoots: currentRootPem,
    })
    bundle = generated.bundle
    rootKeyPem = generated.rootKeyPem
  }
  const report = assertValidBundle(bundle, {now, sources, sentryVersion: settings.sentryVersion})
  // A generated root and issuer share one validity by design (DESIGN.md section 5), so the warning that they expire
  // together only speaks to bundles the user brings (a backup was generated or brought before, and was accepted then).
  const warnings = report.warnings.filter((w) => mode.kind === 'provided' || w.rule !== 'expiry-overlap')
  return {bundle, certificates: describeBundle(bundle, now), warnings, rootKeyPem}
}

/** A validation warning as renewal and init print it: "<source>: <message>". */
export function warningLine(warning: ValidationProblem): string {
  return `${warning.source}: ${warning.message}`
}
