// The dapr-trust-bundle Secret (ca.crt, issuer.crt, issuer.key) and ConfigMap (ca.crt) in the control-plane
// namespace. Both ca.crt values must be byte-identical: Sentry (1.12 and later) compares the raw strings and, if they
// differ, throws both away and generates a new self-signed CA. Writes follow DESIGN.md section 7.
import type {V1ConfigMap, V1Secret} from '@kubernetes/client-node'

import type {TrustBundle} from '../certs/index.js'
import {UserError} from '../errors.js'
import {holdInterrupts} from '../interrupts.js'
import {ExitCode} from '../output/exit-codes.js'
import {writeBackupFile} from './backup.js'
import type {KubeClients} from './client.js'
import {call, callOptional} from './errors.js'

export const trustBundleName = 'dapr-trust-bundle'

export interface ClusterTrustBundle {
  namespace: string
  bundle: TrustBundle
  secret: V1Secret
  /** Undefined when the ConfigMap does not exist. */
  configMap: V1ConfigMap | undefined
  /** Whether the ConfigMap's ca.crt is byte-identical to the Secret's. */
  configMapMatches: boolean
}

const decode = (value: string | undefined): string =>
  value === undefined ? '' : Buffer.from(value, 'base64').toString()
const encode = (value: string): string => Buffer.from(value).toString('base64')

function secretAction(namespace: string, verb: 'get' | 'update' = 'get') {
  return {verb, resource: 'secrets', name: trustBundleName, namespace} as const
}

function configMapAction(namespace: string, verb: 'get' | 'update' | 'create' = 'get') {
  return {verb, resource: 'configmaps', name: trustBundleName, namespace} as const
}

export async function readTrustBundle(clients: KubeClients, namespace: string): Promise<ClusterTrustBundle> {
  const [secret, configMap] = await Promise.all([
    callOptional(clients, secretAction(namespace), () =>
      clients.core.readNamespacedSecret({name: trustBundleName, namespace}),
    ),
    callOptional(clients, configMapAction(namespace), () =>
      clients.core.readNamespacedConfigMap({name: trustBundleName, namespace}),
    ),
  ])
  if (secret === undefined) {
    throw new UserError(`Secret ${trustBundleName} not found in namespace ${namespace}`, {
      hint: 'Dapr is not installed in that namespace, or Sentry has not created its certificates yet; check -n.',
    })
  }
  const bundle: TrustBundle = {
    rootCertPem: decode(secret.data?.['ca.crt']),
    issuerCertPem: decode(secret.data?.['issuer.crt']),
    issuerKeyPem: decode(secret.data?.['issuer.key']),
  }
  if (bundle.rootCertPem === '') {
    throw new UserError(
      `Secret ${namespace}/${trustBundleName} has no ca.crt: the root certificate is not loaded yet`,
      {
        hint: 'Sentry writes it when it starts; try again in a few minutes.',
      },
    )
  }
  const configMapMatches = configMap?.data?.['ca.crt'] === bundle.rootCertPem
  return {namespace, bundle, secret, configMap, configMapMatches}
}

export interface TrustBundleWrite {
  backupFile: string
}

function withBundleData(secret: V1Secret, bundle: TrustBundle): V1Secret {
  // Other keys, labels and annotations stay as they are; the resourceVersion read earlier makes the write conditional.
  return {
    ...secret,
    data: {
      ...secret.data,
      'ca.crt': encode(bundle.rootCertPem),
      'issuer.crt': encode(bundle.issuerCertPem),
      'issuer.key': encode(bundle.issuerKeyPem),
    },
  }
}

function withRootData(current: V1ConfigMap | undefined, namespace: string, rootCertPem: string): V1ConfigMap {
  const base: V1ConfigMap = current ?? {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {name: trustBundleName, namespace, labels: {app: 'dapr-sentry'}},
  }
  return {...base, data: {...base.data, 'ca.crt': rootCertPem}}
}

async function replaceConfigMap(clients: KubeClients, current: ClusterTrustBundle, rootCertPem: string) {
  const {namespace} = current
  const body = withRootData(current.configMap, namespace, rootCertPem)
  if (current.configMap === undefined) {
    return call(clients, configMapAction(namespace, 'create'), () =>
      clients.core.createNamespacedConfigMap({namespace, body}),
    )
  }
  return call(clients, configMapAction(namespace, 'update'), () =>
    clients.core.replaceNamespacedConfigMap({name: trustBundleName, namespace, body}),
  )
}

/**
 * Replaces the bundle: backup file first, then the Secret, then the ConfigMap, each conditional on the
 * resourceVersion read (a concurrent change gives 409 and stops). If the ConfigMap write fails the Secret is put back.
 * Ctrl-C is held between the two writes. Finally both are read back and compared with what was written.
 */
export async function writeTrustBundle(
  clients: KubeClients,
  current: ClusterTrustBundle,
  next: TrustBundle,
  options: {backupDir: string; onBackup?: (file: string) => void},
): Promise<TrustBundleWrite> {
  const {namespace} = current
  const backupFile = await writeBackupFile(options.backupDir, current)
  options.onBackup?.(backupFile)
  const restoreHint = `Restore the previous bundle with: kubectl replace -f ${backupFile}`
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
  await verifyTrustBundle(clients, namespace, next, restoreHint)
  if (interrupted) {
    throw new UserError('interrupted after the new trust bundle was written and verified', {
      hint: 'Nothing else was done (no restart).',
      exitCode: ExitCode.interrupted,
    })
  }
  return {backupFile}
}

async function writeBoth(clients: KubeClients, current: ClusterTrustBundle, next: TrustBundle, restoreHint: string) {
  const {namespace} = current
  const written = await call(clients, secretAction(namespace, 'update'), () =>
    clients.core.replaceNamespacedSecret({
      name: trustBundleName,
      namespace,
      body: withBundleData(current.secret, next),
    }),
  )
  try {
    await replaceConfigMap(clients, current, next.rootCertPem)
  } catch (error) {
    // A write that timed out may still have been applied: then both objects are new and nothing must be put back.
    const configMap = await callOptional(clients, configMapAction(namespace), () =>
      clients.core.readNamespacedConfigMap({name: trustBundleName, namespace}),
    ).catch(() => undefined)
    if (configMap?.data?.['ca.crt'] === next.rootCertPem) return
    const putBack = await call(clients, secretAction(namespace, 'update'), () =>
      clients.core.replaceNamespacedSecret({
        name: trustBundleName,
        namespace,
        body: {
          ...current.secret,
          metadata: {...current.secret.metadata, resourceVersion: written.metadata?.resourceVersion},
        },
      }),
    ).then(
      () => true,
      () => false,
    )
    const reason = error instanceof Error ? error.message : String(error)
    const outcome = putBack ? 'the Secret was put back as it was' : 'the Secret could NOT be put back'
    throw new UserError(`writing ConfigMap ${namespace}/${trustBundleName} failed (${reason}); ${outcome}`, {
      hint: putBack ? (error instanceof UserError ? error.hint : undefined) : restoreHint,
    })
  }
}

/** Reads both objects back and checks they hold exactly the bundle written. */
export async function verifyTrustBundle(
  clients: KubeClients,
  namespace: string,
  expected: TrustBundle,
  restoreHint: string,
): Promise<void> {
  const actual = await readTrustBundle(clients, namespace)
  const same =
    actual.bundle.rootCertPem === expected.rootCertPem &&
    actual.bundle.issuerCertPem === expected.issuerCertPem &&
    actual.bundle.issuerKeyPem === expected.issuerKeyPem &&
    actual.configMapMatches
  if (!same) {
    throw new UserError(`the trust bundle in namespace ${namespace} changed right after it was written`, {
      hint: `Something else writes dapr-trust-bundle (Sentry regenerating its CA, a GitOps controller?); check it before restarting anything. ${restoreHint}`,
    })
  }
}
