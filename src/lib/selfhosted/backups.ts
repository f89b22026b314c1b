// Backups of a certificates directory, kept outside it: Sentry reloads whenever anything changes in the directory it
// watches, so nothing of ours may live there (DESIGN.md section 11). Each backup is a folder
// <backup dir>/self-hosted/<certs dir name>-<hash>/<time>/ holding the replaced files (0600) and backup.json (its
// origin), in 0700 folders. Backups that earlier versions kept in <certs-dir>/backups are moved out at the next write.
import {createHash} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {
  type BackupEntry,
  type BackupOrigin,
  type BackupStore,
  backupEntry,
  backupsToPrune,
  newestFirst,
  originFromJson,
  originToJson,
} from '../backups/record.js'
import {bundleFileNames, type TrustBundle} from '../certs/index.js'
import {describeCause, UserError} from '../errors.js'
import {makeDirectory} from '../local-files.js'
import {fileTimestamp} from '../output/time-layouts.js'

const originFile = 'backup.json'
/** Where versions before this one kept backups: inside the watched directory. */
export const legacyBackupsFolder = 'backups'

/** Pure: the folder holding the backups of one certificates directory. */
export function certsDirBackupsDir(backupDir: string, certsDir: string): string {
  const absolute = path.resolve(certsDir)
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8)
  return path.join(path.resolve(backupDir), 'self-hosted', `${path.basename(absolute) || 'root'}-${hash}`)
}

/** Pure: whether `inner` is `outer` or lies below it. */
function isWithin(inner: string, outer: string): boolean {
  const relative = path.relative(path.resolve(outer), path.resolve(inner))
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/** Refuses a backup directory inside the certificates directory, where every backup would make Sentry reload. */
export function assertBackupsOutside(backupDir: string, certsDir: string): void {
  if (!isWithin(certsDirBackupsDir(backupDir, certsDir), certsDir)) return
  throw new UserError(`the backup directory ${backupDir} is inside the certificates directory ${certsDir}`, {
    hint: 'Sentry reloads on every change in the directory it watches; choose another --backup-dir. Nothing was changed.',
  })
}

/** Pure: the time in a folder name made by fileTimestamp (2022-04-04T15-01-03-000Z), if it is one. */
export function timeOfFolderName(name: string): Date | undefined {
  const iso = name.replace(/^(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d)-(\d{3})Z.*$/, '$1:$2:$3.$4Z')
  const time = new Date(iso)
  return iso === name || Number.isNaN(time.getTime()) ? undefined : time
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  )
}

/** A new, empty backup folder with its origin recorded; the caller copies the files in. */
export async function createBackupFolder(backupDir: string, certsDir: string, origin: BackupOrigin): Promise<string> {
  const parent = certsDirBackupsDir(backupDir, certsDir)
  const folder = path.join(parent, fileTimestamp(origin.time))
  await makeDirectory(parent, 0o700)
  await fs.mkdir(folder, {mode: 0o700})
  await fs.writeFile(path.join(folder, originFile), originToJson(origin) + '\n', {mode: 0o600, flag: 'wx'})
  return folder
}

/** The certificates a backup folder holds, as far as its entry summarizes them ('' for a file that is missing). */
async function backedUpCertificates(folder: string): Promise<{rootCertPem: string; issuerCertPem: string}> {
  const read = (file: string) => fs.readFile(path.join(folder, file), 'utf8').catch(() => '')
  const [rootCertPem, issuerCertPem] = await Promise.all([
    read(bundleFileNames.rootCert),
    read(bundleFileNames.issuerCert),
  ])
  return {rootCertPem, issuerCertPem}
}

/**
 * The backups of one certificates directory, newest first. `summaries: false` leaves out what reading their
 * certificates would add (root fingerprint, issuer expiry): pruning needs only the times, and parsing every kept
 * backup's certificates on every write made a renewal grow with the number of backups.
 */
export async function listCertsDirBackups(
  backupDir: string,
  certsDir: string,
  {summaries = true}: {summaries?: boolean} = {},
): Promise<BackupEntry[]> {
  const parent = certsDirBackupsDir(backupDir, certsDir)
  const resolved = path.resolve(certsDir)
  let names: string[]
  try {
    names = await fs.readdir(parent)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new UserError(`cannot read the backup folder ${parent}: ${describeCause(error)}`)
  }
  const entries: BackupEntry[] = []
  for (const name of names) {
    const folder = path.join(parent, name)
    const origin = originFromJson(await fs.readFile(path.join(folder, originFile), 'utf8').catch(() => ''))
    if (origin?.kind !== 'self-hosted' || origin.certsDir !== resolved) continue
    entries.push(backupEntry(folder, origin, summaries ? await backedUpCertificates(folder) : undefined))
  }
  return newestFirst(entries)
}

/** Removes the backups of the directory beyond the newest `keep`; returns the folders removed. */
export async function pruneCertsDirBackups(backupDir: string, certsDir: string, keep: number): Promise<string[]> {
  const pruned = backupsToPrune(await listCertsDirBackups(backupDir, certsDir, {summaries: false}), keep)
  // A backup that cannot be removed stays; pruning never fails a write.
  await Promise.all(pruned.map((e) => fs.rm(e.path, {recursive: true, force: true}).catch(() => undefined)))
  return pruned.map((e) => e.path)
}

/** Moves a folder, also across file systems, and narrows it to the owner (it may hold a private key). */
async function moveTree(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    await fs.cp(from, to, {recursive: true, errorOnExist: true})
    await fs.rm(from, {recursive: true, force: true})
  }
  const narrow = async (target: string): Promise<void> => {
    const stat = await fs.stat(target)
    await fs.chmod(target, stat.isDirectory() ? 0o700 : 0o600)
    if (stat.isDirectory()) for (const name of await fs.readdir(target)) await narrow(path.join(target, name))
  }
  await narrow(to)
}

/**
 * Moves <certs-dir>/backups (written by earlier versions) to the backup directory, each folder recorded as a backup
 * of this directory. Returns what was moved, or undefined when there was nothing.
 */
export async function moveLegacyBackups(
  certsDir: string,
  backupDir: string,
): Promise<{from: string; to: string; count: number} | undefined> {
  const from = path.join(certsDir, legacyBackupsFolder)
  if (!(await exists(from))) return undefined
  const to = certsDirBackupsDir(backupDir, certsDir)
  try {
    await makeDirectory(to, 0o700)
    let count = 0
    for (const name of await fs.readdir(from)) {
      const source = path.join(from, name)
      let target = path.join(to, name)
      while (await exists(target)) target += '-moved'
      const time = timeOfFolderName(name) ?? (await fs.stat(source)).mtime
      await moveTree(source, target)
      if ((await fs.stat(target)).isDirectory()) {
        const origin: BackupOrigin = {
          kind: 'self-hosted',
          writtenBy: 'unknown (moved)',
          time,
          certsDir: path.resolve(certsDir),
        }
        await fs.writeFile(path.join(target, originFile), originToJson(origin) + '\n', {mode: 0o600})
        count++
      }
    }
    await fs.rmdir(from)
    return {from, to, count}
  } catch (error) {
    throw new UserError(`cannot move the old backups out of ${from}: ${describeCause(error)}`, {
      hint: `Move ${from} out of the certificates directory by hand (Sentry reloads on every change there); the certificates were not changed.`,
    })
  }
}

/** The backups of a certificates directory, for listing and rollback. */
export function certsDirBackupStore(backupDir: string, certsDir: string): BackupStore {
  return {
    description: `${path.resolve(certsDir)} in ${certsDirBackupsDir(backupDir, certsDir)}`,
    scope: {kind: 'self-hosted', certsDir: path.resolve(certsDir)},
    list: () => listCertsDirBackups(backupDir, certsDir),
    async read(folder) {
      const read = (file: string) =>
        fs.readFile(path.join(folder, file), 'utf8').catch((error: unknown) => {
          throw new UserError(`cannot read ${path.join(folder, file)}: ${describeCause(error)}`, {
            hint: 'Give a backup folder of this directory: dapr mtls backups lists them.',
          })
        })
      const [rootCertPem, issuerCertPem, issuerKeyPem] = await Promise.all([
        read(bundleFileNames.rootCert),
        read(bundleFileNames.issuerCert),
        read(bundleFileNames.issuerKey),
      ])
      const origin = originFromJson(await fs.readFile(path.join(folder, originFile), 'utf8').catch(() => ''))
      const bundle: TrustBundle = {rootCertPem, issuerCertPem, issuerKeyPem}
      return {bundle, origin}
    },
  }
}
