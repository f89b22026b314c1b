// The self-hosted certificates directory (default ~/.dapr/certs): reading the bundle, and replacing it atomically
// with the old files kept in a timestamped backup folder. The only module that writes this directory.
import {randomBytes} from 'node:crypto'
import {constants, promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import type {TrustBundle} from '../certs/index.js'
import {UserError} from '../errors.js'

export const bundleFiles = {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'} as const

export function defaultCertsDir(): string {
  return path.join(homedir(), '.dapr', 'certs')
}

export interface CertsDirBundle {
  dir: string
  bundle: TrustBundle
  files: {rootCert: string; issuerCert: string; issuerKey: string}
}

function filesIn(dir: string): CertsDirBundle['files'] {
  return {
    rootCert: path.join(dir, bundleFiles.rootCert),
    issuerCert: path.join(dir, bundleFiles.issuerCert),
    issuerKey: path.join(dir, bundleFiles.issuerKey),
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
  const files = Object.values(filesIn(dir))
  const present = await Promise.all(files.map((file) => exists(file)))
  return files.filter((_, i) => present[i])
}

/** Reads the bundle; a missing directory or file is a UserError that says how to create one. */
export async function readCertsDir(dir: string, options: {needsKey?: boolean} = {}): Promise<CertsDirBundle> {
  const files = filesIn(dir)
  if (!(await exists(dir))) {
    throw new UserError(`no certificates directory at ${dir}`, {
      hint: 'Create one with `dapr init --enable-mtls`, or pass --certs-dir. To check a Kubernetes cluster, add -k.',
    })
  }
  const read = async (file: string, required: boolean): Promise<string> => {
    try {
      return await fs.readFile(file, 'utf8')
    } catch (error) {
      if (!required) return ''
      throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        hint: 'Create the certificates with `dapr init --enable-mtls` or restore them from a backup.',
      })
    }
  }
  const [rootCertPem, issuerCertPem, issuerKeyPem] = await Promise.all([
    read(files.rootCert, true),
    read(files.issuerCert, true),
    read(files.issuerKey, options.needsKey ?? false),
  ])
  return {dir, files, bundle: {rootCertPem, issuerCertPem, issuerKeyPem}}
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-')
}

async function writeFileAtomic(file: string, content: string, mode: number): Promise<string> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await fs.open(temp, 'wx', mode)
  try {
    await handle.writeFile(content)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return temp
}

export interface WriteResult {
  dir: string
  files: CertsDirBundle['files']
  /** Where the replaced files were copied, when there were any. */
  backupDir: string | undefined
}

/**
 * Replaces the bundle. All three files are written to temporary files first and then renamed into place, so a
 * failure part-way leaves the old files; replaced files are copied to backups/<timestamp>/ before the renames.
 */
export async function writeCertsDir(dir: string, bundle: TrustBundle, now = new Date()): Promise<WriteResult> {
  const files = filesIn(dir)
  await fs.mkdir(dir, {recursive: true, mode: 0o755})
  const present = await presentBundleFiles(dir)
  let backupDir: string | undefined
  if (present.length > 0) {
    backupDir = path.join(dir, 'backups', timestamp(now))
    await fs.mkdir(backupDir, {recursive: true, mode: 0o700})
    for (const file of present) {
      const target = path.join(backupDir, path.basename(file))
      await fs.copyFile(file, target)
      await fs.chmod(target, 0o600)
    }
  }
  const plan: [string, string, number][] = [
    [files.rootCert, bundle.rootCertPem, 0o644],
    [files.issuerCert, bundle.issuerCertPem, 0o644],
    [files.issuerKey, bundle.issuerKeyPem, 0o600],
  ]
  const temps: string[] = []
  try {
    for (const [file, content, mode] of plan) temps.push(await writeFileAtomic(file, content, mode))
  } catch (error) {
    await Promise.all(temps.map((temp) => fs.rm(temp, {force: true})))
    throw new UserError(`cannot write to ${dir}: ${(error as Error).message}`, {
      hint: 'Check that the directory is writable; nothing was changed.',
    })
  }
  for (const [i, [file, , mode]] of plan.entries()) {
    const temp = temps[i]
    if (temp === undefined) continue
    await fs.rename(temp, file)
    // rename keeps the temp file's mode, but an umask may have narrowed it at creation.
    await fs.chmod(file, mode)
  }
  return {dir, files, backupDir}
}
