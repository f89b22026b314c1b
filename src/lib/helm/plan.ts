// The plan of `dapr init -k` as plain data: the helm command, every chart value in the order it applies, and the
// certificates. --dry-run prints it and stops; the install runs exactly this command.
import type {CertificateInfo} from '../certs/index.js'
import {renderTable} from '../output/table.js'
import {rfc1123} from '../output/time-layouts.js'
import type {CertificateSource, InstallOptions} from './options.js'
import {type ChartValue, certificateValueSummary, effectiveValue, flagValues, latestVersion} from './values.js'

export interface InstallPlan {
  release: string
  namespace: string
  chart: string
  repo: string | undefined
  /** Undefined for `latest`: the newest chart Helm finds. */
  chartVersion: string | undefined
  wait: boolean
  timeoutSeconds: number
  /** Every value in the order it applies (later wins); certificate values are described, not shown. */
  values: ChartValue[]
  /** global.mtls.enabled and global.ha.enabled once every value has applied. */
  mtlsEnabled: boolean
  haEnabled: boolean
  certificateSource: CertificateSource['kind']
  certificates: CertificateInfo[]
  /** The helm arguments; the certificate values file is added at run time, as `--values <file>`. */
  helmArgs: string[]
  /** --kubeconfig and --kube-context for every helm call, so Helm talks to the cluster the user chose. */
  connectionArgs: string[]
}

export function buildInstallPlan(options: InstallOptions, certificates: CertificateInfo[] = []): InstallPlan {
  const pinned = options.runtimeVersion === latestVersion ? undefined : options.runtimeVersion
  const values = [
    ...flagValues(options),
    ...options.userValues,
    ...(options.certificates.kind === 'sentry' ? [] : certificateValueSummary(certificates)),
  ]
  const connectionArgs = [
    ...(options.kubeconfig === undefined ? [] : ['--kubeconfig', options.kubeconfig]),
    ...(options.context === undefined ? [] : ['--kube-context', options.context]),
  ]
  const helmArgs = [
    'install',
    options.release,
    options.chart.ref,
    ...(options.chart.repo === undefined ? [] : ['--repo', options.chart.repo]),
    ...(pinned === undefined ? [] : ['--version', pinned]),
    '--namespace',
    options.namespace,
    '--create-namespace',
    ...(options.wait ? ['--wait'] : []),
    '--timeout',
    `${options.timeoutSeconds}s`,
    // Helm applies repeated --set in order, so the user's entries override the flags' values, as upstream.
    ...flagValues(options).flatMap((v) => ['--set', `${v.key}=${v.value}`]),
    ...options.setEntries.flatMap((entry) => ['--set', entry]),
    ...connectionArgs,
  ]
  return {
    release: options.release,
    namespace: options.namespace,
    chart: options.chart.ref,
    repo: options.chart.repo,
    chartVersion: pinned,
    wait: options.wait,
    timeoutSeconds: options.timeoutSeconds,
    values,
    mtlsEnabled: effectiveValue(values, 'global.mtls.enabled') === 'true',
    haEnabled: effectiveValue(values, 'global.ha.enabled') === 'true',
    certificateSource: options.certificates.kind,
    certificates,
    helmArgs,
    connectionArgs,
  }
}

const certificateNotes: Record<CertificateSource['kind'], string> = {
  sentry: 'Certificates: none given; Sentry generates a self-signed root and issuer when it starts.',
  generated: 'Certificates: generated here, passed to the chart in a temporary values file (mode 0600).',
  provided: 'Certificates: yours, checked by Sentry’s rules, passed in a temporary values file (mode 0600).',
}

/** A command line a person can paste: arguments quoted for a POSIX shell where needed. */
export function shellCommand(args: readonly string[]): string {
  return args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export function renderInstallPlan(plan: InstallPlan): string {
  const valuesFile = plan.certificateSource === 'sentry' ? '' : ' --values <certificates values file>'
  const lines = [
    `Install plan for namespace ${plan.namespace} (--dry-run: nothing is changed):`,
    '',
    `  ${shellCommand(['helm', ...plan.helmArgs])}${valuesFile}`,
    '',
    'Values, in the order they apply (later wins):',
    renderTable(
      ['KEY', 'VALUE', 'FROM'],
      // Fingerprints are shortened here; the certificate lines below show them in full.
      plan.values.map((v) => [v.key, v.value.length > 60 ? `${v.value.slice(0, 59)}…` : v.value, v.source]),
    )
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    '',
    certificateNotes[plan.certificateSource],
  ]
  for (const c of plan.certificates) {
    lines.push(`  ${c.role}: ${c.subject}, valid through ${rfc1123(c.notAfter)}, SHA-256 ${c.sha256Fingerprint}`)
  }
  return lines.join('\n')
}
