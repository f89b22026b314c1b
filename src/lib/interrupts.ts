// Ctrl-C during a write that must not be cut in half (the Secret and ConfigMap of the trust bundle): the first one
// is held until the write is done, a second one stops at once with the way back printed.
import {ExitCode} from './output/exit-codes.js'

export interface InterruptGuard {
  /** Stops holding Ctrl-C; true when one arrived meanwhile. */
  release(): boolean
}

export function holdInterrupts(messages: {held: string; abandoned: string}): InterruptGuard {
  let interrupted = false
  const onSignal = () => {
    if (interrupted) {
      process.stderr.write(`${messages.abandoned}\n`)
      process.exit(ExitCode.interrupted)
    }
    interrupted = true
    process.stderr.write(`${messages.held}\n`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    release() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      return interrupted
    },
  }
}
