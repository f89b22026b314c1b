// The renewal flow shared by the certificates directory and the cluster, in two steps: prepare (read, build and
// validate the new bundle, make the plan; nothing is written) and apply (write it). Bad input fails in the first.
import {
  bundleFileNames,
  type CertificateInfo,
  describeBundle,
  parseCertificates,
  type TrustBundle,
} from '../certs/index.js'
import {UserError} from '../errors.js'
import type {RenewalMode} from './mode.js'
import type {KeyLoadOptions} from './inputs.js'
import {buildNewBundle, warningLine} from './new-bundle.js'
import {type RenewalPlan, rootPublicKeyKept} from './plan.js'
import type {BundleTarget} from './target.js'

export interface PreparedRenewal {
  plan: RenewalPlan
  bundle: TrustBundle
}

export interface RenewalResult {
  plan: RenewalPlan
  written: boolean
  backup: string | undefined
}

/** What the plan can say about the bundle in place now, and the roots a root-key renewal may keep. */
interface CurrentBundle {
  certificates: CertificateInfo[]
  /** ca.crt when it parses: a root-key renewal keeps the subject of the current root with that key. */
  rootCertPem: string | undefined
  /** Why the bundle could not be read; the renewal replaces it all the same, since that is when one is needed. */
  unreadable: string | undefined
}

function currentFrom(current: TrustBundle | undefined): CurrentBundle {
  if (current === undefined) return {certificates: [], rootCertPem: undefined, unreadable: undefined}
  try {
    return {certificates: describeBundle(current), rootCertPem: current.rootCertPem, unreadable: undefined}
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return {certificates: [], rootCertPem: rootsThatParse(current.rootCertPem), unreadable: error.message}
  }
}

function rootsThatParse(pem: string): string | undefined {
  try {
    parseCertificates(pem, bundleFileNames.rootCert)
    return pem
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return undefined
  }
}

export async function prepareRenewal(
  target: BundleTarget,
  mode: RenewalMode,
  options: {restarts: string[]; keyOptions?: KeyLoadOptions},
): Promise<PreparedRenewal> {
  const [settings, bundle] = await Promise.all([target.settings(), target.readCurrent()])
  const current = currentFrom(bundle)
  const next = await buildNewBundle(mode, settings, current.rootCertPem, options.keyOptions)
  const warnings = [...next.warnings.map(warningLine), ...((await target.check?.(next.bundle)) ?? [])]
  if (current.unreadable !== undefined) {
    // The target's write backs up whatever is in place, damaged or not.
    warnings.unshift(`current bundle unreadable: ${current.unreadable}; it is backed up and replaced`)
  }
  const keptRoot = rootPublicKeyKept(current.certificates, next.certificates)
  if (mode.kind === 'root-key' && !keptRoot && current.certificates.some((c) => c.role === 'root')) {
    // The flag reads as "keep my root", so replacing the root with it must never pass in silence.
    warnings.unshift(
      `${mode.rootKeyFile} (--private-key) is not the key of the current root: this renewal replaces the root, and running daprd sidecars and apps will not trust certificates from the new issuer until they restart with the new trust anchors`,
    )
  }
  const plan: RenewalPlan = {
    mode: mode.kind,
    target: target.location,
    backup: mode.kind === 'backup' ? mode.backup : undefined,
    unchanged: target.holds ? await target.holds(next.bundle) : bundle !== undefined && sameBundle(bundle, next.bundle),
    writes: target.writes,
    restarts: options.restarts,
    current: current.certificates,
    next: next.certificates,
    rootPublicKeyKept: keptRoot,
    warnings,
  }
  return {plan, bundle: next.bundle}
}

function sameBundle(a: TrustBundle, b: TrustBundle): boolean {
  return a.rootCertPem === b.rootCertPem && a.issuerCertPem === b.issuerCertPem && a.issuerKeyPem === b.issuerKeyPem
}

export async function applyRenewal(target: BundleTarget, prepared: PreparedRenewal): Promise<RenewalResult> {
  const {backup} = await target.write(prepared.bundle)
  return {plan: prepared.plan, written: true, backup}
}
