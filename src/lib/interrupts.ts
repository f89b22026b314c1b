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

/**
 * Ctrl-C during a run of restarts: the first one aborts the signal (no new restart starts, those in flight are
 * waited for and the run reports what is left); a second one exits at once.
 */
export function holdInterruptsAsAbort(message: string): {signal: AbortSignal; release: () => void} {
  const controller = new AbortController()
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted)
    process.stderr.write(`${message}\n`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
