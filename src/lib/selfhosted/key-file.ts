// Writing a private key the user asked for (for example --root-key-out): mode 0600, never over an existing file.
import {promises as fs} from 'node:fs'

import {UserError} from '../errors.js'

export async function writeKeyFile(file: string, pem: string): Promise<void> {
  try {
    await fs.writeFile(file, pem, {mode: 0o600, flag: 'wx'})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(`${file} already exists`, {hint: 'Choose another path; an existing key is never replaced.'})
    }
    throw new UserError(`cannot write ${file}: ${(error as Error).message}`)
  }
}

/** Fails early, before anything else changes, when a key file could not be written later. */
export async function assertKeyFileWritable(file: string): Promise<void> {
  try {
    await fs.access(file)
  } catch {
    return
  }
  throw new UserError(`${file} already exists`, {hint: 'Choose another path; an existing key is never replaced.'})
}
