// The daprsystem Configuration: whether mTLS is on, the trust domain, the allowed clock skew and the workload
// certificate TTL, with Dapr's defaults where a field is unset.
import {defaultTrustDomain, parseGoDuration} from '../certs/index.js'
import type {KubeClients} from './client.js'
import {daprGroup, daprSystemConfigName} from './control-plane.js'
import {callOptional} from './errors.js'

export interface DaprSystemConfig {
  namespace: string
  /** False when the Configuration does not exist. */
  found: boolean
  mtlsEnabled: boolean
  trustDomain: string
  allowedClockSkew: string
  clockSkewMs: number
  workloadCertTTL: string
}

export const defaultClockSkew = '15m'
export const defaultWorkloadCertTTL = '24h'

interface ConfigurationObject {
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
    trustDomain: mtls.controlPlaneTrustDomain ?? defaultTrustDomain,
    allowedClockSkew,
    clockSkewMs: parseGoDuration(allowedClockSkew, `daprsystem spec.mtls.allowedClockSkew in namespace ${namespace}`),
    workloadCertTTL: mtls.workloadCertTTL ?? defaultWorkloadCertTTL,
  }
}

export async function readDaprSystemConfig(clients: KubeClients, namespace: string): Promise<DaprSystemConfig> {
  const object = await callOptional(
    clients,
    {verb: 'get', resource: 'configurations.dapr.io', name: daprSystemConfigName, namespace},
    () =>
      clients.custom.getNamespacedCustomObject({
        ...daprGroup,
        namespace,
        name: daprSystemConfigName,
      }) as Promise<ConfigurationObject>,
  )
  return parseDaprSystemConfig(namespace, object)
}
