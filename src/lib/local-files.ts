// The user's files on this machine: reads bounded by size, directories made one level at a time, atomic writes, and
// the check that a place can be written before anything is. Failures become UserErrors in words (errors.ts).
import {randomBytes} from 'node:crypto'
import {constants, promises as fs, type Stats} from 'node:fs'
import path from 'node:path'

import {describeCause, UserError} from './errors.js'

/** Certificate, key and Configuration files are small: a system CA bundle is about 200 KiB. */
export const maxInputBytes = 1024 * 1024

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file)
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined
    throw error
  }
}

function sizeText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`
}

export interface ReadOptions {
  /** Names the file in the message, such as "--private-key"; the path alone when absent. */
  label?: string
  hint: string
  /** The hint when the file does not exist, where a better one than `hint` is known. */
  missingHint?: string
}

/**
 * Reads a text file of at most maxInputBytes. A regular file is refused by its size before a byte is read; a pipe or
 * device (`<(vault read ...)`) is read up to the limit and refused beyond it.
 */
export async function readLocalFile(file: string, options: ReadOptions): Promise<string> {
  const named = options.label ? `${file} (${options.label})` : file
  const fail = (why: string, hint = options.hint): never => {
    throw new UserError(`cannot read ${named}: ${why}`, {hint})
  }
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    return fail(describeCause(error), code(error) === 'ENOENT' ? (options.missingHint ?? options.hint) : options.hint)
  }
  try {
    const stat = await handle.stat()
    if (stat.isDirectory()) return fail('it is a directory')
    if (stat.isFile() && stat.size > maxInputBytes) {
      return fail(`it is ${sizeText(stat.size)}, and certificate, key and configuration files are at most 1 MiB`)
    }
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const {bytesRead, buffer} = await handle.read({buffer: Buffer.alloc(64 * 1024)})
      if (bytesRead === 0) break
      total += bytesRead
      if (total > maxInputBytes) return fail('it holds more than 1 MiB, more than any certificate or key file')
      chunks.push(buffer.subarray(0, bytesRead))
    }
    return Buffer.concat(chunks).toString('utf8')
  } catch (error) {
    if (error instanceof UserError) throw error
    return fail(describeCause(error))
  } finally {
    await handle.close()
  }
}

/**
 * Creates `dir` and its missing parents, one level at a time. Node's own recursive mkdir never returns under /proc
 * (the kernel answers ENOENT for a parent that exists, and Node retries forever); here that is a clear error.
 */
export async function makeDirectory(dir: string, mode: number): Promise<void> {
  const missing: string[] = []
  let current = path.resolve(dir)
  for (;;) {
    const stat = await statOrUndefined(current).catch((error: unknown) => {
      throw new UserError(`cannot create ${dir}: ${describeCause(error)}`, {hint: unwritableHint})
    })
    if (stat) {
      if (!stat.isDirectory()) throw new UserError(`cannot create ${dir}: ${current} is not a directory`)
      break
    }
    missing.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const level of missing) {
    try {
      await fs.mkdir(level, {mode})
    } catch (error) {
      if (code(error) === 'EEXIST') continue
      const why =
        code(error) === 'ENOENT'
          ? `${path.dirname(level)} does not accept new directories`
          : `${describeCause(error)} in ${path.dirname(level)}`
      throw new UserError(`cannot create ${level}: ${why}`, {hint: unwritableHint})
    }
  }
}

const unwritableHint = 'Choose a directory you can write to; nothing was written.'

/**
 * Fails when `target` (a file, or a directory with kind 'directory') could not be written later, and changes nothing:
 * a write that would fail halfway through a command is found before its first write. Missing directories are
 * tried with a temporary directory in the nearest existing one, removed at once.
 */
export async function assertWritable(target: string, kind: 'file' | 'directory', label: string): Promise<void> {
  const fail = (why: string): never => {
    throw new UserError(`cannot write ${target} (${label}): ${why}`, {hint: unwritableHint})
  }
  const absolute = path.resolve(target)
  try {
    const stat = await statOrUndefined(absolute)
    if (stat && kind === 'file' && stat.isDirectory()) fail('it is a directory')
    if (stat && kind === 'directory' && !stat.isDirectory()) fail('it is a file, not a directory')
    let existing = kind === 'directory' ? absolute : path.dirname(absolute)
    let missingDirectories = 0
    let existingStat = existing === absolute ? stat : await statOrUndefined(existing)
    while (!existingStat) {
      existing = path.dirname(existing)
      missingDirectories++
      existingStat = await statOrUndefined(existing)
    }
    if (!existingStat.isDirectory()) fail(`${existing} is a file, not a directory`)
    await fs.access(existing, constants.W_OK | constants.X_OK)
    if (stat && kind === 'file') await fs.access(absolute, constants.W_OK)
    // The superuser passes every access check, so whether something can be created is found by creating it.
    const refused = (error: unknown): never =>
      fail(code(error) === 'ENOENT' ? `nothing can be created in ${existing}` : describeCause(error))
    if (missingDirectories > 0) {
      await fs.rmdir(await fs.mkdtemp(path.join(existing, '.dapr-mtls-')).catch(refused))
    } else if (kind === 'file' && !stat) {
      const probe = path.join(existing, `.dapr-mtls-${randomBytes(6).toString('hex')}`)
      await (await fs.open(probe, 'wx', 0o600).catch(refused)).close()
      await fs.rm(probe, {force: true})
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    fail(describeCause(error))
  }
}

/** A new file beside `file` (same directory, so renaming it over `file` is atomic) with exactly `mode`. */
export async function writeTempFile(file: string, content: string | Uint8Array, mode: number): Promise<string> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  // 'wx' creates a new file or fails: it never follows a symlink planted at the temporary name.
  const handle = await fs.open(temp, 'wx', mode)
  try {
    // The umask may have narrowed the mode at creation; set it before any content is written.
    await handle.chmod(mode)
    await handle.writeFile(content)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await fs.rm(temp, {force: true})
    throw error
  }
  await handle.close()
  return temp
}

/**
 * Replaces `file` through a temporary file renamed into place: readers see the old content or the new, a key is
 * never readable with a wider mode even for a moment, and a symlink at `file` is replaced, not written through.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array, mode: number): Promise<void> {
  const temp = await writeTempFile(file, content, mode)
  try {
    await fs.rename(temp, file)
  } catch (error) {
    await fs.rm(temp, {force: true})
    throw error
  }
}
