// Timing and memory of commands, side by side with their baseline: every round runs each command once, in turn, so a
// busy machine slows both alike and the ratio of medians stays fair. Peak memory comes from the kernel's account of
// the finished child (GNU time, or Python's wait4), since Node cannot read another process's peak.
import {execFileSync, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'

export interface Command {
  /** What the report calls it. */
  name: string
  argv: string[]
  env?: Record<string, string>
  /** Exit codes that count as a normal run (default 0). */
  okExitCodes?: number[]
  /** Run before each timed run, untimed (e.g. to put a file back). */
  prepare?: () => void | Promise<void>
}

export interface Timing {
  /** Wall times in ms, one per round. */
  times: number[]
  median: number
  min: number
  p90: number
  /** Peak resident set in MB, when it could be read. */
  peakMb: number | undefined
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2
      ? (sorted[mid] ?? 0)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN
}

/** Runs a command once; resolves with its wall time in ms. Rejects on an exit code that is not expected. */
export function timeOnce(command: Command): Promise<number> {
  const [file, ...args] = command.argv
  if (file === undefined) return Promise.reject(new Error(`${command.name}: empty command`))
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    let stderr = ''
    const child = spawn(file, args, {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, ...command.env}})
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if ((command.okExitCodes ?? [0]).includes(code ?? -1)) resolve(ms)
      else reject(new Error(`${command.name} exited ${code}: ${stderr.trim().split('\n').slice(0, 3).join(' / ')}`))
    })
  })
}

const gnuTime = ['/usr/bin/time', '/bin/time'].find((file) => existsSync(file))

/** Peak resident memory of one run of the command, in MB. */
export function peakMemory(command: Command): number | undefined {
  const env = {...process.env, ...command.env}
  try {
    if (gnuTime !== undefined) {
      const out = execFileSync(gnuTime, ['-f', '%M', ...command.argv], {env, stdio: ['ignore', 'ignore', 'pipe']})
      return Number(out.toString().trim().split('\n').pop()) / 1024
    }
  } catch (error) {
    // GNU time exits with the command's code; its last stderr line is still the figure.
    const stderr = (error as {stderr?: Buffer}).stderr?.toString().trim().split('\n').pop()
    if (stderr !== undefined && /^\d+$/.test(stderr)) return Number(stderr) / 1024
  }
  try {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import os,sys\npid=os.fork()\nif pid==0:\n  fd=os.open(os.devnull,os.O_WRONLY); os.dup2(fd,1); os.dup2(fd,2); os.execvp(sys.argv[1],sys.argv[1:])\nprint(os.wait4(pid,0)[2].ru_maxrss)',
        ...command.argv,
      ],
      {env},
    )
    return Number(out.toString().trim()) / 1024
  } catch {
    return undefined
  }
}

/**
 * Times every command `runs` times, one round at a time (each command once per round, in the order given), after
 * one untimed warm-up round that fills the page cache; then reads each one's peak memory.
 */
export async function timeInTurn(commands: Command[], runs: number): Promise<Map<string, Timing>> {
  const times = new Map<string, number[]>(commands.map((c) => [c.name, []]))
  for (let round = -1; round < runs; round++) {
    for (const command of commands) {
      await command.prepare?.()
      const ms = await timeOnce(command)
      if (round >= 0) times.get(command.name)?.push(ms)
    }
  }
  const result = new Map<string, Timing>()
  for (const command of commands) {
    await command.prepare?.()
    const values = times.get(command.name) ?? []
    result.set(command.name, {
      times: values,
      median: median(values),
      min: Math.min(...values),
      p90: percentile(values, 0.9),
      peakMb: peakMemory(command),
    })
  }
  return result
}
