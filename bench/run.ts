// `npm run bench`: the performance budgets of DESIGN.md section 12, measured as ratios against baselines timed in the
// same run, never as timed tests. Writes BENCHMARKS.md (machine, date, every figure, and the profile that explains
// what is left). Sections (all by default; --only picks some):
//   startup  --version, --help and self-hosted commands vs `node -e 0`
//   cluster  status -k, mtls -k, mtls expiry -k, renew-certificate -k vs the kubectl calls that read the same objects,
//            on the harness cluster (started here, or --kubeconfig) with the real Dapr 1.16.2 chart
//   scale    the cluster grown to --namespaces x --apps Dapr-enabled Deployments: status -k and doctor -k (when the CLI
//            has it) wall time, API requests and memory
//   restart  restartApps at concurrency 1, 5, 20 vs kubectl loops over --restart-apps Deployments, and the harness's
//            own ceiling
//   profile  where the time of a few commands goes (node --cpu-prof, oclif's timers)
// Usage: npm run build && npm run bench -- [--runs 10] [--only startup,profile] [--kubeconfig FILE] [--keep-cluster]
//        [--before DIR] [--apps 2000] [--namespaces 200] [--restart-apps 500] [--harness-qps N] [--out BENCHMARKS.md]
// --harness-qps raises the client rate limit of the cluster's controller-manager and scheduler (default 20 and 50
// requests a second), which caps how many rollouts a second the harness completes; only for a cluster started here.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parseArgs} from 'node:util'

import {appCount, appSet, ensureApps, listApps} from './apps.js'
import {type BenchCluster, daprNamespace, ensureDapr, kubectl, openCluster} from './cluster.js'
import {type Command, median, timeInTurn, timeOnce, type Timing} from './measure.js'
import {profileCommand} from './profile.js'
import {type Figure, memoryBudgetMb, ratioOf, renderReport, type Report} from './report.js'
import {countRequests} from './requests.js'
import {restartFigures} from './restart.js'

const root = path.resolve(import.meta.dirname, '..')
const sectionNames = ['startup', 'cluster', 'scale', 'restart', 'profile'] as const
type Section = (typeof sectionNames)[number]

const {values: flags} = parseArgs({
  options: {
    runs: {type: 'string', default: '10'},
    only: {type: 'string'},
    kubeconfig: {type: 'string'},
    'keep-cluster': {type: 'boolean', default: false},
    before: {type: 'string'},
    apps: {type: 'string', default: '2000'},
    namespaces: {type: 'string', default: '200'},
    'restart-apps': {type: 'string', default: '500'},
    'harness-qps': {type: 'string'},
    out: {type: 'string', default: path.join(root, 'BENCHMARKS.md')},
  },
})
const runs = Number(flags.runs)
const sections = new Set<Section>(
  flags.only === undefined
    ? sectionNames
    : (flags.only.split(',') as Section[]).filter((s) => sectionNames.includes(s)),
)
const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)

const cliPath = path.join(root, 'bin', 'run.js')
if (!existsSync(path.join(root, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` first')
const beforeCli = flags.before === undefined ? undefined : path.resolve(flags.before, 'bin', 'run.js')
if (beforeCli !== undefined && !existsSync(beforeCli)) throw new Error(`--before: no ${beforeCli}`)

const home = mkdtempSync(path.join(os.tmpdir(), 'dapr-bench-home-'))
const certsDir = path.join(home, '.dapr', 'certs')
const env = {HOME: home, NO_COLOR: '1'}
const dapr = (...args: string[]): string[] => ['node', cliPath, ...args]
const figures: Figure[] = []
const notes: string[] = []
const skipped: string[] = []

/** A command of this build, and the same for the --before build, both timed with the baseline in one series. */
async function compare(
  section: Figure['section'],
  baseline: Command,
  subjects: (Command & {budget?: number; display: string})[],
): Promise<void> {
  const before = beforeCli
    ? subjects.map((s) => ({
        ...s,
        name: `${s.name} (before)`,
        argv: s.argv.map((a) => (a === cliPath ? beforeCli : a)),
      }))
    : []
  const timings = await timeInTurn([baseline, ...subjects, ...before], runs)
  const base = timings.get(baseline.name) as Timing
  for (const subject of subjects) {
    const timing = timings.get(subject.name) as Timing
    const old = timings.get(`${subject.name} (before)`)
    figures.push({
      section,
      name: subject.name,
      command: subject.display,
      ms: timing.median,
      minMs: timing.min,
      baseline: {name: baseline.name, ms: base.median},
      budget: subject.budget,
      peakMb: timing.peakMb,
      ...(old ? {before: {ms: old.median, ratio: old.median / base.median, peakMb: old.peakMb}} : {}),
    })
    const figure = figures.at(-1) as Figure
    log(`${subject.display}: ${timing.median.toFixed(0)} ms, ${ratioOf(figure)?.toFixed(2)}× ${baseline.name}`)
  }
}

function machine(): string[] {
  const cpu = os.cpus()
  const version = (file: string, args: string[]) => {
    try {
      return execFileSync(file, args).toString().trim().split('\n')[0] ?? ''
    } catch {
      return 'n/a'
    }
  }
  const hyperfine = version('hyperfine', ['--version'])
  return [
    `CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores (os.cpus), load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.type()} ${os.release()} ${os.arch()}`,
    `Node ${process.version} (V8 ${process.versions.v8}); CLI ${cliPath}${beforeCli ? `; before: ${beforeCli}` : ''}`,
    hyperfine === 'n/a'
      ? 'hyperfine: not installed; timed by the node harness (bench/measure.ts), which runs commands in turn. ' +
        '`apt-get install -y hyperfine` gives an independent check: `hyperfine -N --warmup 3 "node -e 0" "node bin/run.js --version"`.'
      : `${hyperfine}: installed; timed by the node harness (bench/measure.ts), which runs commands in turn`,
  ]
}

async function startup(): Promise<void> {
  log('start-up and self-hosted commands')
  // A certificates directory for the self-hosted commands; init --force and renew rewrite it on every run.
  execFileSync('node', [cliPath, 'init', '--enable-mtls', '--certs-dir', certsDir], {env: {...process.env, ...env}})
  const self = (args: string[], display: string, budget: number) => ({
    name: display,
    display,
    argv: dapr(...args),
    env,
    budget,
  })
  await compare('start-up', {name: 'node -e 0', argv: ['node', '-e', '0']}, [
    self(['--version'], 'dapr --version', 2),
    self(['--help'], 'dapr --help', 2),
    self(['mtls', 'expiry', '--certs-dir', certsDir], 'dapr mtls expiry', 2.5),
    self(['mtls', 'env', '--certs-dir', certsDir], 'dapr mtls env', 2.5),
    self(
      ['init', '--enable-mtls', '--force', '--certs-dir', certsDir, '--config-file', path.join(home, 'config.yaml')],
      'dapr init --enable-mtls --force',
      2.5,
    ),
    self(['mtls', 'renew-certificate', '--certs-dir', certsDir], 'dapr mtls renew-certificate', 2.5),
  ])
}

/** Dapr-enabled Deployments in the cluster right now. */
async function daprApps(cluster: BenchCluster): Promise<number> {
  const {stdout} = await kubectl(
    cluster,
    'get',
    'deployments',
    '-A',
    '-o',
    'jsonpath={range .items[*]}{.spec.template.metadata.annotations.dapr\\.io/enabled}{"\\n"}{end}',
  )
  return stdout.split('\n').filter((line) => line === 'true').length
}

/** One `kubectl get` of the control-plane namespace. */
function kubectlGet(cluster: BenchCluster, ...what: string[]): Command {
  return {
    name: `kubectl get ${what.join(' ')} -n ${daprNamespace}`,
    argv: [cluster.kubectl, '--kubeconfig', cluster.kubeconfig, 'get', ...what, '-n', daprNamespace],
  }
}

/** What status -k reads: the control plane's workloads and pods, the bundle's objects, the Configuration. */
const statusBaseline = (cluster: BenchCluster) =>
  kubectlGet(cluster, 'deployments,statefulsets,pods,secrets,configmaps,configurations.dapr.io')

/** What mtls -k and mtls expiry -k read: Sentry's Deployment, the Configuration, the bundle's Secret and ConfigMap. */
const bundleBaseline = (cluster: BenchCluster) =>
  kubectlGet(
    cluster,
    'deployment/dapr-sentry',
    'configurations.dapr.io/daprsystem',
    'secret/dapr-trust-bundle',
    'configmap/dapr-trust-bundle',
  )

async function clusterCommands(cluster: BenchCluster): Promise<void> {
  const apps = await daprApps(cluster)
  log(`cluster commands (${apps} Dapr-enabled apps in the cluster)`)
  const k = ['--kubeconfig', cluster.kubeconfig]
  const cli = (args: string[], budget?: number): Command & {budget?: number; display: string} => ({
    name: `dapr ${args.join(' ')}`,
    display: `dapr ${args.join(' ')}`,
    argv: dapr(...args, ...k),
    env,
    okExitCodes: [0, 3],
    ...(budget === undefined ? {} : {budget}),
  })
  // Each command against the one kubectl get that reads the same kinds of objects.
  const pairs: [Command, Command & {budget?: number; display: string}][] = [
    [statusBaseline(cluster), cli(['status', '-k'], 3)],
    [bundleBaseline(cluster), cli(['mtls', '-k'], 3)],
    [bundleBaseline(cluster), cli(['mtls', 'expiry', '-k'], 3)],
  ]
  for (const [baseline, subject] of pairs) await compare('cluster', baseline, [subject])

  // renew-certificate -k without restarts vs kubectl reading both objects, replacing both, reading both back.
  const work = mkdtempSync(path.join(os.tmpdir(), 'dapr-bench-renew-'))
  const objects = ['secret/dapr-trust-bundle', 'configmap/dapr-trust-bundle']
  const script = [
    `"$KUBECTL" get ${objects.join(' ')} -n ${daprNamespace} -o json > "$WORK/bundle.json"`,
    `"$KUBECTL" replace -f "$WORK/bundle.json" > /dev/null`,
    `"$KUBECTL" get ${objects.join(' ')} -n ${daprNamespace} -o name > /dev/null`,
  ].join(' && ')
  await compare(
    'cluster',
    {
      name: 'kubectl get + replace + get (Secret and ConfigMap)',
      argv: ['sh', '-c', script],
      env: {KUBECTL: cluster.kubectl, KUBECONFIG: cluster.kubeconfig, WORK: work},
    },
    [{...cli(['mtls', 'renew-certificate', '-k', '--backup-dir', work]), display: 'dapr mtls renew-certificate -k'}],
  )
  const counted: [string, string[]][] = [
    ['dapr status -k', ['status', '-k']],
    ['dapr mtls -k', ['mtls', '-k']],
    ['dapr mtls expiry -k', ['mtls', 'expiry', '-k']],
    ['dapr mtls renew-certificate -k', ['mtls', 'renew-certificate', '-k', '--backup-dir', work]],
  ]
  for (const [command, args] of counted) {
    const figure = figures.find((f) => f.section === 'cluster' && f.command === command)
    if (figure) figure.requests = await countRequests(cluster, dapr(...args), env)
  }
  rmSync(work, {recursive: true, force: true})
  notes.push(
    `Cluster figures were measured with ${apps} Dapr-enabled Deployments in the cluster; the harness talks to a local ` +
      'API server, so a request costs a few milliseconds and the figures are mostly the process itself.',
  )
}

async function scale(cluster: BenchCluster): Promise<void> {
  const set = appSet('scale', Number(flags.namespaces), Number(flags.apps))
  // What doctor needs before the apps: the memory its scan adds is the difference.
  await doctorFigure(cluster, await daprApps(cluster))
  await ensureApps(cluster, set, log)
  const apps = await daprApps(cluster)
  log(`at scale: ${apps} Dapr-enabled Deployments in ${set.namespaces.length} namespaces`)
  const k = ['--kubeconfig', cluster.kubeconfig]
  const status: Command & {budget: number; display: string} = {
    name: `dapr status -k (${apps} apps)`,
    display: `dapr status -k (${apps} apps)`,
    argv: dapr('status', '-k', ...k),
    env,
    okExitCodes: [0, 3],
    budget: 3,
  }
  await compare('scale', statusBaseline(cluster), [status])
  const statusFigure = figures.at(-1) as Figure
  statusFigure.requests = await countRequests(cluster, dapr('status', '-k'), env)
  const small = figures.find((f) => f.section === 'cluster' && f.command === 'dapr status -k')
  if (small?.requests !== undefined && statusFigure.requests !== undefined) {
    notes.push(
      `status -k made ${small.requests.total} requests on the cluster without the apps and ${statusFigure.requests.total} ` +
        `with ${apps}: ${small.requests.total === statusFigure.requests.total ? 'the same number, as DESIGN.md asks' : '**not the same**'}.`,
    )
  }
  await doctorFigure(cluster, apps)
  const [before, after] = figures.filter((f) => f.command.startsWith('dapr mtls doctor -k'))
  if (before?.peakMb !== undefined && after?.peakMb !== undefined) {
    notes.push(
      `doctor -k peaks at ${before.peakMb.toFixed(0)} MB with ${before.command.match(/\((\d+) apps\)/)?.[1]} apps and ` +
        `${after.peakMb.toFixed(0)} MB with ${apps}: its paginated pod scan adds ${(after.peakMb - before.peakMb).toFixed(0)} MB; ` +
        'the rest is Node, oclif and the Kubernetes client, loaded by every cluster command.',
    )
  }
}

/** `mtls doctor -k` with the apps in the cluster now: wall time, peak memory and the requests of its paginated scan. */
async function doctorFigure(cluster: BenchCluster, apps: number): Promise<void> {
  const doctor: Command & {display: string} = {
    name: `dapr mtls doctor -k (${apps} apps)`,
    display: `dapr mtls doctor -k (${apps} apps)`,
    argv: dapr('mtls', 'doctor', '-k', '--kubeconfig', cluster.kubeconfig),
    env,
    okExitCodes: [0, 3, 4],
  }
  const timings = await timeInTurn([doctor], Math.max(3, Math.ceil(runs / 2)))
  const timing = timings.get(doctor.name) as Timing
  figures.push({
    section: 'scale',
    name: doctor.name,
    command: doctor.display,
    ms: timing.median,
    minMs: timing.min,
    peakMb: timing.peakMb,
    requests: await countRequests(cluster, dapr('mtls', 'doctor', '-k'), env, [0, 3, 4]),
  })
}

async function restart(cluster: BenchCluster): Promise<Report['restart']> {
  const set = appSet('restart', 1, Number(flags['restart-apps']))
  await ensureApps(cluster, set, log)
  log(`--restart-apps over ${appCount(set)} Deployments`)
  const results = await restartFigures(cluster, set, [1, 5, 20], {argv: dapr(), env}, log)
  const ceiling = results[0]
  const sequential = results.find((f) => f.name.includes('sequential'))
  const headroom = ceiling && sequential ? ceiling.rate / sequential.rate : undefined
  const throttled =
    ceiling?.throttledSeconds === undefined
      ? ''
      : ` While it ran, the controller-manager's requests waited ${ceiling.throttledSeconds.toFixed(0)} s in all in ` +
        `its client-side rate limiter (its --kube-api-qps${flags['harness-qps'] === undefined ? ', 20 by default' : ''}): that limit is the cap.`
  const ceilingWords =
    headroom === undefined
      ? ''
      : ` A sequential kubectl loop already reaches ${(100 / headroom).toFixed(0)} % of the ceiling, so no client can ` +
        `be more than ${headroom.toFixed(1)}× faster than that loop on this harness; the ratios against kubectl measure ` +
        'the client only up to the ceiling.'
  return {
    apps: (await listApps(cluster, set)).length,
    figures: results,
    note:
      "Each row restarts every Deployment and waits until all have rolled out (kubectl's rules). The first row is the " +
      `harness's ceiling: ${ceiling?.rate.toFixed(2) ?? 'n/a'} rollouts a second, the pace at which this harness's ` +
      `controller-manager, scheduler and kwok complete rollouts on this machine whoever asks.${throttled}${ceilingWords}`,
  }
}

async function profiles(cluster: BenchCluster | undefined): Promise<void> {
  log('profiles')
  const k = cluster ? ['--kubeconfig', cluster.kubeconfig] : []
  const commands: (Command & {figure: string})[] = [
    {name: 'dapr --version', figure: 'dapr --version', argv: dapr('--version'), env},
    {name: 'dapr --help', figure: 'dapr --help', argv: dapr('--help'), env},
    {name: 'dapr mtls expiry', figure: 'dapr mtls expiry', argv: dapr('mtls', 'expiry', '--certs-dir', certsDir), env},
    {
      name: 'dapr mtls renew-certificate',
      figure: 'dapr mtls renew-certificate',
      argv: dapr('mtls', 'renew-certificate', '--certs-dir', certsDir),
      env,
    },
    ...(cluster
      ? [{name: 'dapr status -k', figure: 'dapr status -k', argv: dapr('status', '-k', ...k), env, okExitCodes: [0, 3]}]
      : []),
  ]
  for (const command of commands) {
    const figure = figures.find((f) => f.command === command.figure)
    const ms = figure?.ms ?? median(await Promise.all([1, 2, 3].map(() => timeOnce(command))))
    report.profiles.push({name: command.name, ms, shares: await profileCommand(command, 5)})
    const samples: Map<string, number[]> = new Map()
    for (let i = 0; i < 5; i++) {
      const [node, ...rest] = command.argv
      const result = spawnSync(node ?? 'node', ['--import', path.join(root, 'bench', 'oclif-perf.js'), ...rest], {
        env: {...process.env, ...command.env, DEBUG: 'oclif:perf'},
        encoding: 'utf8',
      })
      for (const match of result.stderr.matchAll(/oclif:perf\s+(?:• )?([A-Za-z ]+): ([\d.]+)ms/g)) {
        const [, phase = '', value = ''] = match
        if (
          ![
            'Process Uptime',
            'Oclif Time',
            'Root Plugin Load Time',
            'Core Plugin Load Time',
            'Command Load Time',
            'Command Run Time',
          ].includes(phase)
        )
          continue
        samples.set(phase, [...(samples.get(phase) ?? []), Number(value)])
      }
    }
    report.oclifPhases.push({name: command.name, phases: new Map([...samples].map(([p, v]) => [p, median(v)]))})
  }
}

const report: Report = {
  date: new Date().toISOString(),
  machine: machine(),
  runs,
  figures,
  profiles: [],
  oclifPhases: [],
  notes,
  skipped,
}

let cluster: BenchCluster | undefined
try {
  if (sections.has('startup')) await startup()
  else {
    execFileSync('node', [cliPath, 'init', '--enable-mtls', '--certs-dir', certsDir], {env: {...process.env, ...env}})
    skipped.push('start-up section (--only)')
  }
  const needsCluster = ['cluster', 'scale', 'restart'].some((s) => sections.has(s as Section))
  if (needsCluster) {
    try {
      if (flags['harness-qps'] !== undefined && flags.kubeconfig !== undefined) {
        throw new Error('--harness-qps starts a cluster of its own: leave out --kubeconfig')
      }
      const options = {
        kubeconfig: flags.kubeconfig,
        keep: flags['keep-cluster'],
        cli: dapr(),
        log,
        harnessQps: flags['harness-qps'] === undefined ? undefined : Number(flags['harness-qps']),
      }
      cluster = await openCluster(options)
      await ensureDapr(cluster, options)
      report.machine.push(
        options.harnessQps === undefined
          ? "Harness: the test cluster's components with their default client rate limits"
          : `Harness: controller-manager and scheduler started with --kube-api-qps=${options.harnessQps} --kube-api-burst=${2 * options.harnessQps}`,
      )
      report.machine.push(`Cluster: ${(await kubectl(cluster, 'version')).stdout.replace(/\n/g, '; ')}`)
    } catch (error) {
      skipped.push(
        `cluster sections: the harness cluster could not be started (${(error as Error).message.split('\n')[0]}); build it with \`npm run cluster:build\` and the chart with \`npm run dapr:build\``,
      )
      cluster = undefined
    }
  }
  if (cluster) {
    if (sections.has('cluster')) await clusterCommands(cluster)
    if (sections.has('scale')) await scale(cluster)
    if (sections.has('restart')) report.restart = await restart(cluster)
  }
  if (sections.has('profile')) await profiles(cluster)
  for (const section of sectionNames) if (!sections.has(section)) skipped.push(`${section} section (--only)`)
  const over = figures.filter(
    (f) => (f.budget !== undefined && (ratioOf(f) ?? 0) > f.budget) || (f.peakMb ?? 0) > memoryBudgetMb,
  )
  notes.unshift(
    over.length === 0
      ? 'Every figure with a budget is within it in this run.'
      : `Over budget in this run: ${over.map((f) => `\`${f.command}\``).join(', ')} (see "Where the time goes").`,
  )
  writeFileSync(flags.out, renderReport(report))
  log(`wrote ${flags.out}`)
} finally {
  rmSync(home, {recursive: true, force: true})
  await cluster?.close()
}
