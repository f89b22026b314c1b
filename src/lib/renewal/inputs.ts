// Reading the files a user names on the command line (root key, certificates they bring), and private keys that may
// be encrypted: the passphrase comes from DAPR_MTLS_KEY_PASSPHRASE or a hidden prompt on a terminal.
import type {KeyObject} from 'node:crypto'

import {EncryptedKeyError, parsePrivateKey, WrongPassphraseError} from '../certs/index.js'
import {UserError} from '../errors.js'
import {readLocalFile} from '../local-files.js'
import type {PassphrasePrompt} from '../output/prompt.js'

export const passphraseEnv = 'DAPR_MTLS_KEY_PASSPHRASE'

/** A person mistypes; three tries, as sudo and ssh give. */
const passphraseTries = 3

// A root key exists on disk only when init or an earlier renewal was asked to save it.
const missingRootKeyHint =
  'A root key is saved only when asked: `dapr init --enable-mtls --root-key-out <file>` (with -k: --generate-certs ' +
  '--root-key-out <file>). Without one, renew without --private-key for a new root; nothing was changed.'

export async function readInputFile(file: string, flag: string): Promise<string> {
  return readLocalFile(file, {
    label: flag,
    hint: `Check the path given to ${flag}; nothing was changed.`,
    missingHint: flag === '--private-key' ? missingRootKeyHint : undefined,
  })
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
  if (fromEnv !== undefined && fromEnv !== '') {
    try {
      return parsePrivateKey(pem, source, fromEnv)
    } catch (error) {
      if (!(error instanceof WrongPassphraseError)) throw error
      throw new UserError(`cannot decrypt ${source} with the passphrase in ${passphraseEnv}`, {
        hint: `Correct ${passphraseEnv}, or unset it to be asked at the terminal; nothing was changed.`,
      })
    }
  }
  if (!options.prompt) {
    throw new UserError(`${source} is encrypted and no passphrase was given`, {
      hint: `Set ${passphraseEnv} to its passphrase, or run the command with a terminal as its input to be asked.`,
    })
  }
  for (let attempt = 1; ; attempt++) {
    const passphrase = await options.prompt(source, {attempt, of: passphraseTries})
    try {
      return parsePrivateKey(pem, source, passphrase)
    } catch (error) {
      if (!(error instanceof WrongPassphraseError) || attempt >= passphraseTries) {
        throw error instanceof WrongPassphraseError
          ? new UserError(`cannot decrypt ${source}: wrong passphrase, ${passphraseTries} times`, {hint: error.hint})
          : error
      }
    }
  }
}
