// Questions to a person at a terminal. Loaded lazily: most runs never prompt.
import {openSync} from 'node:fs'
import {ReadStream, WriteStream} from 'node:tty'

import {UserError} from '../errors.js'
import {canPrompt} from './terminal.js'

export type PassphrasePrompt = (source: string, attempt: {attempt: number; of: number}) => Promise<string>

/** The controlling terminal, apart from stdout: a prompt still reaches the person when stdout is a pipe. */
function openTerminal(): {input: ReadStream; output: WriteStream; close: () => void} | undefined {
  try {
    const input = new ReadStream(openSync('/dev/tty', 'r'))
    const output = new WriteStream(openSync('/dev/tty', 'w'))
    return {
      input,
      output,
      close: () => {
        input.destroy()
        output.destroy()
      },
    }
  } catch {
    return undefined
  }
}

/**
 * A hidden passphrase prompt on the controlling terminal (/dev/tty) whenever stdin is a terminal, even with stdout
 * piped (`... --dry-run | less`); undefined when nobody can answer (no terminal, CI). The prompt line is cleared
 * once answered, so nothing looks like success before the key is known to decrypt.
 */
export function passphrasePrompt(): PassphrasePrompt | undefined {
  if (!process.stdin.isTTY || process.env.CI) return undefined
  return async (source, {attempt, of}) => {
    const terminal = openTerminal()
    if (!terminal) {
      throw new UserError(`cannot open the terminal to ask for the passphrase of ${source}`, {
        hint: 'Set DAPR_MTLS_KEY_PASSPHRASE to its passphrase; nothing was changed.',
      })
    }
    try {
      const {default: inquirer} = await import('inquirer')
      const prompt = inquirer.createPromptModule({
        input: terminal.input,
        output: terminal.output,
        clearPromptOnDone: true,
      })
      const retry = attempt > 1 ? `Wrong passphrase, try ${attempt} of ${of}. ` : ''
      const answer = await prompt<{passphrase: string}>([
        {type: 'password', name: 'passphrase', message: `${retry}Passphrase for ${source}:`, mask: '*'},
      ])
      return answer.passphrase
    } finally {
      terminal.close()
    }
  }
}

/** Asks yes/no at a terminal; undefined when nobody can answer, so the caller decides what that means. */
export async function confirm(message: string, machineOutput: boolean): Promise<boolean | undefined> {
  if (machineOutput || !canPrompt()) return undefined
  const {default: inquirer} = await import('inquirer')
  const answer = await inquirer.prompt<{ok: boolean}>([{type: 'confirm', name: 'ok', message, default: false}])
  return answer.ok
}
