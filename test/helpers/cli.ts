// Runs the built `dapr` executable as a user would: a child process with its own environment, exit code and streams.
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {execa} from 'execa'

const root = path.resolve(import.meta.dirname, '..', '..')
const runJs = path.join(root, 'bin', 'run.js')

/**
 * The HOME of runs that give none: a throwaway directory, so backups and other state never land in the real ~/.dapr.
 * Removed when the test process exits.
 */
let throwawayHome: string | undefined
export function testHome(): string {
  if (throwawayHome === undefined) {
    const home = mkdtempSync(path.join(tmpdir(), 'dapr-test-home-'))
    throwawayHome = home
    process.on('exit', () => {
      rmSync(home, {recursive: true, force: true})
    })
  }
  return throwawayHome
}

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

export async function dapr(
  args: string[],
  options: {env?: Record<string, string>; input?: string; timeoutMs?: number} = {},
): Promise<CliResult> {
  if (!existsSync(path.join(root, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` first')
  const result = await execa('node', [runJs, ...args], {
    reject: false,
    env: {NO_COLOR: '1', HOME: testHome(), ...options.env},
    input: options.input ?? '',
    cwd: root,
    // A command that hangs is killed rather than left spinning after its test gave up.
    ...(options.timeoutMs === undefined ? {} : {timeout: options.timeoutMs}),
  })
  return {exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr}
}

/**
 * Starts `dapr` without waiting for it, for tests that act while it runs (a signal at the right moment). Resolves to
 * the same result as `dapr`; a process ended by a signal it did not handle reports 128 + the signal number.
 */
export function startDapr(
  args: string[],
  options: {env?: Record<string, string>; timeoutMs?: number} = {},
): {child: ReturnType<typeof execa>; stderrLines: string[]; result: Promise<CliResult>} {
  const child = execa('node', [runJs, ...args], {
    reject: false,
    env: {NO_COLOR: '1', HOME: testHome(), ...options.env},
    input: '',
    cwd: root,
    ...(options.timeoutMs === undefined ? {} : {timeout: options.timeoutMs}),
  })
  const stderrLines: string[] = []
  let partial = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop() ?? ''
    stderrLines.push(...lines)
  })
  const result = child.then((done) => ({
    exitCode: done.exitCode ?? (done.signal === 'SIGINT' ? 130 : -1),
    stdout: done.stdout,
    stderr: done.stderr,
  }))
  return {child, stderrLines, result}
}

/** Resolves once `lines` holds one matching `pattern` (polled: the lines come from a child's stderr). */
export async function untilLine(lines: string[], pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = lines.find((line) => pattern.test(line))
    if (found !== undefined) return found
    if (Date.now() > deadline)
      throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A failure as the design asks: one line (two with a hint) on stderr, no stack trace. */
export function assertCleanFailure(result: CliResult): void {
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '')
  if (lines.length === 0 || lines.length > 2)
    throw new Error(`expected one or two stderr lines, got:\n${result.stderr}`)
  if (/\n\s+at .+\(.*:\d+:\d+\)/.test(result.stderr)) throw new Error(`stack trace on stderr:\n${result.stderr}`)
}
