// What `dapr init` was asked to do, checked before anything runs: which flags belong to which mode (-k installs the
// control plane with Helm, no -k writes the certificates directory), and the -k flags turned into install options.
import {UsageError} from '../errors.js'
import {assertFlagsFitMode, defaultTimeoutSeconds, type ModeFlags} from '../flags.js'
import {type RenewalMode, resolveRenewalMode} from '../renewal/mode.js'
import {assertNoCertificateOverride, type ChartValue, latestVersion, parseSetEntry} from './values.js'

export const defaultNamespace = 'dapr-system'
export const daprHelmRepo = 'https://dapr.github.io/helm-charts'
export const releaseName = 'dapr'

const initModeFlags: ModeFlags = {
  selfHostedOnly: ['certs-dir', 'config-file', 'force', 'trust-domain', 'sentry-version', 'backup-dir', 'keep'],
  clusterOnly: [
    'namespace',
    'enable-ha',
    'wait',
    'timeout',
    'runtime-version',
    'set',
    'chart',
    'generate-certs',
    'dry-run',
    'kubeconfig',
    'context',
  ],
}

/** `dapr init`'s flags of the other mode are refused, by the rule every command shares. */
export function assertInitFlagsFitMode(kubernetes: boolean, flags: Partial<Record<string, unknown>>): void {
  assertFlagsFitMode(kubernetes, flags, initModeFlags)
}

export interface InitKubernetesFlags {
  namespace?: string | undefined
  'enable-mtls': boolean
  'enable-ha'?: boolean | undefined
  wait?: boolean | undefined
  timeout?: number | undefined
  'runtime-version'?: string | undefined
  set?: string[] | undefined
  chart?: string | undefined
  'generate-certs'?: boolean | undefined
  'valid-until'?: number | undefined
  'root-key-out'?: string | undefined
  'ca-root-certificate'?: string | undefined
  'issuer-public-certificate'?: string | undefined
  'issuer-private-key'?: string | undefined
  kubeconfig?: string | undefined
  context?: string | undefined
}

/** Where the certificates come from: Sentry makes its own at start-up, we generate them, or the user brings them. */
export type CertificateSource =
  | {kind: 'sentry'}
  | {kind: 'generated'; mode: Extract<RenewalMode, {kind: 'fresh'}>; rootKeyOut: string | undefined}
  | {kind: 'provided'; mode: Extract<RenewalMode, {kind: 'provided'}>}

export interface ChartSource {
  /** Helm's chart argument: a chart name in `repo`, a local path, or an oci:// reference. */
  ref: string
  repo: string | undefined
}

export interface InstallOptions {
  release: string
  namespace: string
  haEnabled: boolean
  mtlsEnabled: boolean
  wait: boolean
  timeoutSeconds: number
  runtimeVersion: string
  chart: ChartSource
  userValues: ChartValue[]
  /** The --set entries as given: Helm parses them itself. */
  setEntries: string[]
  certificates: CertificateSource
  kubeconfig: string | undefined
  context: string | undefined
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/

export function installOptions(flags: InitKubernetesFlags, env: NodeJS.ProcessEnv = process.env): InstallOptions {
  const namespace = flags.namespace ?? defaultNamespace
  if (!dnsLabel.test(namespace)) {
    throw new UsageError(
      `--namespace ${namespace} is not a valid namespace name`,
      'Use lower-case letters, digits and -, at most 63.',
    )
  }
  const runtimeVersion = flags['runtime-version'] ?? (env.DAPR_RUNTIME_VERSION || latestVersion)
  if (runtimeVersion !== latestVersion && !semver.test(runtimeVersion)) {
    throw new UsageError(
      `--runtime-version ${runtimeVersion} is not a version`,
      'Give a Dapr version such as 1.16.2, or latest.',
    )
  }
  if (flags.chart?.trim() === '')
    throw new UsageError('--chart is empty', 'Give a local chart path or an oci:// reference.')
  const setEntries = flags.set ?? []
  const userValues = setEntries.flatMap(parseSetEntry)
  const certificates = certificateSource(flags)
  if (certificates.kind !== 'sentry') assertNoCertificateOverride(userValues)
  return {
    release: releaseName,
    namespace,
    haEnabled: flags['enable-ha'] ?? false,
    mtlsEnabled: flags['enable-mtls'],
    wait: flags.wait ?? false,
    timeoutSeconds: flags.timeout ?? defaultTimeoutSeconds,
    runtimeVersion,
    chart:
      flags.chart === undefined
        ? {ref: 'dapr', repo: env.DAPR_HELM_REPO_URL || daprHelmRepo}
        : {ref: flags.chart, repo: undefined},
    userValues,
    setEntries,
    certificates,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
  }
}

function certificateSource(flags: InitKubernetesFlags): CertificateSource {
  const mode = resolveRenewalMode(flags)
  if (mode.kind === 'provided') {
    if (flags['generate-certs']) {
      throw new UsageError(
        '--generate-certs cannot be combined with --ca-root-certificate, --issuer-public-certificate and --issuer-private-key',
        'Generate new certificates or bring your own, not both.',
      )
    }
    if (flags['root-key-out'] !== undefined) {
      throw new UsageError('--root-key-out only applies to certificates made with --generate-certs')
    }
    return {kind: 'provided', mode}
  }
  if (mode.kind === 'fresh' && flags['generate-certs']) {
    return {kind: 'generated', mode, rootKeyOut: flags['root-key-out']}
  }
  for (const name of ['valid-until', 'root-key-out'] as const) {
    if (flags[name] !== undefined) {
      throw new UsageError(
        `--${name} only applies to certificates made with --generate-certs`,
        'Add --generate-certs, or drop it to let Sentry generate its own.',
      )
    }
  }
  return {kind: 'sentry'}
}
