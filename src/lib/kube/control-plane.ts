// Finding the Dapr control plane, once, for every command: one ControlPlane value with the namespace, the Sentry that
// really runs there (version, trust domain, the Secret keys it reads) and the daprsystem Configuration's settings.
// -n wins; otherwise the namespace that runs dapr-sentry, then the one holding the daprsystem Configuration; none
// means Dapr is not installed, several means ask for -n.
import type {V1Deployment} from '@kubernetes/client-node'

import {defaultTrustDomain} from '../certs/index.js'
import {DaprNotInstalledError, UserError} from '../errors.js'
import type {KubeClients} from './client.js'
import {
  type ConfigurationObject,
  daprGroup,
  type DaprSystemConfig,
  daprSystemConfigName,
  parseDaprSystemConfig,
  readDaprSystemConfiguration,
} from './configuration.js'
import {isForbidden} from './errors.js'
import {call, callOptional} from './request.js'
import {
  defaultTrustBundleKeys,
  type SentryDeployment,
  sentryFromDeployment,
  type TrustBundleKeys,
} from './sentry-deployment.js'

export const sentryName = 'dapr-sentry'

export interface ControlPlane {
  namespace: string
  /** The dapr-sentry Deployment as read; undefined when it is absent or could not be read (see sentryNote). */
  sentry: SentryDeployment | undefined
  /** Why `sentry` is undefined, for messages. */
  sentryNote: string | undefined
  /** The trust domain Sentry really uses: its --trust-domain arg, else the Configuration's, else cluster.local. */
  trustDomain: string
  /** The Secret and ConfigMap keys of the bundle, as Sentry reads them. */
  keys: TrustBundleKeys
  /** Sentry's version when its image tag names one: the rules for the issuer key depend on it. */
  sentryVersion: string | undefined
  config: DaprSystemConfig
}

interface Listed<T> {
  items: T[]
}

/** Pure: the ControlPlane from what discovery read. */
export function describeControlPlane(
  namespace: string,
  sentry: V1Deployment | undefined,
  configuration: ConfigurationObject | undefined,
  sentryNote?: string,
): ControlPlane {
  const config = parseDaprSystemConfig(namespace, configuration)
  const deployment = sentry ? sentryFromDeployment(sentry) : undefined
  return {
    namespace,
    sentry: deployment,
    sentryNote: deployment ? undefined : (sentryNote ?? `no ${sentryName} Deployment in namespace ${namespace}`),
    trustDomain: deployment?.trustDomain ?? config.controlPlaneTrustDomain ?? defaultTrustDomain,
    keys: deployment?.keys ?? defaultTrustBundleKeys,
    sentryVersion: deployment?.version,
    config,
  }
}

/**
 * Pure: which namespace holds the control plane, from the namespaces running dapr-sentry and those holding a daprsystem
 * Configuration (undefined when that list could not be read). dapr-sentry decides; a stray Configuration elsewhere
 * does not.
 */
export function chooseNamespace(
  sentryNamespaces: string[] | undefined,
  configNamespaces: string[] | undefined,
): {namespace: string} | {several: string[]} | {none: true} {
  for (const found of [sentryNamespaces, configNamespaces]) {
    const unique = [...new Set(found ?? [])].sort()
    if (unique.length === 1 && unique[0] !== undefined) return {namespace: unique[0]}
    if (unique.length > 1) return {several: unique}
  }
  return {none: true}
}

const namespaceOf = (object: {metadata?: {namespace?: string}}) => object.metadata?.namespace ?? ''

export async function discoverControlPlane(clients: KubeClients, namespaceFlag?: string): Promise<ControlPlane> {
  if (namespaceFlag !== undefined && namespaceFlag !== '') return readControlPlane(clients, namespaceFlag)
  const [sentries, configurations] = await Promise.allSettled([
    call(clients, {verb: 'list', resource: 'deployments.apps'}, (options) =>
      clients.apps.listDeploymentForAllNamespaces({fieldSelector: `metadata.name=${sentryName}`}, options),
    ),
    // A 404 means the Configuration CRD itself is missing: Dapr's CRDs are not installed.
    callOptional(
      clients,
      {verb: 'list', resource: 'configurations.dapr.io'},
      (options) =>
        clients.custom.listClusterCustomObject(
          {...daprGroup, fieldSelector: `metadata.name=${daprSystemConfigName}`},
          options,
        ) as Promise<Listed<ConfigurationObject>>,
    ),
  ])
  // One list that may not be read does not stop discovery when the other one answers.
  const failures = [sentries, configurations].filter((r) => r.status === 'rejected').map((r) => r.reason as unknown)
  const forbidden = failures.find((error) => isForbidden(error))
  const other = failures.find((error) => !isForbidden(error))
  if (other !== undefined) throw other as Error
  const sentryList = sentries.status === 'fulfilled' ? sentries.value.items : undefined
  const configList = configurations.status === 'fulfilled' ? (configurations.value?.items ?? []) : undefined
  const choice = chooseNamespace(sentryList?.map(namespaceOf), configList?.map(namespaceOf))
  if ('several' in choice) {
    throw new UserError(`Dapr control planes were found in several namespaces: ${choice.several.join(', ')}`, {
      hint: 'Pass -n <namespace> to choose one.',
    })
  }
  if ('none' in choice) {
    if (forbidden !== undefined) {
      throw new UserError(`${(forbidden as Error).message}, so the Dapr namespace cannot be found`, {
        hint: 'Pass -n with the Dapr control-plane namespace.',
      })
    }
    throw new DaprNotInstalledError(clients.context)
  }
  const {namespace} = choice
  const sentry = sentryList?.find((d) => namespaceOf(d) === namespace)
  const configuration = configList?.find((c) => namespaceOf(c) === namespace)
  if (configList === undefined) {
    // The Configuration list was forbidden: read this namespace's one by name, which a namespaced Role may allow.
    return describeControlPlane(
      namespace,
      sentry,
      await readDaprSystemConfiguration(clients, namespace).catch(() => undefined),
    )
  }
  return describeControlPlane(
    namespace,
    sentry,
    configuration,
    sentryList === undefined ? 'the Deployments could not be listed' : undefined,
  )
}

/** With -n: read that namespace's dapr-sentry Deployment and daprsystem Configuration; either may be missing. */
async function readControlPlane(clients: KubeClients, namespace: string): Promise<ControlPlane> {
  const [sentry, configuration] = await Promise.allSettled([
    callOptional(clients, {verb: 'get', resource: 'deployments.apps', name: sentryName, namespace}, (options) =>
      clients.apps.readNamespacedDeployment({name: sentryName, namespace}, options),
    ),
    readDaprSystemConfiguration(clients, namespace),
  ])
  for (const result of [sentry, configuration]) {
    if (result.status === 'rejected' && !isForbidden(result.reason)) throw result.reason
  }
  return describeControlPlane(
    namespace,
    sentry.status === 'fulfilled' ? sentry.value : undefined,
    configuration.status === 'fulfilled' ? configuration.value : undefined,
    sentry.status === 'rejected' ? (sentry.reason as Error).message : undefined,
  )
}
