// The base of every command: shared flags (--json, --no-color), colour set-up, result rendering and the one place
// where errors become a clean line on stderr with the exit code of DESIGN.md section 4, also under --json.
import {Command, Errors, Flags, type Interfaces, ux} from '@oclif/core'

import type {BackupEvents} from './backups/record.js'
import {describeCause, UsageError, UserError} from './errors.js'
import {ExitCode} from './output/exit-codes.js'
import {type OutputFormat, outputInArgv, toJson, toYaml} from './output/format.js'
import {configureColor, isTty, type StatusKind, statusLine} from './output/terminal.js'
import {closest, spokenCommandId} from './suggest.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    'no-color': Flags.boolean({helpGroup: 'GLOBAL', summary: 'Print without colour (NO_COLOR=1 does the same).'}),
  }

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as typeof BaseCommand
    const {flags, args} = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      args: ctor.args,
      enableJsonFlag: ctor.enableJsonFlag,
      strict: ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    configureColor({noColor: this.flags['no-color']})
    const output = (this.flags as {output?: OutputFormat}).output
    if (this.jsonEnabled() && output !== undefined && output !== 'json') {
      throw new UsageError(`--json and -o ${output} ask for different output formats`, 'Give one of them.')
    }
  }

  /** The requested output format; --json is -o json. */
  protected outputFormat(): OutputFormat {
    if (this.jsonEnabled()) return 'json'
    const output = (this.flags as {output?: OutputFormat} | undefined)?.output
    if (output !== undefined) return output
    // Flags are not parsed when parsing is what failed; the error object still goes out in the format asked for.
    const hasOutputFlag = (this.ctor as typeof BaseCommand).flags.output !== undefined
    const raw = hasOutputFlag ? outputInArgv(this.argv) : undefined
    return raw === 'json' || raw === 'yaml' ? raw : 'table'
  }

  /**
   * Prints a result on stdout: JSON or YAML when asked, otherwise the human rendering. Under --json oclif prints the
   * value the command returns, so nothing is printed here.
   */
  protected print(result: unknown, human: (format: 'table' | 'wide') => string): void {
    if (this.jsonEnabled()) return
    const format = this.outputFormat()
    if (format === 'json') this.log(toJson(result))
    else if (format === 'yaml') this.log(toYaml(result))
    else this.log(human(format))
  }

  /** A status line on stdout (a result sentence such as the final success line). */
  protected result(kind: StatusKind, message: string): void {
    if (!this.jsonEnabled()) this.log(statusLine('stdout', kind, message))
  }

  /** Progress, warnings and notes go to stderr, so stdout stays parseable. */
  protected progress(kind: StatusKind, message: string): void {
    process.stderr.write(statusLine('stderr', kind, message) + '\n')
  }

  /**
   * A long wait: a spinner with the latest state on a terminal; elsewhere one line per change of state, so logs show
   * what happened without a line per poll.
   */
  protected startWait(title: string): {update: (message: string, done: boolean) => void; stop: () => void} {
    if (!isTty('stderr')) {
      return {
        update: (message, done) => {
          this.progress(done ? 'success' : 'pending', message)
        },
        stop: () => undefined,
      }
    }
    ux.action.start(title, undefined, {stdout: false})
    let running = true
    return {
      update: (message) => {
        if (running) ux.action.status = message
      },
      stop: () => {
        if (running) ux.action.stop('done')
        running = false
      },
    }
  }

  /** How a write's backups are reported: where the old bundle went, what was pruned or moved. */
  protected backupEvents(): BackupEvents {
    return {
      saved: (path) => {
        this.progress('info', `Previous trust bundle saved in ${path}`)
      },
      pruned: (paths, keep) => {
        this.progress(
          'info',
          `Pruned ${paths.length} older backup${paths.length === 1 ? '' : 's'}, keeping the newest ${keep}`,
        )
      },
      moved: (from, to, count) => {
        this.progress(
          'info',
          `Moved ${count} earlier backup${count === 1 ? '' : 's'} from ${from} to ${to}: Sentry reloads on any change in the directory it watches, so backups no longer live there`,
        )
      },
    }
  }

  protected override catch(error: Interfaces.CommandError): Promise<never> {
    if (error instanceof Errors.ExitError) throw error
    const ctor = this.ctor as typeof BaseCommand
    const {message, hint, exitCode} = describeError(error, {
      bin: this.config.bin,
      id: this.id ?? '',
      flagNames: Object.keys({...ctor.baseFlags, ...ctor.flags, ...(ctor.enableJsonFlag ? {json: true} : {})}),
      commandIds: this.config.commands.flatMap((c) => [c.id, ...c.aliases]),
    })
    process.stderr.write(statusLine('stderr', 'failure', message) + '\n')
    if (hint) process.stderr.write(`   ${hint}\n`)
    if (process.env.DEBUG?.includes('dapr-mtls') && error.stack) process.stderr.write(error.stack + '\n')
    // Pipelines get the error in the format they asked for, on stdout, as well as the line on stderr.
    const format = this.outputFormat()
    const errorObject = {error: {message, hint, exitCode}}
    if (format === 'json') this.logJson(errorObject)
    else if (format === 'yaml') this.log(toYaml(errorObject))
    process.exitCode = exitCode
    // ExitError is silent in oclif's handler: the line above is the only thing the user sees.
    this.exit(exitCode)
  }
}

interface DescribedError {
  message: string
  hint: string | undefined
  exitCode: number
}

/** What the error rendering knows about the command, for "did you mean" hints. */
interface ErrorContext {
  bin: string
  id: string
  flagNames: string[]
  commandIds: string[]
}

type CommandError = Error & {oclif?: {exit?: number}; name?: string; flags?: string[]; args?: string[]}

/**
 * oclif's parse errors span lines ("Parsing --x", "\tExpected ...", "See more help ..."): one line here, naming the
 * flag once.
 */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('See more help'))
  const flag = /^Parsing (--\S+)$/.exec(lines[0] ?? '')?.[1]
  if (flag === undefined) return lines.join(': ')
  const rest = lines.slice(1).join(': ')
  return rest.startsWith(flag) ? rest : `${flag}: ${rest}`
}

function describeError(error: CommandError, context: ErrorContext): DescribedError {
  if (error instanceof UserError) return {message: oneLine(error.message), hint: error.hint, exitCode: error.exitCode}
  if (error.name === 'ExitPromptError') return {message: 'cancelled', hint: undefined, exitCode: ExitCode.interrupted}
  if (error.oclif?.exit !== undefined) {
    return {message: oneLine(error.message), hint: parseErrorHint(error, context), exitCode: error.oclif.exit}
  }
  return {
    message: `unexpected error: ${describeCause(error)}`,
    hint: 'Run again with DEBUG=dapr-mtls for details.',
    exitCode: ExitCode.failure,
  }
}

/** A mistyped flag or subcommand gets the closest real one as its hint. */
function parseErrorHint(error: CommandError, context: ErrorContext): string {
  const help = `See more help with \`${context.bin} ${spokenCommandId(context.id)} --help\`.`
  const [flag] = error.flags ?? []
  if (flag !== undefined) {
    const name = closest(flag.replace(/^-+/, '').split('=')[0] ?? '', context.flagNames)
    if (name !== undefined) return `Did you mean --${name}? ${help}`
  }
  const [arg] = error.args ?? []
  if (arg !== undefined) {
    const command = closest(`${spokenCommandId(context.id)} ${arg}`, context.commandIds.map(spokenCommandId))
    if (command !== undefined) return `Did you mean \`${context.bin} ${command}\`? ${help}`
  }
  return help
}
