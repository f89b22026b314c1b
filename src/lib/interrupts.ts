// The one place that handles Ctrl-C (and SIGTERM, SIGHUP): a write that must not be cut in half holds the signal
// until it is done, and temporary files registered here are removed before the process exits. Nothing else listens
// for signals or calls process.exit. While nothing is held or registered, a signal ends the process as usual.
import {constants} from 'node:os'

import {ExitCode} from './output/exit-codes.js'

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export interface InterruptGuard {
  /** True once a signal arrived while held. */
  readonly interrupted: boolean
  /** Stops holding; true when a signal arrived meanwhile. */
  release(): boolean
}

interface Hold {
  messages: HoldMessages
  interrupted: boolean
}

export interface HoldMessages {
  /** Printed at the first signal: what is being finished. */
  held: string
  /**
   * Printed at a second signal, which then stops the process at once: what state that leaves. Without it, further
   * signals are held too (for writes that take moments and must never be left half done).
   */
  abandoned?: string
  /** Called at the first signal, after `held` is printed: a long wait stops early (AbortController.abort). */
  onHeld?: () => void
}

const holds: Hold[] = []
const cleanups = new Set<() => void>()

function onSignal(signal: NodeJS.Signals): void {
  const hold = holds.at(-1)
  if (hold && !hold.interrupted) {
    hold.interrupted = true
    process.stderr.write(`${hold.messages.held}\n`)
    hold.messages.onHeld?.()
    return
  }
  if (hold && hold.messages.abandoned === undefined) return
  if (hold?.messages.abandoned) process.stderr.write(`${hold.messages.abandoned}\n`)
  for (const cleanup of cleanups) {
    try {
      cleanup()
    } catch {
      // One failed cleanup must not keep the others from running.
    }
  }
  process.exit(signal === 'SIGINT' ? ExitCode.interrupted : 128 + constants.signals[signal])
}

function listen(): void {
  if (holds.length + cleanups.size !== 1) return
  for (const signal of signals) process.on(signal, onSignal)
}

function stopListening(): void {
  if (holds.length + cleanups.size !== 0) return
  for (const signal of signals) process.off(signal, onSignal)
}

/** Holds Ctrl-C until release(): the first one is reported and remembered, so the caller finishes or undoes. */
export function holdInterrupts(messages: HoldMessages): InterruptGuard {
  const hold: Hold = {messages, interrupted: false}
  holds.push(hold)
  listen()
  let released = false
  return {
    get interrupted() {
      return hold.interrupted
    },
    release() {
      if (!released) {
        released = true
        holds.splice(holds.indexOf(hold), 1)
        stopListening()
      }
      return hold.interrupted
    },
  }
}

/** Runs `cleanup` (synchronous) if a signal ends the process; the returned function unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup)
  listen()
  return () => {
    if (cleanups.delete(cleanup)) stopListening()
  }
}

/**
 * Ctrl-C during a run of restarts: the first one aborts the signal (no new restart starts, those in flight are
 * waited for and the run reports what is left); a second one stops the process at once.
 */
export function holdInterruptsAsAbort(message: string): {signal: AbortSignal; release: () => void} {
  const controller = new AbortController()
  const guard = holdInterrupts({
    held: message,
    abandoned: 'Stopped at once; restarts already started go on in the cluster.',
    onHeld: () => {
      controller.abort()
    },
  })
  return {
    signal: controller.signal,
    release() {
      guard.release()
    },
  }
}
