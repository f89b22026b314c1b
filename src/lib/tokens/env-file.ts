// Self-hosted tokens: daprd reads DAPR_API_TOKEN / APP_API_TOKEN from its environment. A new token is printed as a
// shell line for eval, or written to an env file (KEY=value, which sh, systemd and docker --env-file all read) with
// mode 0600 and never over an existing file unless asked.
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {UserError} from '../errors.js'
import {writeFileAtomic} from '../local-files.js'
import {type EnvLine, renderEnv, type Shell} from '../selfhosted/env.js'
import type {TokenKindInfo} from './kinds.js'

export function tokenEnvLines(info: TokenKindInfo, token: string): EnvLine[] {
  return [{name: info.envName, value: token}]
}

export function renderTokenExport(info: TokenKindInfo, token: string, shell: Shell): string {
  return renderEnv(tokenEnvLines(info, token), shell)
}

/** Writes `NAME=token` to the file, mode 0600, atomically; an existing file only with `replace`. */
export async function writeTokenEnvFile(
  file: string,
  info: TokenKindInfo,
  token: string,
  options: {replace: boolean},
): Promise<void> {
  const exists = await fs.stat(file).then(
    (stat) => stat,
    () => undefined,
  )
  if (exists?.isDirectory()) throw new UserError(`--out ${file} is a directory`, {hint: 'Give a file path.'})
  if (exists && !options.replace) {
    throw new UserError(`${file} already exists; nothing was written`, {
      hint: 'Add --force to replace it, or choose another --out.',
    })
  }
  try {
    await fs.mkdir(path.dirname(path.resolve(file)), {recursive: true, mode: 0o700})
    await writeFileAtomic(file, `${info.envName}=${token}\n`, 0o600)
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'Choose a path in a directory you can write.',
    })
  }
}
