// The self-hosted certificates directory (default ~/.dapr/certs): reading the bundle, and replacing it atomically
// with the old files kept in a timestamped backup folder outside it (backups.ts). With backups.ts, the only module
// that writes this directory.
import {constants, promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {type BackupPolicy, defaultBackupDir, defaultKeep} from '../backups/record.js'
import {bundleFileNames, type TrustBundle} from '../certs/index.js'
import {describeCause, UserError} from '../errors.js'
import {holdInterrupts, type InterruptGuard} from '../interrupts.js'
import {makeDirectory, readLocalFile, writeFileAtomic, writeTempFile} from '../local-files.js'
import {ExitCode} from '../output/exit-codes.js'
import {assertBackupsOutside, createBackupFolder, moveLegacyBackups, pruneCertsDirBackups} from './backups.js'

export function defaultCertsDir(): string {
  return path.join(homedir(), '.dapr', 'certs')
}

export interface CertsDirBundle {
  dir: string
  bundle: TrustBundle
  files: {rootCert: string; issuerCert: string; issuerKey: string}
}

/** The paths of the three bundle files in a certificates directory. */
export function bundlePaths(dir: string): CertsDirBundle['files'] {
  return {
    rootCert: path.join(dir, bundleFileNames.rootCert),
    issuerCert: path.join(dir, bundleFileNames.issuerCert),
    issuerKey: path.join(dir, bundleFileNames.issuerKey),
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.F_OK)
    return true
  } catch {
    return false
  }
}

/** Which of the three bundle files are present. */
export async function presentBundleFiles(dir: string): Promise<string[]> {
  const files = Object.values(bundlePaths(dir))
  const present = await Promise.all(files.map((file) => exists(file)))
  return files.filter((_, i) => present[i])
}

/** Reads the bundle; a missing directory or file is a UserError that says how to create one. */
export async function readCertsDir(dir: string, options: {needsKey?: boolean} = {}): Promise<CertsDirBundle> {
  const files = bundlePaths(dir)
  if (!(await exists(dir))) {
    throw new UserError(`no certificates directory at ${dir}`, {
      hint: 'Create one with `dapr init --enable-mtls`, or pass --certs-dir. To check a Kubernetes cluster, add -k.',
    })
  }
  const read = async (file: string, required: boolean): Promise<string> => {
    if (!required && !(await exists(file))) return ''
    return readLocalFile(file, {
      hint: 'Create the certificates with `dapr init --enable-mtls` or restore them from a backup.',
    })
  }
  const [rootCertPem, issuerCertPem, issuerKeyPem] = await Promise.all([
    read(files.rootCert, true),
    read(files.issuerCert, true),
    read(files.issuerKey, options.needsKey ?? false),
  ])
  return {dir, files, bundle: {rootCertPem, issuerCertPem, issuerKeyPem}}
}

export interface WriteResult {
  dir: string
  files: CertsDirBundle['files']
  /** Where the replaced files were copied, when there were any. */
  backupDir: string | undefined
}

/** Copies the files to the backup folder (0600: it holds a private key); returns each file's mode, to restore it. */
async function backUp(files: string[], backupDir: string): Promise<Map<string, number>> {
  const modes = new Map<string, number>()
  for (const file of files) {
    const target = path.join(backupDir, path.basename(file))
    modes.set(file, (await fs.stat(file)).mode & 0o777)
    await fs.copyFile(file, target)
    await fs.chmod(target, 0o600)
  }
  return modes
}

/** Undoes the renames done so far: a replaced file gets its backed-up content and mode back, a new file goes. */
async function putBack(renamed: string[], backupDir: string | undefined, modes: Map<string, number>): Promise<void> {
  for (const file of renamed) {
    const mode = modes.get(file)
    if (backupDir !== undefined && mode !== undefined) {
      await writeFileAtomic(file, await fs.readFile(path.join(backupDir, path.basename(file))), mode)
    } else {
      await fs.rm(file, {force: true})
    }
  }
}

export interface WriteOptions {
  now?: Date
  /**
   * A hold the caller already has on Ctrl-C (init, which writes more than the bundle): then an interrupt after the
   * renames is left to the caller. Without one, the write holds Ctrl-C itself and reports it afterwards.
   */
  guard?: InterruptGuard
  /** Where the replaced files go and how many backups to keep; default ~/.dapr/backups, 10, written by "renew". */
  backup?: BackupPolicy
}

/** Ctrl-C before the first rename: nothing was changed. */
function interruptedBeforeWrite(dir: string): UserError {
  return new UserError(`interrupted; the certificates in ${dir} were not changed`, {exitCode: ExitCode.interrupted})
}

/**
 * Replaces the bundle, all three files or none. The replaced files are copied to a backup folder and all three
 * new files are written to temporary files before the first rename, so most failures leave the old files untouched;
 * if a rename fails, the files already renamed are put back from that backup (or removed when there were none).
 * Ctrl-C is held throughout: before the renames it stops the write with nothing changed (temporary files and the
 * new backup folder removed); once they start, they finish.
 */
export async function writeCertsDir(
  dir: string,
  bundle: TrustBundle,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const guard =
    options.guard ??
    holdInterrupts({
      held: 'Finishing the certificate write first, so ca.crt, issuer.crt and issuer.key stay one bundle.',
    })
  try {
    const policy = options.backup ?? {dir: defaultBackupDir(), writtenBy: 'renew', keep: defaultKeep}
    const result = await writeBundleFiles(dir, bundle, options.now ?? new Date(), guard, policy)
    if (!options.guard && guard.release()) {
      throw new UserError(`interrupted after the new certificates were written in full to ${dir}`, {
        hint: 'Check them with `dapr mtls expiry`; restart Sentry and your daprd processes to use them.',
        exitCode: ExitCode.interrupted,
      })
    }
    return result
  } finally {
    if (!options.guard) guard.release()
  }
}

async function writeBundleFiles(
  dir: string,
  bundle: TrustBundle,
  now: Date,
  guard: InterruptGuard,
  policy: BackupPolicy,
): Promise<WriteResult> {
  const files = bundlePaths(dir)
  const plan: [string, string, number][] = [
    [files.rootCert, bundle.rootCertPem, 0o644],
    [files.issuerCert, bundle.issuerCertPem, 0o644],
    [files.issuerKey, bundle.issuerKeyPem, 0o600],
  ]
  let backupDir: string | undefined
  let modes = new Map<string, number>()
  const staged: [temp: string, file: string][] = []
  const discard = async () => {
    await Promise.all(staged.map(([temp]) => fs.rm(temp, {force: true})))
    if (backupDir !== undefined) await fs.rm(backupDir, {recursive: true, force: true})
  }
  try {
    assertBackupsOutside(policy.dir, dir)
    await makeDirectory(dir, 0o755)
    const moved = await moveLegacyBackups(dir, policy.dir)
    if (moved) policy.events?.moved?.(moved.from, moved.to, moved.count)
    const present = await presentBundleFiles(dir)
    if (present.length > 0) {
      const origin = {kind: 'self-hosted', writtenBy: policy.writtenBy, time: now, certsDir: path.resolve(dir)} as const
      backupDir = await createBackupFolder(policy.dir, dir, origin)
      modes = await backUp(present, backupDir)
    }
    for (const [file, content, mode] of plan) {
      if (guard.interrupted) break
      staged.push([await writeTempFile(file, content, mode), file])
    }
  } catch (error) {
    await discard()
    if (error instanceof UserError) throw error
    throw new UserError(`cannot write to ${dir}: ${describeCause(error)}`, {
      hint: 'Check that the directory is writable; the certificates were not changed.',
    })
  }
  if (guard.interrupted) {
    await discard()
    throw interruptedBeforeWrite(dir)
  }
  const renamed: string[] = []
  for (const [i, [temp, file]] of staged.entries()) {
    try {
      await fs.rename(temp, file)
    } catch (error) {
      await Promise.all(staged.slice(i).map(([rest]) => fs.rm(rest, {force: true})))
      throw await renameFailure(file, error, renamed, backupDir, modes)
    }
    renamed.push(file)
  }
  if (backupDir !== undefined) {
    policy.events?.saved?.(backupDir)
    const pruned = await pruneCertsDirBackups(policy.dir, dir, policy.keep)
    if (pruned.length > 0) policy.events?.pruned?.(pruned, policy.keep)
  }
  return {dir, files, backupDir}
}

async function renameFailure(
  file: string,
  error: unknown,
  renamed: string[],
  backupDir: string | undefined,
  modes: Map<string, number>,
): Promise<UserError> {
  try {
    await putBack(renamed, backupDir, modes)
  } catch (restoreError) {
    return new UserError(
      `cannot replace ${file} (${describeCause(error)}), nor put the previous files back (${describeCause(restoreError)})`,
      {
        hint: backupDir
          ? `The certificates are a mix of old and new: copy the files in ${backupDir} back by hand.`
          : `Remove ${renamed.join(', ')} and try again.`,
      },
    )
  }
  return new UserError(`cannot replace ${file}: ${describeCause(error)}`, {
    hint: backupDir
      ? `The previous certificates were put back (a copy stays in ${backupDir}); check the directory and try again.`
      : 'The new files were removed; check the directory and try again.',
  })
}
