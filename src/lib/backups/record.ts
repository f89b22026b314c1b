// What every backup of a trust bundle says about itself (which cluster and namespace, or which certificates
// directory; when; what wrote it), and the decisions about backups that need no I/O: which belong to a bundle, which
// is the newest, which are pruned. The files themselves are written by the kube and selfhosted adapters, each in its
// own format.
import {homedir} from 'node:os'
import path from 'node:path'

import {describeBundle, type TrustBundle} from '../certs/index.js'

/** Where backups go unless --backup-dir says otherwise: beside the certificates directory, never inside it. */
export function defaultBackupDir(): string {
  return path.join(homedir(), '.dapr', 'backups')
}

/** How many backups of one bundle every write keeps (--keep). */
export const defaultKeep = 10

export interface BackupOrigin {
  kind: 'kubernetes' | 'self-hosted'
  /** What replaced the bundle right after this backup was taken: renew, rollback, init, rotate <phase>, moved. */
  writtenBy: string
  time: Date
  /** Kubernetes: the API server URL of the cluster, its kubeconfig context and the control-plane namespace. */
  server?: string | undefined
  context?: string | undefined
  namespace?: string | undefined
  /** Self-hosted: the certificates directory. */
  certsDir?: string | undefined
}

/** The bundle a backup belongs to: a cluster's namespace, or a certificates directory. */
export type BackupScope =
  {kind: 'kubernetes'; server: string; namespace: string} | {kind: 'self-hosted'; certsDir: string}

export interface BackupEntry {
  /** The backup file (Kubernetes) or folder (self-hosted). */
  path: string
  origin: BackupOrigin
  /** SHA-256 fingerprint of the root the issuer chains to (the first root when it chains to none). */
  rootFingerprint: string | undefined
  issuerNotAfter: Date | undefined
}

/** What a write reports about its backups, for the command to say. */
export interface BackupEvents {
  /** The previous bundle was saved here. */
  saved?: (path: string) => void
  /** Older backups of the same bundle were removed, keeping the newest `keep`. */
  pruned?: (paths: string[], keep: number) => void
  /** Backups found inside the certificates directory were moved out of it. */
  moved?: (from: string, to: string, count: number) => void
}

/** How a write keeps its backups. */
export interface BackupPolicy {
  /** Where backups go: ~/.dapr/backups unless --backup-dir. */
  dir: string
  writtenBy: string
  keep: number
  events?: BackupEvents
}

/** Reading backups of one bundle, for `mtls backups` and `mtls rollback`. */
export interface BackupStore {
  /** Where the backups are and which bundle they are of, for messages. */
  readonly description: string
  /** The bundle the backups are of. */
  readonly scope: BackupScope
  /** The backups of this bundle, newest first. */
  list(): Promise<BackupEntry[]>
  /** The bundle a backup holds, and its origin when it records one. */
  read(path: string): Promise<{bundle: TrustBundle; origin: BackupOrigin | undefined}>
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')

/** Pure: whether a backup belongs to the bundle of `scope`. */
export function inScope(origin: BackupOrigin, scope: BackupScope): boolean {
  if (scope.kind === 'self-hosted') return origin.kind === 'self-hosted' && origin.certsDir === scope.certsDir
  return (
    origin.kind === 'kubernetes' &&
    origin.namespace === scope.namespace &&
    trimSlash(origin.server ?? '') === trimSlash(scope.server)
  )
}

/** Pure: newest first; equal times by path, so the order never depends on the directory listing. */
export function newestFirst(entries: BackupEntry[]): BackupEntry[] {
  return [...entries].sort((a, b) => b.origin.time.getTime() - a.origin.time.getTime() || b.path.localeCompare(a.path))
}

/** Pure: the backups beyond the newest `keep`. */
export function backupsToPrune(entries: BackupEntry[], keep: number): BackupEntry[] {
  return newestFirst(entries).slice(Math.max(1, keep))
}

/** The origin as stored: plain JSON with an RFC 3339 time. */
export function originToJson(origin: BackupOrigin): string {
  return JSON.stringify({...origin, time: origin.time.toISOString()})
}

/** Pure: the origin from stored JSON; undefined when it is not one this tool wrote. */
export function originFromJson(text: string): BackupOrigin | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const time = typeof record.time === 'string' ? new Date(record.time) : undefined
  if (record.kind !== 'kubernetes' && record.kind !== 'self-hosted') return undefined
  if (time === undefined || Number.isNaN(time.getTime()) || typeof record.writtenBy !== 'string') return undefined
  const field = (key: string) => (typeof record[key] === 'string' ? record[key] : undefined)
  return {
    kind: record.kind,
    writtenBy: record.writtenBy,
    time,
    server: field('server'),
    context: field('context'),
    namespace: field('namespace'),
    certsDir: field('certsDir'),
  }
}

/** Pure: the root fingerprint and issuer expiry a list shows; undefined parts when the bundle cannot be read. */
export function summarizeBundle(bundle: Pick<TrustBundle, 'rootCertPem' | 'issuerCertPem'>): {
  rootFingerprint: string | undefined
  issuerNotAfter: Date | undefined
} {
  try {
    const certificates = describeBundle(bundle)
    const roots = certificates.filter((c) => c.role === 'root')
    const root = roots.find((c) => c.inUse) ?? roots[0]
    return {
      rootFingerprint: root?.sha256Fingerprint,
      issuerNotAfter: certificates.find((c) => c.role === 'issuer')?.notAfter,
    }
  } catch {
    return {rootFingerprint: undefined, issuerNotAfter: undefined}
  }
}

/** Pure: a backup's entry, summarized from its bundle; without one (a listing for pruning) nothing is parsed. */
export function backupEntry(
  path: string,
  origin: BackupOrigin,
  bundle?: Pick<TrustBundle, 'rootCertPem' | 'issuerCertPem'>,
): BackupEntry {
  const summary = bundle ? summarizeBundle(bundle) : {rootFingerprint: undefined, issuerNotAfter: undefined}
  return {path, origin, ...summary}
}

/** Pure: "https://a:6443, namespace dapr-system" or the directory: where a backup came from, in words. */
export function describeOrigin(origin: BackupOrigin | BackupScope): string {
  return origin.kind === 'kubernetes'
    ? `${origin.server ?? '?'}, namespace ${origin.namespace ?? '?'}`
    : (origin.certsDir ?? '?')
}
