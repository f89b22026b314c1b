// Local backups of the cluster's trust bundle, taken before every write: a manifest that `kubectl replace -f <file>`
// restores as it is, whose first line records the cluster (API server URL, context), namespace, time and what wrote
// it, so `mtls backups` and `mtls rollback` find the backups of this cluster's bundle among all the others.
import {promises as fs} from 'node:fs'
import path from 'node:path'

import type {V1ConfigMap, V1ObjectMeta, V1Secret} from '@kubernetes/client-node'
import {parseAllDocuments, stringify} from 'yaml'

import {
  type BackupEntry,
  type BackupOrigin,
  type BackupPolicy,
  type BackupScope,
  type BackupStore,
  backupEntry,
  backupsToPrune,
  inScope,
  newestFirst,
  originFromJson,
  originToJson,
} from '../backups/record.js'
import type {TrustBundle} from '../certs/index.js'
import {describeCause, UserError} from '../errors.js'
import {fileTimestamp} from '../output/time-layouts.js'
import type {TrustBundleKeys} from './sentry-deployment.js'

export {defaultBackupDir} from '../backups/record.js'

const headerPrefix = '# dapr-mtls backup: '
const trustBundleName = 'dapr-trust-bundle'

function restorableMetadata(meta: V1ObjectMeta | undefined): V1ObjectMeta {
  return {
    name: meta?.name,
    namespace: meta?.namespace,
    ...(meta?.labels ? {labels: meta.labels} : {}),
    ...(meta?.annotations ? {annotations: meta.annotations} : {}),
  }
}

/** Pure: the backup manifest of the current Secret and ConfigMap, without server-set fields. */
export function backupManifest(secret: V1Secret, configMap: V1ConfigMap | undefined): string {
  const items: object[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: restorableMetadata(secret.metadata),
      type: secret.type,
      data: secret.data,
    },
  ]
  if (configMap) {
    items.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: restorableMetadata(configMap.metadata),
      data: configMap.data,
    })
  }
  return stringify({apiVersion: 'v1', kind: 'List', items})
}

/** Pure: the whole file: the origin line (a YAML comment, so kubectl still reads the file), how to restore, the manifest. */
export function backupFileText(origin: BackupOrigin, file: string, manifest: string): string {
  return [
    `${headerPrefix}${originToJson(origin)}`,
    `# Restore with: dapr mtls rollback -k -n ${origin.namespace ?? ''} --backup ${file}   (or: kubectl replace -f ${file})`,
    manifest,
  ].join('\n')
}

interface ParsedBackup {
  origin: BackupOrigin | undefined
  secret: V1Secret | undefined
  configMap: V1ConfigMap | undefined
}

/** Pure: a backup file, or any manifest holding the dapr-trust-bundle Secret (a List, or several documents). */
export function parseBackupText(text: string): ParsedBackup {
  const firstLine = text.split('\n', 1)[0] ?? ''
  const origin = firstLine.startsWith(headerPrefix) ? originFromJson(firstLine.slice(headerPrefix.length)) : undefined
  const objects: (V1Secret & V1ConfigMap)[] = []
  for (const document of parseAllDocuments(text)) {
    const [problem] = document.errors
    if (problem !== undefined) throw new Error(problem.message)
    const value = document.toJSON() as {kind?: string; items?: unknown[]} | null
    if (value === null || typeof value !== 'object') continue
    if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...(value.items as typeof objects))
    else objects.push(value)
  }
  const named = (kind: string) => objects.find((o) => o.kind === kind && o.metadata?.name === trustBundleName)
  return {origin, secret: named('Secret'), configMap: named('ConfigMap')}
}

const decode = (value: string | undefined): string =>
  value === undefined ? '' : Buffer.from(value, 'base64').toString()

/** Pure: the bundle a backed-up Secret holds under Sentry's keys. */
export function bundleOfSecret(secret: V1Secret, keys: TrustBundleKeys): TrustBundle {
  return {
    rootCertPem: decode(secret.data?.[keys.rootCert]),
    issuerCertPem: decode(secret.data?.[keys.issuerCert]),
    issuerKeyPem: decode(secret.data?.[keys.issuerKey]),
  }
}

async function readBackup(file: string): Promise<ParsedBackup> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    throw new UserError(`cannot read the backup ${file}: ${describeCause(error)}`, {
      hint: 'List the backups of this cluster with `dapr mtls backups -k`.',
    })
  }
  try {
    return parseBackupText(text)
  } catch (error) {
    throw new UserError(`the backup ${file} is not a readable manifest: ${describeCause(error)}`, {
      hint: 'Give a file written by this tool (dapr mtls backups -k lists them) or by kubectl get secret -o yaml.',
    })
  }
}

/**
 * The backups of one bundle in `dir`, newest first; files of other clusters, namespaces or tools are skipped.
 * `summaries: false` leaves out what reading their certificates would add (pruning needs only the times).
 */
export async function listBackupFiles(
  dir: string,
  scope: Extract<BackupScope, {kind: 'kubernetes'}>,
  keys: TrustBundleKeys,
  {summaries = true}: {summaries?: boolean} = {},
): Promise<BackupEntry[]> {
  let names: string[]
  try {
    names = await fs.readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new UserError(`cannot read the backup directory ${dir}: ${describeCause(error)}`)
  }
  const entries: BackupEntry[] = []
  for (const name of names.filter((n) => n.endsWith('.yaml'))) {
    const file = path.join(dir, name)
    const backup = await readBackup(file).catch(() => undefined)
    if (backup?.origin === undefined || !inScope(backup.origin, scope)) continue
    const bundle = backup.secret ? bundleOfSecret(backup.secret, keys) : {rootCertPem: '', issuerCertPem: ''}
    entries.push(backupEntry(file, backup.origin, summaries ? bundle : undefined))
  }
  return newestFirst(entries)
}

/** What a backup of the cluster's bundle records of where it came from. */
export interface ClusterOrigin {
  server: string
  context: string
  namespace: string
}

/**
 * Saves the current objects (0600, in a 0700 directory), then prunes the oldest backups of the same bundle beyond
 * `keep`. Returns the file written.
 */
export async function writeBackupFile(
  current: {secret: V1Secret; configMap: V1ConfigMap | undefined},
  cluster: ClusterOrigin,
  keys: TrustBundleKeys,
  policy: BackupPolicy,
): Promise<string> {
  const now = new Date()
  const file = path.join(policy.dir, `${trustBundleName}-${cluster.namespace}-${fileTimestamp(now)}.yaml`)
  const origin: BackupOrigin = {kind: 'kubernetes', writtenBy: policy.writtenBy, time: now, ...cluster}
  try {
    await fs.mkdir(policy.dir, {recursive: true, mode: 0o700})
    const text = backupFileText(origin, file, backupManifest(current.secret, current.configMap))
    await fs.writeFile(file, text, {mode: 0o600, flag: 'wx'})
  } catch (error) {
    throw new UserError(`cannot write the backup file ${file}: ${describeCause(error)}`, {
      hint: 'Nothing was changed in the cluster. Choose a writable directory with --backup-dir.',
    })
  }
  policy.events?.saved?.(file)
  const scope = {kind: 'kubernetes', server: cluster.server, namespace: cluster.namespace} as const
  const pruned = backupsToPrune(await listBackupFiles(policy.dir, scope, keys, {summaries: false}), policy.keep)
  // A backup that cannot be removed stays; pruning never stops a write.
  await Promise.all(pruned.map((entry) => fs.rm(entry.path, {force: true}).catch(() => undefined)))
  if (pruned.length > 0)
    policy.events?.pruned?.(
      pruned.map((e) => e.path),
      policy.keep,
    )
  return file
}

/** The backups of the bundle of one cluster's namespace, for listing and rollback. */
export function clusterBackupStore(
  dir: string,
  clients: {server: string; context: string},
  controlPlane: {namespace: string; keys: TrustBundleKeys},
): BackupStore {
  const {keys} = controlPlane
  const cluster: ClusterOrigin = {server: clients.server, context: clients.context, namespace: controlPlane.namespace}
  const scope = {kind: 'kubernetes', server: cluster.server, namespace: cluster.namespace} as const
  return {
    description: `${cluster.namespace}/${trustBundleName} of ${cluster.server} in ${dir}`,
    scope,
    list: () => listBackupFiles(dir, scope, keys),
    async read(file) {
      const backup = await readBackup(file)
      if (backup.secret === undefined) {
        throw new UserError(`the backup ${file} holds no Secret ${trustBundleName}`, {
          hint: 'Give a backup written by this tool: dapr mtls backups -k lists them.',
        })
      }
      return {bundle: bundleOfSecret(backup.secret, keys), origin: backup.origin}
    },
  }
}
