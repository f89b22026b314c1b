// Errors that reach the user: a message naming the problem, an optional hint naming the fix, and an exit code.
// Library code throws these; the base command prints them once, as one line (two with the hint), never a stack.
import {ExitCode, type ExitCodeValue} from './output/exit-codes.js'

export class UserError extends Error {
  readonly hint: string | undefined
  readonly exitCode: ExitCodeValue

  constructor(message: string, options: {hint?: string; exitCode?: ExitCodeValue; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = 'UserError'
    this.hint = options.hint
    this.exitCode = options.exitCode ?? ExitCode.failure
  }
}

/** A bad flag value or combination: exit 2, like oclif's own parse errors. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, {hint, exitCode: ExitCode.usage})
    this.name = 'UsageError'
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}
