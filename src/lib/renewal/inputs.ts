// Reading the files a user names on the command line (root key, certificates they bring), and private keys that may
// be encrypted: the passphrase comes from DAPR_MTLS_KEY_PASSPHRASE or a hidden prompt on a terminal.
import type {KeyObject} from 'node:crypto'
import {promises as fs} from 'node:fs'

import {EncryptedKeyError, parsePrivateKey} from '../certs/index.js'
import {UserError} from '../errors.js'
import type {PassphrasePrompt} from '../output/prompt.js'

export const passphraseEnv = 'DAPR_MTLS_KEY_PASSPHRASE'

export async function readInputFile(file: string, flag: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code
    throw new UserError(`cannot read ${file} (${flag}): ${reason ?? String(error)}`, {
      hint: `Check the path given to ${flag}; nothing was changed.`,
    })
  }
}

export interface KeyLoadOptions {
  /** Asks a person for the passphrase; absent when nobody can answer (no terminal, CI, --json). */
  prompt?: PassphrasePrompt
}

export async function loadPrivateKey(pem: string, source: string, options: KeyLoadOptions = {}): Promise<KeyObject> {
  try {
    return parsePrivateKey(pem, source)
  } catch (error) {
    if (!(error instanceof EncryptedKeyError)) throw error
  }
  const fromEnv = process.env[passphraseEnv]
  if (fromEnv !== undefined && fromEnv !== '') return parsePrivateKey(pem, source, fromEnv)
  if (!options.prompt) {
    throw new UserError(`${source} is encrypted and no passphrase was given`, {
      hint: `Run in a terminal to be asked for it, or set ${passphraseEnv}.`,
    })
  }
  return parsePrivateKey(pem, source, await options.prompt(source))
}
