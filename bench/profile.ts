// Where a command's time goes, from V8's CPU profiles (`node --cpu-prof`) of a few runs: every sample is charged to
// what is on the stack, read through the source maps of dist/, in a handful of buckets a reader can act on (start-up
// of Node, loading our modules, reading the code caches, each bundled dependency loading and running, our code,
// waiting on the network, garbage collection). The profiler slows the process down, so the report gives shares, and
// turns them into milliseconds of the median wall time measured without it.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {SourceMap} from 'node:module'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {type Command, timeOnce} from './measure.js'

interface ProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number; columnNumber: number}
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Shares of sampled time by bucket, summing to 1. */
export type Breakdown = Map<string, number>

const sourceMaps = new Map<string, SourceMap | undefined>()

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    let map: SourceMap | undefined
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0])
    } catch {
      map = undefined
    }
    sourceMaps.set(file, map)
  }
  return sourceMaps.get(file)
}

/** The original source of a frame in dist/ (a path under src/ or node_modules/), else its file. */
function originalSource(frame: ProfileNode['callFrame']): string {
  const file = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url
  const entry = sourceMapOf(file)?.findEntry(frame.lineNumber, frame.columnNumber)
  return entry && 'originalSource' in entry ? entry.originalSource : file
}

const vendorBuckets: Record<string, string> = {
  oclif: 'oclif',
  'client-node': 'Kubernetes client (client-node)',
  x509: 'X.509 and ASN.1 (@peculiar/x509)',
  'reflect-metadata': 'X.509 and ASN.1 (@peculiar/x509)',
  yaml: 'yaml',
  'cli-table3': 'tables (cli-table3)',
  inquirer: 'prompts (inquirer)',
  execa: 'child processes (execa)',
}

/** The bucket of one sample, from its stack (leaf first). */
function bucketOf(stack: ProfileNode['callFrame'][]): string {
  const leaf = stack[0]?.functionName ?? ''
  if (leaf === '(garbage collector)') return 'garbage collection'
  if (leaf === '(idle)') return 'waiting (network, disk)'
  if (leaf === '(program)') return 'V8 and Node native code'
  const userFrame = stack.find((frame) => frame.url !== '' && !frame.url.startsWith('node:'))
  if (userFrame === undefined) {
    const loading = stack.some((frame) => /internal\/modules\//.test(frame.url))
    return loading ? 'Node: loading ES modules (resolve, read, compile, link)' : 'Node: start-up and internals'
  }
  const file = userFrame.url.startsWith('file:') ? fileURLToPath(userFrame.url) : userFrame.url
  // A bundle's top level runs inside the loader (dist/loader.js); after that it runs for the command.
  const phase = stack.some((frame) => frame.url.endsWith('/dist/loader.js')) ? 'load' : 'run'
  const vendor = /\/dist\/vendor\/([\w-]+)\.cjs$/.exec(file)?.[1]
  if (vendor !== undefined) return `${vendorBuckets[vendor] ?? vendor}: ${phase}`
  if (/\/dist\/app\/.*\.cjs$/.test(file)) return `our code (src/): ${phase}`
  if (/\/dist\/.*\.js$/.test(file)) return 'reading bundles and their code caches'
  const source = originalSource(userFrame)
  return /\bsrc\//.test(source) ? `our code (src/): ${phase}` : `other: ${path.basename(source)}`
}

function breakdownOf(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const selfTime = new Map<number, number>()
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)))
  const buckets = new Map<string, number>()
  for (const [id, time] of selfTime) {
    const stack: ProfileNode['callFrame'][] = []
    for (let node = byId.get(id); node; node = byId.get(parent.get(node.id) ?? -1)) stack.push(node.callFrame)
    if (stack[0]?.functionName === '(root)') continue
    const bucket = bucketOf(stack)
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + time)
  }
  return buckets
}

/** Profiles `runs` runs of the command and returns the share of each bucket over all of them. */
export async function profileCommand(command: Command, runs: number, intervalUs = 200): Promise<Breakdown> {
  const [node, ...rest] = command.argv
  if (node !== 'node') throw new Error(`${command.name}: only node commands can be profiled`)
  const dir = mkdtempSync(path.join(tmpdir(), 'dapr-bench-profile-'))
  try {
    for (let run = 0; run < runs; run++) {
      await command.prepare?.()
      await timeOnce({
        ...command,
        argv: [node, '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${intervalUs}`, ...rest],
      })
    }
    const total = new Map<string, number>()
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
      const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile
      for (const [bucket, time] of breakdownOf(profile)) total.set(bucket, (total.get(bucket) ?? 0) + time)
    }
    const sum = [...total.values()].reduce((a, b) => a + b, 0)
    return new Map([...total].map(([bucket, time]) => [bucket, time / sum] as const).sort((a, b) => b[1] - a[1]))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
