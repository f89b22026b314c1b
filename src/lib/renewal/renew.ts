// The renewal flow shared by the certificates directory and the cluster, in two steps: prepare (read, build and
// validate the new bundle, make the plan; nothing is written) and apply (write it). Bad input fails in the first.
import {describeBundle, type TrustBundle} from '../certs/index.js'
import type {RenewalMode} from './mode.js'
import type {KeyLoadOptions} from './inputs.js'
import {buildNewBundle} from './new-bundle.js'
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

export async function prepareRenewal(
  target: BundleTarget,
  mode: RenewalMode,
  options: {restarts: string[]; keyOptions?: KeyLoadOptions},
): Promise<PreparedRenewal> {
  const [settings, current] = await Promise.all([target.settings(), target.readCurrent()])
  const next = await buildNewBundle(mode, settings, current?.rootCertPem, options.keyOptions)
  const currentCerts = current ? describeBundle(current) : []
  const plan: RenewalPlan = {
    mode: mode.kind,
    target: target.location,
    writes: target.writes,
    restarts: options.restarts,
    current: currentCerts,
    next: next.certificates,
    rootPublicKeyKept: rootPublicKeyKept(currentCerts, next.certificates),
    warnings: next.warnings.map((w) => `${w.source}: ${w.message}`),
  }
  return {plan, bundle: next.bundle}
}

export async function applyRenewal(target: BundleTarget, prepared: PreparedRenewal): Promise<RenewalResult> {
  const {backup} = await target.write(prepared.bundle)
  return {plan: prepared.plan, written: true, backup}
}
