// Writing a private key the user asked for (for example --root-key-out): mode 0600, never over an existing file, its
// directory created (0700) when missing, as for `--root-key-out ~/.dapr/root.key` on a fresh machine.
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {describeCause, UserError} from '../errors.js'
import {assertWritable, makeDirectory} from '../local-files.js'

const existsError = (file: string) =>
  new UserError(`${file} already exists`, {hint: 'Choose another path; an existing key is never replaced.'})

export async function writeKeyFile(file: string, pem: string): Promise<void> {
  await makeDirectory(path.dirname(path.resolve(file)), 0o700)
  try {
    await fs.writeFile(file, pem, {mode: 0o600, flag: 'wx'})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(file)
    throw new UserError(`cannot write ${file}: ${describeCause(error)}`)
  }
}

/** Fails early, before anything else changes, when a key file could not be written later. */
export async function assertKeyFileWritable(file: string): Promise<void> {
  try {
    await fs.lstat(file)
  } catch {
    await assertWritable(file, 'file', '--root-key-out')
    return
  }
  throw existsError(file)
}
