// Local backups of the trust bundle before it is replaced: a manifest that `kubectl replace -f <file>` restores.
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import type {V1ConfigMap, V1ObjectMeta, V1Secret} from '@kubernetes/client-node'
import {stringify} from 'yaml'

import {UserError} from '../errors.js'
import {fileTimestamp} from '../output/time-layouts.js'

export function defaultBackupDir(): string {
  return path.join(homedir(), '.dapr', 'backups')
}

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

export async function writeBackupFile(
  dir: string,
  current: {namespace: string; secret: V1Secret; configMap: V1ConfigMap | undefined},
): Promise<string> {
  const stamp = fileTimestamp(new Date())
  const file = path.join(dir, `dapr-trust-bundle-${current.namespace}-${stamp}.yaml`)
  try {
    await fs.mkdir(dir, {recursive: true, mode: 0o700})
    await fs.writeFile(file, backupManifest(current.secret, current.configMap), {mode: 0o600, flag: 'wx'})
  } catch (error) {
    throw new UserError(`cannot write the backup file ${file}: ${(error as Error).message}`, {
      hint: 'Nothing was changed in the cluster. Choose a writable directory with --backup-dir.',
    })
  }
  return file
}
