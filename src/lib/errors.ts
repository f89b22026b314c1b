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

/** No Dapr control plane was found in the cluster; `status -k` words this its own way. */
export class DaprNotInstalledError extends UserError {
  constructor(context: string) {
    super(`Dapr is not installed in this cluster (context ${context})`, {
      hint: 'No daprsystem Configuration or dapr-sentry Deployment was found. Install it with `dapr init -k`, or pass -n.',
    })
    this.name = 'DaprNotInstalledError'
  }
}
