// The dapr-trust-bundle Secret (root, issuer certificate and key) and ConfigMap (root) in the control-plane
// namespace, under the keys Sentry reads (its --issuer-*-filename flags). Both root values must be byte-identical:
// Sentry compares the raw strings and, if they differ, throws both away and generates a new self-signed CA.
// Keys this tool does not write (Sentry's JWT material, anything else) are kept as they are. Writes follow
// DESIGN.md section 7, and every failure ends in a known state (old or new), or says plainly that it could not.
import type {V1ConfigMap, V1Secret} from '@kubernetes/client-node'

import {issuerChainsTo, type TrustBundle} from '../certs/index.js'
import {UserError} from '../errors.js'
import type {BundleProblem} from '../expiry.js'
import {holdInterrupts} from '../interrupts.js'
import {ExitCode} from '../output/exit-codes.js'
import type {BackupPolicy} from '../backups/record.js'
import {writeBackupFile} from './backup.js'
import type {KubeClients} from './client.js'
import type {ControlPlane} from './control-plane.js'
import {ApiError, type ApiAction, isForbidden} from './errors.js'
import {type Owner, ownersOf} from './ownership.js'
import {call, callOptional} from './request.js'
import type {TrustBundleKeys} from './sentry-deployment.js'

export const trustBundleName = 'dapr-trust-bundle'

/** Secret keys Sentry writes and owns: kept byte for byte by every write. */
export const sentryOwnedKeys = ['jwt.key', 'jwks.json'] as const
/** A pending issuer (unreleased Sentry work, dapr/dapr#10290): it must chain to the roots it is stored beside. */
export const pendingIssuerKeys = {cert: 'issuer.next.crt', key: 'issuer.next.key'} as const

export interface ClusterTrustBundle {
  namespace: string
  keys: TrustBundleKeys
  bundle: TrustBundle
  secret: V1Secret
  /** Undefined when the ConfigMap does not exist. */
  configMap: V1ConfigMap | undefined
  /** The ConfigMap's root as stored, undefined when it has none. */
  configMapRootCertPem: string | undefined
  /** Whether the ConfigMap's root is byte-identical to the Secret's. */
  configMapMatches: boolean
  /** issuer.next.crt when the Secret holds one. */
  pendingIssuerCertPem: string | undefined
  /** Sentry-owned keys present in the Secret. */
  sentryOwnedKeys: string[]
  /** Helm, Argo CD or Flux, from either object's metadata. */
  owners: Owner[]
}

const decode = (value: string | undefined): string =>
  value === undefined ? '' : Buffer.from(value, 'base64').toString()
const encode = (value: string): string => Buffer.from(value).toString('base64')

function secretAction(namespace: string, verb: ApiAction['verb'] = 'get'): ApiAction {
  return {verb, resource: 'secrets', name: trustBundleName, namespace}
}

function configMapAction(namespace: string, verb: ApiAction['verb'] = 'get'): ApiAction {
  return {verb, resource: 'configmaps', name: trustBundleName, namespace}
}

function readSecret(clients: KubeClients, namespace: string): Promise<V1Secret | undefined> {
  return callOptional(clients, secretAction(namespace), (options) =>
    clients.core.readNamespacedSecret({name: trustBundleName, namespace}, options),
  )
}

function readConfigMap(clients: KubeClients, namespace: string): Promise<V1ConfigMap | undefined> {
  return callOptional(clients, configMapAction(namespace), (options) =>
    clients.core.readNamespacedConfigMap({name: trustBundleName, namespace}, options),
  )
}

/** Pure: the bundle as Sentry would read it from the two objects. */
export function clusterTrustBundle(
  namespace: string,
  keys: TrustBundleKeys,
  secret: V1Secret,
  configMap: V1ConfigMap | undefined,
): ClusterTrustBundle {
  const bundle: TrustBundle = {
    rootCertPem: decode(secret.data?.[keys.rootCert]),
    issuerCertPem: decode(secret.data?.[keys.issuerCert]),
    issuerKeyPem: decode(secret.data?.[keys.issuerKey]),
  }
  const configMapRootCertPem = configMap?.data?.[keys.rootCert]
  const pending = secret.data?.[pendingIssuerKeys.cert]
  return {
    namespace,
    keys,
    bundle,
    secret,
    configMap,
    configMapRootCertPem,
    configMapMatches: configMapRootCertPem === bundle.rootCertPem,
    pendingIssuerCertPem: pending === undefined ? undefined : decode(pending),
    sentryOwnedKeys: sentryOwnedKeys.filter((key) => secret.data?.[key] !== undefined),
    owners: [...ownersOf(secret.metadata), ...ownersOf(configMap?.metadata)],
  }
}

function missingRootError(namespace: string, key: string): UserError {
  return new UserError(`Secret ${namespace}/${trustBundleName} has no ${key}: the root certificate is not loaded yet`, {
    hint: 'Sentry writes it when it starts; try again in a few minutes.',
  })
}

export async function readTrustBundle(clients: KubeClients, controlPlane: ControlPlane): Promise<ClusterTrustBundle> {
  const {namespace, keys} = controlPlane
  const [secret, configMap] = await Promise.all([readSecret(clients, namespace), readConfigMap(clients, namespace)])
  if (secret === undefined) {
    throw new UserError(`Secret ${trustBundleName} not found in namespace ${namespace}`, {
      hint: 'Dapr is not installed in that namespace, or Sentry has not created its certificates yet; check -n.',
    })
  }
  const current = clusterTrustBundle(namespace, keys, secret, configMap)
  if (current.bundle.rootCertPem === '') throw missingRootError(namespace, keys.rootCert)
  return current
}

/** The roots alone, from the ConfigMap: what an account that may not read Secrets can still check. */
export interface PublicTrustAnchors {
  namespace: string
  rootCertPem: string
  /** Why the Secret could not be read. */
  secretError: string
}

/**
 * Reads the bundle; when the Secret is forbidden (a monitoring account), falls back to the ConfigMap's roots so
 * expiry can still be checked.
 */
export async function readTrustBundleOrAnchors(
  clients: KubeClients,
  controlPlane: ControlPlane,
): Promise<ClusterTrustBundle | PublicTrustAnchors> {
  try {
    return await readTrustBundle(clients, controlPlane)
  } catch (error) {
    if (!isForbidden(error)) throw error
    const configMap = await readConfigMap(clients, controlPlane.namespace)
    const rootCertPem = configMap?.data?.[controlPlane.keys.rootCert]
    if (rootCertPem === undefined || rootCertPem === '') throw error
    return {namespace: controlPlane.namespace, rootCertPem, secretError: (error as Error).message}
  }
}

/**
 * Refuses a bundle that would strand what Sentry keeps beside it: a pending issuer that no longer chains to the new
 * roots would be promoted by Sentry and break every workload.
 */
export function assertKeepsPendingIssuer(current: ClusterTrustBundle, next: TrustBundle): void {
  const pending = current.pendingIssuerCertPem
  if (pending === undefined) return
  let chains = false
  try {
    chains = issuerChainsTo(pending, next.rootCertPem)
  } catch {
    chains = false
  }
  if (!chains) {
    throw new UserError(
      `Secret ${current.namespace}/${trustBundleName} holds a pending issuer (${pendingIssuerKeys.cert}, ${pendingIssuerKeys.key}) that would not chain to the new roots`,
      {
        hint: 'Let Sentry finish its own rotation first, or remove those two keys if you know they are stale; nothing was changed.',
      },
    )
  }
}

export interface TrustBundleWrite {
  backupFile: string
}

function withBundleData(secret: V1Secret, keys: TrustBundleKeys, bundle: TrustBundle): V1Secret {
  // Other keys (Sentry's JWT material included), labels and annotations stay as they are; the resourceVersion read
  // earlier makes the write conditional.
  return {
    ...secret,
    data: {
      ...secret.data,
      [keys.rootCert]: encode(bundle.rootCertPem),
      [keys.issuerCert]: encode(bundle.issuerCertPem),
      [keys.issuerKey]: encode(bundle.issuerKeyPem),
    },
  }
}

function withRootData(
  current: V1ConfigMap | undefined,
  namespace: string,
  key: string,
  rootCertPem: string,
): V1ConfigMap {
  const base: V1ConfigMap = current ?? {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {name: trustBundleName, namespace, labels: {app: 'dapr-sentry'}},
  }
  return {...base, data: {...base.data, [key]: rootCertPem}}
}

interface WriteSteps<T> {
  action: ApiAction
  /** The write, conditional on the resourceVersion given. */
  write: (resourceVersion: string | undefined) => Promise<T>
  /** Reads the object again: whether it holds what this write puts there, and its resourceVersion. */
  observe: () => Promise<{holds: boolean; resourceVersion: string | undefined}>
}

type KnownWrite = {written: true} | {written: false; error: unknown; uncertain: boolean}

/**
 * One conditional write whose outcome is known. A write that got no answer (timeout, dropped connection, 5xx) may
 * still land, so the object is read again; if it does not hold the new data yet, the same conditional write is sent
 * once more: whichever copy lands first wins, and the other is refused with 409 instead of landing later.
 */
async function writeKnown<T>(steps: WriteSteps<T>, resourceVersion: string | undefined): Promise<KnownWrite> {
  let lastError: unknown
  let version = resourceVersion
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await steps.write(version)
      return {written: true}
    } catch (error) {
      lastError = error
    }
    const seen = await steps.observe().catch(() => undefined)
    if (seen?.holds) return {written: true}
    const definite = lastError instanceof ApiError && lastError.status !== undefined && !lastError.transient
    if (definite || seen === undefined) return {written: false, error: lastError, uncertain: !definite}
    version = seen.resourceVersion
  }
  return {written: false, error: lastError, uncertain: true}
}

/** The command that puts a backup back: rollback by the protocol, or kubectl as it is. */
export function restoreCommand(namespace: string, backupFile: string): string {
  return `dapr mtls rollback -k -n ${namespace} --backup ${backupFile} (or: kubectl replace -f ${backupFile})`
}

/**
 * Replaces the bundle: backup file first, then the Secret, then the ConfigMap, each conditional on the
 * resourceVersion read (a concurrent change gives 409 and stops). If the ConfigMap cannot be written the Secret is put
 * back. Ctrl-C is held during the writes. Finally both are read back and compared with what was written.
 */
export async function writeTrustBundle(
  clients: KubeClients,
  current: ClusterTrustBundle,
  next: TrustBundle,
  backup: BackupPolicy,
): Promise<TrustBundleWrite> {
  const cluster = {server: clients.server, context: clients.context, namespace: current.namespace}
  const backupFile = await writeBackupFile(current, cluster, current.keys, backup)
  const restoreHint = `Restore the previous bundle with: ${restoreCommand(current.namespace, backupFile)}`
  const guard = holdInterrupts({
    held: 'Finishing the trust-bundle write first, so the Secret and the ConfigMap stay identical (Ctrl-C again to stop now).',
    abandoned: `Stopped during the trust-bundle write: the Secret and the ConfigMap may differ. ${restoreHint}`,
  })
  let interrupted: boolean
  try {
    await writeBoth(clients, current, next, restoreHint)
  } finally {
    interrupted = guard.release()
  }
  await verifyTrustBundle(clients, current, next, restoreHint)
  if (interrupted) {
    throw new UserError(
      'interrupted after the new trust bundle was written in full to the Secret and the ConfigMap, and verified',
      {
        hint: `Nothing else was done (no restart). ${restoreHint}`,
        exitCode: ExitCode.interrupted,
      },
    )
  }
  return {backupFile}
}

function secretHolds(secret: V1Secret | undefined, keys: TrustBundleKeys, bundle: TrustBundle): boolean {
  return (
    decode(secret?.data?.[keys.rootCert]) === bundle.rootCertPem &&
    decode(secret?.data?.[keys.issuerCert]) === bundle.issuerCertPem &&
    decode(secret?.data?.[keys.issuerKey]) === bundle.issuerKeyPem
  )
}

async function writeBoth(clients: KubeClients, current: ClusterTrustBundle, next: TrustBundle, restoreHint: string) {
  const {namespace, keys} = current
  const secretSteps = (body: V1Secret, bundle: TrustBundle): WriteSteps<V1Secret> => ({
    action: secretAction(namespace, 'update'),
    write: (resourceVersion) =>
      call(clients, secretAction(namespace, 'update'), (options) =>
        clients.core.replaceNamespacedSecret(
          {name: trustBundleName, namespace, body: {...body, metadata: {...body.metadata, resourceVersion}}},
          options,
        ),
      ),
    observe: async () => {
      const secret = await readSecret(clients, namespace)
      return {holds: secretHolds(secret, keys, bundle), resourceVersion: secret?.metadata?.resourceVersion}
    },
  })
  const configMapBody = withRootData(current.configMap, namespace, keys.rootCert, next.rootCertPem)
  const configMapSteps: WriteSteps<V1ConfigMap> = {
    action: configMapAction(namespace, current.configMap ? 'update' : 'create'),
    write: (resourceVersion) => {
      const body = {...configMapBody, metadata: {...configMapBody.metadata, resourceVersion}}
      return current.configMap === undefined && resourceVersion === undefined
        ? call(clients, configMapAction(namespace, 'create'), (options) =>
            clients.core.createNamespacedConfigMap({namespace, body}, options),
          )
        : call(clients, configMapAction(namespace, 'update'), (options) =>
            clients.core.replaceNamespacedConfigMap({name: trustBundleName, namespace, body}, options),
          )
    },
    observe: async () => {
      const configMap = await readConfigMap(clients, namespace)
      return {
        holds: configMap?.data?.[keys.rootCert] === next.rootCertPem,
        resourceVersion: configMap?.metadata?.resourceVersion,
      }
    },
  }

  const secretWrite = await writeKnown(
    secretSteps(withBundleData(current.secret, keys, next), next),
    current.secret.metadata?.resourceVersion,
  )
  if (!secretWrite.written) {
    throw failure(`writing Secret ${namespace}/${trustBundleName} failed`, secretWrite, {
      state: secretWrite.uncertain ? 'unknown' : 'unchanged',
      restoreHint,
    })
  }
  const configMapWrite = await writeKnown(configMapSteps, current.configMap?.metadata?.resourceVersion)
  if (configMapWrite.written) return

  // The Secret is new and the ConfigMap is not: put the Secret back, conditional on what is there now.
  const now = await readSecret(clients, namespace).catch(() => undefined)
  const putBack = now
    ? await writeKnown(
        secretSteps({...current.secret, metadata: {...current.secret.metadata}}, current.bundle),
        now.metadata?.resourceVersion,
      )
    : ({written: false, error: undefined, uncertain: true} as const)
  throw failure(`writing ConfigMap ${namespace}/${trustBundleName} failed`, configMapWrite, {
    state: putBack.written ? (configMapWrite.uncertain ? 'put back, ConfigMap uncertain' : 'put back') : 'mixed',
    restoreHint,
  })
}

function failure(
  what: string,
  write: {error: unknown; uncertain: boolean},
  context: {
    state: 'unchanged' | 'unknown' | 'put back' | 'put back, ConfigMap uncertain' | 'mixed'
    restoreHint: string
  },
): UserError {
  const reason = write.error instanceof Error ? write.error.message : 'no answer'
  // Every write-phase error names the backup and the way back, after the cause's own hint.
  const hint = (extra = '') =>
    [write.error instanceof UserError ? write.error.hint : undefined, extra, context.restoreHint]
      .filter((part) => part !== undefined && part !== '')
      .join(' ')
  switch (context.state) {
    case 'unchanged':
      return new UserError(`${what} (${reason}); nothing was changed`, {hint: hint()})
    case 'put back':
      return new UserError(`${what} (${reason}); the Secret was put back, so both objects are as they were`, {
        hint: hint(),
      })
    case 'put back, ConfigMap uncertain':
      return new UserError(
        `${what} (${reason}); the Secret was put back, but the ConfigMap write got no answer and may still land`,
        {hint: hint('Check that both hold the same root (dapr mtls expiry -k).')},
      )
    case 'unknown':
      return new UserError(`${what} (${reason}); the write got no answer and may still land`, {
        hint: hint('Check the bundle (dapr mtls expiry -k) before running again.'),
      })
    case 'mixed':
      return new UserError(
        `${what} (${reason}); the Secret holds the new bundle and could NOT be put back: Sentry will regenerate its CA at its next reload`,
        {hint: hint()},
      )
  }
}

/** Reads both objects back and checks they hold exactly the bundle written. */
export async function verifyTrustBundle(
  clients: KubeClients,
  current: Pick<ClusterTrustBundle, 'namespace' | 'keys'>,
  expected: TrustBundle,
  restoreHint: string,
): Promise<void> {
  const [secret, configMap] = await Promise.all([
    readSecret(clients, current.namespace),
    readConfigMap(clients, current.namespace),
  ])
  const same =
    secretHolds(secret, current.keys, expected) && configMap?.data?.[current.keys.rootCert] === expected.rootCertPem
  if (!same) {
    throw new UserError(`the trust bundle in namespace ${current.namespace} changed right after it was written`, {
      hint: `Something else writes dapr-trust-bundle (Sentry regenerating its CA, a GitOps controller?); check it before restarting anything. ${restoreHint}`,
    })
  }
}

/**
 * Pure: what makes the cluster's bundle broken beyond its certificates: a ConfigMap whose root differs from the
 * Secret's (Sentry regenerates the CA at its next reload), or no ConfigMap at all (Sentry cannot start).
 */
export function trustBundleProblems(current: ClusterTrustBundle): BundleProblem[] {
  if (current.configMapMatches) return []
  const {namespace, keys} = current
  const copy = `kubectl -n ${namespace} get secret ${trustBundleName} -o jsonpath='{.data.${keys.rootCert.replaceAll('.', '\\.')}}' | base64 -d > root.pem && kubectl -n ${namespace} create configmap ${trustBundleName} --from-file=${keys.rootCert}=root.pem --dry-run=client -o yaml | kubectl apply -f -`
  if (current.configMap === undefined) {
    return [
      {
        rule: 'configmap-missing',
        message: `ConfigMap ${namespace}/${trustBundleName} does not exist: Sentry cannot load the bundle and fails at its next start or reload`,
        hint: `Create it from the Secret's root: ${copy}`,
      },
    ]
  }
  return [
    {
      rule: 'configmap-mismatch',
      message: `ConfigMap ${namespace}/${trustBundleName} ${keys.rootCert} differs from the Secret's: at its next reload Sentry throws the bundle away and generates a new CA`,
      hint: `Make the ConfigMap hold the Secret's root byte for byte: ${copy}`,
    },
  ]
}
