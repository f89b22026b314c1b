// One real Dapr process under test (Sentry, daprd): its own process group, its output kept in memory and in a log
// file in its run dir, waits on log lines without polling, and a stop that leaves nothing behind, even when the test
// process ends without stopping it.
import {spawn} from 'node:child_process'
import {createWriteStream} from 'node:fs'
import type {Socket} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

/** What each launcher (startSentry, startDaprd) hands back about its process. */
export interface ProcessHandle {
  /** Holds its log file and the files written for it; removed by stop(). */
  runDir: string
  /** Everything the process wrote so far. */
  logs(): string
  /** Resolves with the first log line matching `pattern`; rejects with the log tail on timeout or exit. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Resolves once the process serves (its own health endpoint says so); rejects with its log if it exits first. */
  ready(timeoutMs?: number): Promise<void>
  /** Exit code once the process has exited, else undefined. */
  readonly exited: number | undefined
  /** Stops the process group (TERM, then KILL) and removes the run dir. */
  stop(): Promise<void>
}

export interface LaunchOptions {
  /** Names the log file (`<name>.log` in `runDir`) and the process in errors. */
  name: string
  command: string
  args: string[]
  runDir: string
  /** Added to the inherited environment. */
  env?: Record<string, string>
}

export interface LaunchedProcess {
  readonly name: string
  readonly pid: number
  readonly logFile: string
  /** Everything the process wrote so far, stdout and stderr interleaved as they came. */
  logs(): string
  /** The last `lines` lines of the output, for error messages. */
  logTail(lines?: number): string
  /** Resolves with the first output line matching `pattern` (also one written before the call). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Exit code (128 + signal number when killed by a signal); undefined while running. */
  readonly exitCode: number | undefined
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number>
  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 5 s); resolves once it is gone. */
  stop(graceMs?: number): Promise<void>
}

const running = new Set<number>()
let exitHookInstalled = false

// A test process that ends without stopping what it started (an uncaught error, Ctrl-C) still takes it along.
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const pid of running) signalGroup(pid, 'SIGKILL')
  })
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

export function launch(options: LaunchOptions): LaunchedProcess {
  installExitHook()
  const logFile = path.join(options.runDir, `${options.name}.log`)
  const logStream = createWriteStream(logFile, {flags: 'a'})
  const child = spawn(options.command, options.args, {
    cwd: options.runDir,
    // Its own session and so its own process group: stop() reaches whatever it starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...process.env, ...options.env},
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`)
  running.add(pid)

  let output = ''
  let pending = ''
  const lineWaiters = new Set<(line: string) => void>()
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8')
    output += text
    logStream.write(chunk)
    pending += text
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) for (const waiter of lineWaiters) waiter(line)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)

  let exitCode: number | undefined
  const exited = new Promise<number>((resolve) => {
    // 'close' comes after the output streams end, so logs() then holds everything the process wrote.
    child.on('close', (code, signal) => {
      running.delete(pid)
      if (pending) for (const waiter of lineWaiters) waiter(pending)
      exitCode = code ?? 128 + (signal ? os.constants.signals[signal] : 0)
      logStream.end()
      resolve(exitCode)
    })
  })
  child.on('error', (error) => {
    output += `\n[launch] ${error.message}\n`
  })
  // Tests stop what they start; these keep an unstopped process from holding the test run open.
  child.unref()
  ;(child.stdout as unknown as Socket).unref()
  ;(child.stderr as unknown as Socket).unref()

  const logTail = (lines = 30): string => output.trimEnd().split('\n').slice(-lines).join('\n') || '(no output)'

  return {
    name: options.name,
    pid,
    logFile,
    logs: () => output,
    logTail,
    waitForLog(pattern, timeoutMs = 30_000) {
      const seen = output.split('\n').find((line) => pattern.test(line))
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise<string>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer)
          lineWaiters.delete(waiter)
        }
        const waiter = (line: string): void => {
          if (!pattern.test(line)) return
          done()
          resolve(line)
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`${options.name}: no log line matching ${pattern} within ${timeoutMs} ms\n${logTail()}`))
        }, timeoutMs)
        lineWaiters.add(waiter)
        void exited.then((code) => {
          if (!lineWaiters.has(waiter)) return
          done()
          reject(new Error(`${options.name} exited (code ${code}) before logging ${pattern}\n${logTail()}`))
        })
      })
    },
    get exitCode() {
      return exitCode
    },
    exited,
    async stop(graceMs = 5000) {
      if (exitCode !== undefined) return
      signalGroup(pid, 'SIGTERM')
      const stopped = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])
      if (!stopped) {
        signalGroup(pid, 'SIGKILL')
        await exited
      }
    },
  }
}

/**
 * Polls `check` until it returns true; rejects when the process exits first (with its log tail) or after `timeoutMs`.
 * For readiness endpoints, which have no event to wait on.
 */
export async function untilReady(
  launched: LaunchedProcess,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError = ''
  for (;;) {
    if (launched.exitCode !== undefined) {
      throw new Error(`${launched.name} exited (code ${launched.exitCode}) before ${what}\n${launched.logTail()}`)
    }
    try {
      if (await check()) return
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error)
    }
    if (Date.now() > deadline) {
      const detail = lastError ? ` (last error: ${lastError})` : ''
      throw new Error(`${launched.name}: not ${what} within ${timeoutMs} ms${detail}\n${launched.logTail()}`)
    }
    // Short: a Sentry that refuses its bundle exits within a few hundred milliseconds, a good one serves as fast.
    await Promise.race([sleep(50), launched.exited])
  }
}

/** GET on loopback; resolves with the status, or rejects when nothing answers. */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  const response = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)})
  await response.arrayBuffer()
  return response.status
}
