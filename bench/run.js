#!/usr/bin/env node
// Benchmarks DESIGN.md section 12 as ratios against baselines measured in the same run (never as a timed test):
//   dapr --version / --help          vs node -e 0        (budget 2.5x)
//   self-hosted init / renew         vs node -e 0        (budget 3x)
//   status -k / renew -k (no restart) vs the equivalent kubectl calls, when a cluster is given (KUBECONFIG + KUBECTL)
//   peak memory of every command                          (budget 150 MB)
// Usage: npm run build && node bench/run.js [--runs 10]
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10
const root = path.resolve(import.meta.dirname, '..')
const dapr = ['node', path.join(root, 'bin', 'run.js')]

// Python's RUSAGE_CHILDREN gives the peak resident set of the measured process, which Node cannot read for a child.
const peakRss = (command) =>
  Number(
    execFileSync('python3', [
      '-c',
      'import resource,subprocess,sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)',
      ...command,
    ]).toString(),
  ) / 1024

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median wall time in ms of `runs` runs; `prepare` runs before each one, untimed. */
function measure(command, {prepare, env} = {}) {
  const times = []
  for (let i = 0; i < runs; i++) {
    prepare?.()
    const started = process.hrtime.bigint()
    const result = spawnSync(command[0], command.slice(1), {stdio: 'ignore', env: {...process.env, ...env}})
    times.push(Number(process.hrtime.bigint() - started) / 1e6)
    if (result.status !== 0 && result.status !== 3) throw new Error(`${command.join(' ')} exited ${result.status}`)
  }
  return median(times)
}

const rows = []
const report = (name, ms, baselineName, baselineMs, budget, memory) => {
  const ratio = ms / baselineMs
  rows.push({name, ms, baselineName, ratio, budget, ok: ratio <= budget, memory})
}

const baseline = measure(['node', '-e', '0'])
for (const args of [['--version'], ['--help']]) {
  const command = [...dapr, ...args]
  report(`dapr ${args[0]}`, measure(command), 'node -e 0', baseline, 2.5, peakRss(command))
}

const work = mkdtempSync(path.join(tmpdir(), 'dapr-bench-'))
const certs = path.join(work, 'certs')
const init = [
  ...dapr,
  'init',
  '--enable-mtls',
  '--force',
  '--certs-dir',
  certs,
  '--config-file',
  path.join(work, 'config.yaml'),
]
report('dapr init (self-hosted)', measure(init), 'node -e 0', baseline, 3, peakRss(init))
const renew = [...dapr, 'mtls', 'renew-certificate', '--certs-dir', certs]
report('dapr mtls renew-certificate (self-hosted)', measure(renew), 'node -e 0', baseline, 3, peakRss(renew))
const expiry = [...dapr, 'mtls', 'expiry', '--certs-dir', certs]
report('dapr mtls expiry (self-hosted)', measure(expiry), 'node -e 0', baseline, 3, peakRss(expiry))
rmSync(work, {recursive: true, force: true})

const kubeconfig = process.env.KUBECONFIG
const kubectl = process.env.KUBECTL
if (kubeconfig && kubectl) {
  const ns = process.env.DAPR_NAMESPACE ?? 'dapr-system'
  const k = ['--kubeconfig', kubeconfig]
  // What `status -k` reads, as kubectl calls: discovery, workloads, pods and the banner's Secret.
  const kubectlStatus = () =>
    [
      'configurations.dapr.io -A',
      'deploy -A',
      `deploy,sts -n ${ns}`,
      `pods -n ${ns}`,
      `secret dapr-trust-bundle -n ${ns}`,
    ].map((what) => [kubectl, ...k, 'get', ...what.split(' '), '-o', 'name'])
  const kubectlStatusMs = median(
    Array.from({length: runs}, () => {
      const started = process.hrtime.bigint()
      for (const command of kubectlStatus()) spawnSync(command[0], command.slice(1), {stdio: 'ignore'})
      return Number(process.hrtime.bigint() - started) / 1e6
    }),
  )
  const status = [...dapr, 'status', '-k', ...k]
  report('dapr status -k', measure(status), 'kubectl get (5 calls)', kubectlStatusMs, 1, peakRss(status))
  // renew -k without restart: read Secret and ConfigMap, write both, read both back.
  const kubectlRenewMs = median(
    Array.from({length: runs}, () => {
      const started = process.hrtime.bigint()
      for (const what of ['secret', 'configmap']) {
        const object = execFileSync(kubectl, [...k, 'get', what, 'dapr-trust-bundle', '-n', ns, '-o', 'json'])
        spawnSync(kubectl, [...k, 'replace', '-f', '-'], {input: object, stdio: ['pipe', 'ignore', 'ignore']})
        spawnSync(kubectl, [...k, 'get', what, 'dapr-trust-bundle', '-n', ns, '-o', 'name'], {stdio: 'ignore'})
      }
      return Number(process.hrtime.bigint() - started) / 1e6
    }),
  )
  const renewK = [
    ...dapr,
    'mtls',
    'renew-certificate',
    '-k',
    ...k,
    '--backup-dir',
    mkdtempSync(path.join(tmpdir(), 'dapr-bench-')),
  ]
  report(
    'dapr mtls renew-certificate -k',
    measure(renewK),
    'kubectl get+replace+get',
    kubectlRenewMs,
    1,
    peakRss(renewK),
  )
} else {
  console.log('(set KUBECONFIG and KUBECTL to also measure status -k and renew-certificate -k against kubectl)')
}

console.log(`median of ${runs} runs; node -e 0 = ${baseline.toFixed(1)} ms`)
console.log(
  [
    'command'.padEnd(44),
    'ms'.padStart(8),
    'baseline'.padEnd(26),
    'ratio'.padStart(6),
    'budget'.padStart(7),
    'peak MB'.padStart(8),
    '',
  ].join('  '),
)
for (const r of rows) {
  console.log(
    [
      r.name.padEnd(44),
      r.ms.toFixed(1).padStart(8),
      r.baselineName.padEnd(26),
      r.ratio.toFixed(2).padStart(6),
      `${r.budget}x`.padStart(7),
      r.memory.toFixed(0).padStart(8),
      r.ok && r.memory <= 150 ? 'ok' : 'OVER',
    ].join('  '),
  )
}
