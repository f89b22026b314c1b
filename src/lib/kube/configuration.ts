// The daprsystem Configuration: whether mTLS is on, the allowed clock skew and the workload certificate TTL, with
// Dapr's defaults where a field is unset. (Its controlPlaneTrustDomain is kept for display only: Sentry ignores it and
// uses its --trust-domain arg, see control-plane.ts.)
import {parseGoDuration} from '../certs/index.js'

export interface DaprSystemConfig {
  namespace: string
  /** False when the Configuration does not exist (or could not be read). */
  found: boolean
  mtlsEnabled: boolean
  /** spec.mtls.controlPlaneTrustDomain as written; not what Sentry uses. */
  controlPlaneTrustDomain: string | undefined
  allowedClockSkew: string
  clockSkewMs: number
  workloadCertTTL: string
  /** The resourceVersion read, for conditional writes. */
  resourceVersion: string | undefined
}

export const defaultClockSkew = '15m'
export const defaultWorkloadCertTTL = '24h'

export interface ConfigurationObject {
  metadata?: {namespace?: string; resourceVersion?: string}
  spec?: {
    mtls?: {enabled?: boolean; controlPlaneTrustDomain?: string; allowedClockSkew?: string; workloadCertTTL?: string}
  }
}

/** Pure: reads the fields of a Configuration object, applying Dapr's defaults. */
export function parseDaprSystemConfig(namespace: string, object: ConfigurationObject | undefined): DaprSystemConfig {
  const mtls = object?.spec?.mtls ?? {}
  const allowedClockSkew = mtls.allowedClockSkew ?? defaultClockSkew
  return {
    namespace,
    found: object !== undefined,
    mtlsEnabled: mtls.enabled === true,
    controlPlaneTrustDomain: mtls.controlPlaneTrustDomain,
    allowedClockSkew,
    clockSkewMs: parseGoDuration(allowedClockSkew, `daprsystem spec.mtls.allowedClockSkew in namespace ${namespace}`),
    workloadCertTTL: mtls.workloadCertTTL ?? defaultWorkloadCertTTL,
    resourceVersion: object?.metadata?.resourceVersion,
  }
}
