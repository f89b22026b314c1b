// BENCHMARKS.md: the machine, the date, every figure with its baseline, ratio and budget, and where the time goes.
import type {RestartFigure} from './restart.js'
import type {RequestCount} from './requests.js'

export interface Figure {
  section: 'start-up' | 'cluster' | 'scale'
  name: string
  /** The command line, as a reader would type it. */
  command: string
  ms: number
  minMs: number
  baseline?: {name: string; ms: number} | undefined
  /** Ratio budget against the baseline (DESIGN.md section 12). */
  budget?: number | undefined
  peakMb: number | undefined
  requests?: RequestCount | undefined
  /** The same figure for the build given with --before. */
  before?: {ms: number; ratio: number | undefined; peakMb: number | undefined} | undefined
}

export const memoryBudgetMb = 100

export interface Report {
  date: string
  machine: string[]
  runs: number
  figures: Figure[]
  restart?: {apps: number; figures: RestartFigure[]; note: string} | undefined
  /** Profiles: command name, its median wall time, and the share of each bucket. */
  profiles: {name: string; ms: number; shares: Map<string, number>}[]
  /** oclif's own timers (init, config load, command load and run), median ms per command. */
  oclifPhases: {name: string; phases: Map<string, number>}[]
  notes: string[]
  skipped: string[]
}

const fixed = (value: number | undefined, digits = 0) => (value === undefined ? 'n/a' : value.toFixed(digits))
export const ratioOf = (figure: Figure): number | undefined =>
  figure.baseline === undefined ? undefined : figure.ms / figure.baseline.ms

function verdict(figure: Figure): string {
  const ratio = ratioOf(figure)
  const timeOk = figure.budget === undefined || ratio === undefined || ratio <= figure.budget
  const memoryOk = figure.peakMb === undefined || figure.peakMb <= memoryBudgetMb
  return timeOk && memoryOk ? 'ok' : `**over**${timeOk ? ' (memory)' : ''}`
}

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ]
}

function figureTable(figures: Figure[], withBefore: boolean): string[] {
  const head = ['command', 'median ms', 'min ms', 'baseline', 'baseline ms', 'ratio', 'budget', 'peak MB', 'verdict']
  if (withBefore) head.push('before: ms', 'before: ratio', 'before: MB')
  return table(
    head,
    figures.map((f) => {
      const row = [
        `\`${f.command}\``,
        fixed(f.ms),
        fixed(f.minMs),
        f.baseline ? `\`${f.baseline.name}\`` : '',
        fixed(f.baseline?.ms),
        fixed(ratioOf(f), 2),
        f.budget === undefined ? '' : `≤ ${f.budget}`,
        fixed(f.peakMb),
        verdict(f),
      ]
      if (withBefore) row.push(fixed(f.before?.ms), fixed(f.before?.ratio, 2), fixed(f.before?.peakMb))
      return row
    }),
  )
}

export function renderReport(report: Report): string {
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${report.date}. Every time is the median of ${report.runs} runs, ` +
      'each run side by side with its baseline (one round runs every command once, in turn), so a busy machine ' +
      'slows both alike. Budgets are those of DESIGN.md section 12; peak memory is the resident set of the whole ' +
      `process (budget ${memoryBudgetMb} MB).`,
    '',
    '## Machine',
    '',
    ...report.machine.map((line) => `- ${line}`),
    '',
  ]
  const withBefore = report.figures.some((f) => f.before !== undefined)
  const sections: [Figure['section'], string, string][] = [
    ['start-up', 'Start-up and self-hosted commands', 'Baseline: `node -e 0`, the start of Node itself.'],
    [
      'cluster',
      'Cluster commands on the harness cluster (real Dapr 1.16.2 chart)',
      'Baseline: one `kubectl get` that reads the same objects (kubectl built by the harness, same version as the server).',
    ],
    ['scale', 'At scale', 'The cluster grown with Dapr-enabled Deployments (one pod each, a daprd container in it).'],
  ]
  for (const [section, title, intro] of sections) {
    const figures = report.figures.filter((f) => f.section === section)
    if (figures.length === 0) continue
    lines.push(`## ${title}`, '', intro, '', ...figureTable(figures, withBefore), '')
    const counted = figures.filter((f) => f.requests !== undefined)
    if (counted.length > 0) {
      lines.push('API requests (counted by a proxy in front of the API server):', '')
      for (const f of counted) {
        const r = f.requests
        if (r === undefined) continue
        const pages = r.pagedLists > 0 ? `; ${r.pagedLists} paginated lists, ${r.continued} continued` : ''
        lines.push(`- \`${f.command}\`: ${r.total} requests${pages}`, ...r.lines.map((line) => `  - ${line}`))
      }
      lines.push('')
    }
  }
  if (report.restart !== undefined) {
    const {apps, figures, note} = report.restart
    const sequential = figures.find((f) => f.name.includes('sequential'))
    const xargs = figures.find((f) => f.name.includes('xargs'))
    lines.push(
      `## --restart-apps: ${apps} Dapr-enabled Deployments`,
      '',
      note,
      '',
      ...table(
        [
          'how',
          'seconds',
          'rollouts/s',
          'vs sequential kubectl',
          'vs xargs -P 20',
          'controller-manager rate-limited s',
        ],
        figures.map((f) => [
          f.name,
          fixed(f.seconds, 1),
          fixed(f.rate, 2),
          sequential ? `${(sequential.seconds / f.seconds).toFixed(2)}×` : '',
          xargs ? `${(xargs.seconds / f.seconds).toFixed(2)}×` : '',
          fixed(f.throttledSeconds, 0),
        ]),
      ),
      '',
    )
  }
  if (report.profiles.length > 0) {
    lines.push(
      '## Where the time goes',
      '',
      'From V8 CPU profiles (`node --cpu-prof`) of several runs of each command, every sample charged to what was on ' +
        'the stack (through the source maps of dist/). The profiler slows the process, so the shares are what it ' +
        'measured and the milliseconds are those shares of the median wall time above. "load" is a bundle running ' +
        'its top level when first imported; "run" is the same code doing the command\'s work.',
      '',
    )
    for (const profile of report.profiles) {
      lines.push(
        `### \`${profile.name}\` (median ${fixed(profile.ms)} ms)`,
        '',
        ...table(
          ['where', 'share', '≈ ms'],
          [...profile.shares]
            .filter(([, share]) => share >= 0.01)
            .map(([bucket, share]) => [bucket, `${(share * 100).toFixed(0)} %`, fixed(share * profile.ms)]),
        ),
        '',
      )
    }
  }
  if (report.oclifPhases.length > 0) {
    const names = [...new Set(report.oclifPhases.flatMap((p) => [...p.phases.keys()]))]
    lines.push(
      "oclif's own timers (its `performanceEnabled` setting; median ms of several runs):",
      '',
      ...table(
        ['command', ...names],
        report.oclifPhases.map((p) => [`\`${p.name}\``, ...names.map((n) => fixed(p.phases.get(n), 1))]),
      ),
      '',
    )
  }
  if (report.notes.length > 0) lines.push('## Notes', '', ...report.notes.map((note) => `- ${note}`), '')
  if (report.skipped.length > 0)
    lines.push('## Not measured in this run', '', ...report.skipped.map((s) => `- ${s}`), '')
  return lines.join('\n')
}
