// Questions to a person at a terminal. Loaded lazily: most runs never prompt.
import {canPrompt} from './terminal.js'

export type PassphrasePrompt = (source: string) => Promise<string>

/** A hidden passphrase prompt, or undefined when nobody can answer (no terminal, CI, or machine output). */
export function passphrasePrompt(machineOutput: boolean): PassphrasePrompt | undefined {
  if (machineOutput || !canPrompt()) return undefined
  return async (source) => {
    const {default: inquirer} = await import('inquirer')
    const answer = await inquirer.prompt<{passphrase: string}>([
      {type: 'password', name: 'passphrase', message: `Passphrase for ${source}:`, mask: '*'},
    ])
    return answer.passphrase
  }
}

/** Asks yes/no at a terminal; undefined when nobody can answer, so the caller decides what that means. */
export async function confirm(message: string, machineOutput: boolean): Promise<boolean | undefined> {
  if (machineOutput || !canPrompt()) return undefined
  const {default: inquirer} = await import('inquirer')
  const answer = await inquirer.prompt<{ok: boolean}>([{type: 'confirm', name: 'ok', message, default: false}])
  return answer.ok
}
