// Terminal capabilities and styling: whether a stream gets colour and icons, and the official CLI's status icons.
// The only module that configures chalk; chalk ignores NO_COLOR, so the rule is decided here.
import chalk, {type ChalkInstance, chalkStderr} from 'chalk'

export type Stream = 'stdout' | 'stderr'

/** Called once per command after flags are parsed; chalk already leaves a pipe uncoloured by itself. */
export function configureColor(options: {noColor: boolean}): void {
  if (options.noColor || (process.env.NO_COLOR ?? '') !== '') {
    chalk.level = 0
    chalkStderr.level = 0
  }
}

export function isTty(stream: Stream): boolean {
  return process[stream].isTTY && process.env.TERM !== 'dumb'
}

export function paint(stream: Stream): ChalkInstance {
  return stream === 'stdout' ? chalk : chalkStderr
}

export type StatusKind = 'success' | 'failure' | 'warning' | 'pending' | 'info'

// The official CLI's icons, each followed by two spaces.
const icons: Record<StatusKind, string> = {
  success: '✅',
  failure: '❌',
  warning: '⚠',
  pending: '⌛',
  info: 'ℹ️',
}

/** A status line in the official CLI's wording: the icon and two spaces on a terminal, the bare message on a pipe. */
export function statusLine(stream: Stream, kind: StatusKind, message: string): string {
  if (!isTty(stream)) return message
  const c = paint(stream)
  const text = kind === 'failure' ? c.red(message) : kind === 'warning' ? c.yellow(message) : message
  return `${icons[kind]}  ${text}`
}

/** Prompts only when a person can answer: stdin and stdout are terminals and this is not CI. */
export function canPrompt(): boolean {
  return process.stdin.isTTY && process.stdout.isTTY && !process.env.CI
}
