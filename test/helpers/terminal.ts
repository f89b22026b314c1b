// A real terminal for tests of what a person sees: tmux runs the command in a pseudo-terminal of a fixed size, keys
// are typed with send-keys, and the screen is read with capture-pane (with colours, as escape codes, when asked).
import {randomBytes} from 'node:crypto'
import {rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {execa} from 'execa'

export class Terminal {
  readonly name = `dapr-test-${randomBytes(4).toString('hex')}`
  private readonly script = path.join(tmpdir(), `${this.name}.sh`)

  private constructor() {}

  /** Starts `command` (a shell line run by bash) in a new 80x24 terminal with the given environment. */
  static async start(command: string, options: {env?: Record<string, string>; cwd?: string} = {}): Promise<Terminal> {
    const terminal = new Terminal()
    // A script file, so no outer shell expands $? or quotes; the shell stays after the command, so its last screen and
    // exit code can still be read.
    // A person at a terminal, not the CI job that runs the tests: variables that turn prompts and colours off are
    // cleared first, then the given environment is set.
    const exports = Object.entries({TERM: 'xterm-256color', ...options.env})
      .map(([k, v]) => `export ${k}='${v.replaceAll("'", "'\\''")}'\n`)
      .join('')
    const cleared = 'unset CI FORCE_COLOR NO_COLOR DAPR_MTLS_KEY_PASSPHRASE\n'
    writeFileSync(terminal.script, `${cleared}${exports}${command}\necho "[exit $?]"\nsleep 60\n`)
    await execa('tmux', [
      'new-session',
      '-d',
      '-x',
      '80',
      '-y',
      '24',
      '-s',
      terminal.name,
      ...(options.cwd ? ['-c', options.cwd] : []),
      `bash --norc --noprofile ${terminal.script}`,
    ])
    return terminal
  }

  /** The screen as text; with `colours`, SGR escape codes included. */
  async screen(options: {colours?: boolean} = {}): Promise<string> {
    const args = ['capture-pane', '-p', '-J', '-t', this.name, ...(options.colours ? ['-e'] : [])]
    return (await execa('tmux', args)).stdout
  }

  /** Waits until the screen matches `pattern`; fails with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = await this.screen()
      if (pattern.test(text)) return text
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${text}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Types text and presses Enter. */
  async type(text: string): Promise<void> {
    await execa('tmux', ['send-keys', '-t', this.name, '-l', text])
    await execa('tmux', ['send-keys', '-t', this.name, 'Enter'])
  }

  async close(): Promise<void> {
    await execa('tmux', ['kill-session', '-t', this.name], {reject: false})
    rmSync(this.script, {force: true})
  }
}
