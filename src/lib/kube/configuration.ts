// The daprsystem Configuration: whether mTLS is on, the allowed clock skew, the workload certificate TTL and Sentry's
// token validators, with Dapr's defaults where a field is unset; read by name, and its spec.mtls patched conditional
// on the resourceVersion read, other fields untouched. (Its controlPlaneTrustDomain is kept for display only: Sentry
// ignores it and uses its --trust-domain arg, see control-plane.ts.)
import {parseGoDuration} from '../certs/index.js'
import {UserError} from '../errors.js'
import type {MtlsEdit} from '../settings/plan.js'
import {type MtlsSpec, settingsOf, type TokenValidatorSpec} from '../settings/mtls-settings.js'
import type {KubeClients} from './client.js'
import {call, callOptional} from './request.js'
import {mergePatch} from './restart.js'

export const daprGroup = {group: 'dapr.io', version: 'v1alpha1', plural: 'configurations'} as const
export const daprSystemConfigName = 'daprsystem'

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
  tokenValidators: TokenValidatorSpec[]
  /** The resourceVersion read, for conditional writes. */
  resourceVersion: string | undefined
}

export interface ConfigurationObject {
  metadata?: {
    namespace?: string
    resourceVersion?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  spec?: {mtls?: MtlsSpec}
}

/** Pure: reads the fields of a Configuration object, applying Dapr's defaults. */
export function parseDaprSystemConfig(namespace: string, object: ConfigurationObject | undefined): DaprSystemConfig {
  const mtls = object?.spec?.mtls
  const settings = settingsOf(mtls)
  return {
    namespace,
    found: object !== undefined,
    mtlsEnabled: settings.mtlsEnabled,
    controlPlaneTrustDomain: mtls?.controlPlaneTrustDomain,
    allowedClockSkew: settings.allowedClockSkew,
    clockSkewMs: parseGoDuration(
      settings.allowedClockSkew,
      `daprsystem spec.mtls.allowedClockSkew in namespace ${namespace}`,
    ),
    workloadCertTTL: settings.workloadCertTTL,
    tokenValidators: settings.tokenValidators,
    resourceVersion: object?.metadata?.resourceVersion,
  }
}

/** The daprsystem Configuration of a namespace; undefined when there is none. */
export function readDaprSystemConfiguration(
  clients: KubeClients,
  namespace: string,
): Promise<ConfigurationObject | undefined> {
  return callOptional(
    clients,
    {verb: 'get', resource: 'configurations.dapr.io', name: daprSystemConfigName, namespace},
    (options) =>
      clients.custom.getNamespacedCustomObject(
        {...daprGroup, namespace, name: daprSystemConfigName},
        options,
      ) as Promise<ConfigurationObject>,
  )
}

/** JSON with object keys sorted: the API server returns custom objects with their keys in its own order. */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  )
}

/** Pure: the fields of an edit that the written object does not hold as sent (a CRD schema that prunes them). */
export function droppedFields(edit: MtlsEdit, written: ConfigurationObject): string[] {
  const mtls = (written.spec?.mtls ?? {}) as Record<string, unknown>
  return Object.entries(edit)
    .filter(([field, value]) => canonical(mtls[field]) !== canonical(value ?? undefined))
    .map(([field]) => field)
}

/**
 * Merge-patches spec.mtls of daprsystem with the edit (null removes a field), only if the object still has the
 * resourceVersion read (409 otherwise: someone else changed it, nothing is written). Other fields stay as they are.
 */
export async function patchDaprSystemMtls(
  clients: KubeClients,
  namespace: string,
  resourceVersion: string | undefined,
  edit: MtlsEdit,
): Promise<ConfigurationObject> {
  const body = {metadata: {resourceVersion}, spec: {mtls: edit}}
  const written =
    (await call(
      clients,
      {verb: 'patch', resource: 'configurations.dapr.io', name: daprSystemConfigName, namespace},
      (options) =>
        clients.custom.patchNamespacedCustomObject(
          {...daprGroup, namespace, name: daprSystemConfigName, body},
          options,
        ) as Promise<ConfigurationObject>,
      {headers: mergePatch},
    )) ?? {}
  const dropped = droppedFields(edit, written)
  if (dropped.length > 0) {
    throw new UserError(
      `the API server did not keep spec.mtls.${dropped.join(', spec.mtls.')} of daprsystem in namespace ${namespace}: the Configuration CRD of this cluster does not know the field`,
      {
        hint: 'Upgrade the Dapr CRDs to those of the Dapr version that runs (kubectl apply -f its crds), then run this again.',
      },
    )
  }
  return written
}
