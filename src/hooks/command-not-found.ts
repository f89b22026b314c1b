// An unknown command: one line in the tool's own error style, with the closest command as a suggestion (exit 2).
import type {Hook} from '@oclif/core'

import {ExitCode} from '../lib/output/exit-codes.js'
import {statusLine} from '../lib/output/terminal.js'
import {closest, spokenCommandId} from '../lib/suggest.js'

const hook: Hook<'command_not_found'> = function (options) {
  const typed = spokenCommandId(options.id)
  const commands = [...options.config.commands.flatMap((c) => [c.id, ...c.aliases])].map(spokenCommandId)
  const suggestion = closest(typed, commands)
  process.stderr.write(statusLine('stderr', 'failure', `unknown command "${typed}"`) + '\n')
  const bin = options.config.bin
  process.stderr.write(
    `   ${suggestion ? `Did you mean \`${bin} ${suggestion}\`? ` : ''}See the commands with \`${bin} --help\`.\n`,
  )
  this.exit(ExitCode.usage)
  return Promise.resolve()
}

export default hook
