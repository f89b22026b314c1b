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

// What the operating system's error codes mean, in words: the user never sees EISDIR or ENOENT.
const systemErrorWords: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EEXIST: 'it already exists',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EIO: 'an input/output error',
  EXDEV: 'it is on another file system',
  EINVAL: 'the operation is not supported there',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
}

/**
 * Why something failed, in words a person reads: errno codes by their meaning, OpenSSL and ASN.1 decoder messages as
 * damaged data. The one place library and system error text is translated.
 */
export function describeCause(error: unknown): string {
  if (error instanceof UserError) return error.message
  const code = (error as {code?: unknown} | undefined)?.code
  if (typeof code === 'string' && Object.hasOwn(systemErrorWords, code)) return systemErrorWords[code] ?? code
  const message = error instanceof Error ? error.message : String(error)
  // OpenSSL's "error:1E08010C:DECODER routines::unsupported" and the ASN.1 parser's offset complaints.
  if (/^error:[0-9A-F]{8}:|DECODER|asn1|ASN\.1|offset|End of input|Invalid length/i.test(message)) {
    return 'the data is damaged, truncated or in an unsupported format'
  }
  if (error instanceof RangeError || error instanceof TypeError) return 'the data is damaged or out of range'
  return message
}
