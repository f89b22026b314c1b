// `dapr init -k`: prepare (certificates checked, plan built, nothing touched), preflight (helm present, no release in
// the way, root key file writable) and install (`helm install` with the certificates in a temporary values file).
import {existsSync} from 'node:fs'
import {rm} from 'node:fs/promises'

import type {CertificateInfo} from '../certs/index.js'
import {UserError} from '../errors.js'
import type {StatusKind} from '../output/terminal.js'
import type {KeyLoadOptions} from '../renewal/inputs.js'
import {type NewBundle, warningLine} from '../renewal/new-bundle.js'
import {assertKeyFileWritable, writeKeyFile} from '../selfhosted/key-file.js'
import {installBundle} from './certificates.js'
import {alreadyInstalled, installFailure} from './failure.js'
import type {InstallOptions} from './options.js'
import {buildInstallPlan, type InstallPlan} from './plan.js'
import {findRelease, helmVersion, runHelm} from './run.js'
import {withValuesFile} from './values-file.js'
import {certificateValuesFile, effectiveValue} from './values.js'

export interface PreparedInstall {
  plan: InstallPlan
  bundle: NewBundle | undefined
  rootKeyOut: string | undefined
}

export interface InstallResult {
  namespace: string
  release: string
  chart: string
  chartVersion: string
  /** The chart's appVersion: the Dapr runtime version it installs unless --runtime-version pinned another tag. */
  appVersion: string
  runtimeVersion: string
  mtlsEnabled: boolean
  haEnabled: boolean
  waited: boolean
  certificateSource: InstallPlan['certificateSource']
  certificates: CertificateInfo[]
  rootKeyFile: string | undefined
  helmVersion: string
}

export interface InstallHooks {
  keyOptions?: KeyLoadOptions
  /** Stop after the plan: no helm call, no file written. */
  dryRun: boolean
  /** Progress lines, in the official CLI's wording. */
  progress: (kind: StatusKind, message: string) => void
}

export type InstallOutcome = {dryRun: true; plan: InstallPlan} | {dryRun: false; result: InstallResult}

/** The whole install; every check (certificates, helm, release, key file) comes before the first line of progress. */
export async function installDapr(options: InstallOptions, hooks: InstallHooks): Promise<InstallOutcome> {
  const prepared = await prepareInstall(options, hooks.keyOptions)
  if (hooks.dryRun) return {dryRun: true, plan: prepared.plan}
  const helm = await preflightInstall(prepared)
  hooks.progress('pending', 'Making the jump to hyperspace...')
  for (const warning of prepared.bundle?.warnings ?? []) hooks.progress('warning', warningLine(warning))
  hooks.progress(
    'pending',
    `Deploying the Dapr control plane with ${options.runtimeVersion} version to your cluster...`,
  )
  const result = await applyInstall(prepared, helm)
  if (result.rootKeyFile !== undefined) {
    hooks.progress('info', `Root private key written to ${result.rootKeyFile} (mode 0600); keep it safe`)
  }
  return {dryRun: false, result}
}

/** The official success sentence, mismatched quote included: scripts match it. */
export function installedMessage(namespace: string): string {
  return `Success! Dapr has been installed to namespace ${namespace}. To verify, run \`dapr status -k' in your terminal. To get started, go here: https://docs.dapr.io/getting-started`
}

/** Everything that can be checked without the cluster: flags, certificate files, Sentry's rules. */
export async function prepareInstall(
  options: InstallOptions,
  keyOptions: KeyLoadOptions = {},
): Promise<PreparedInstall> {
  const bundle = await installBundle(options, keyOptions)
  const rootKeyOut = options.certificates.kind === 'generated' ? options.certificates.rootKeyOut : undefined
  return {plan: buildInstallPlan(options, bundle?.certificates), bundle, rootKeyOut}
}

/** Checks that need helm and the cluster but change nothing; returns helm's version. */
export async function preflightInstall(prepared: PreparedInstall): Promise<string> {
  const {plan} = prepared
  if (isLocalChart(plan.chart) && !existsSync(plan.chart)) {
    throw new UserError(`chart ${plan.chart} does not exist`, {
      hint: 'Give --chart the path of a chart directory or .tgz file, or an oci:// reference.',
    })
  }
  const version = await helmVersion()
  const existing = await findRelease(plan.release, plan.namespace, plan.connectionArgs)
  if (existing) throw alreadyInstalled(plan, `${existing.status}, chart ${existing.chart}`)
  if (prepared.rootKeyOut !== undefined) await assertKeyFileWritable(prepared.rootKeyOut)
  return version
}

/** Helm also takes `repo/chart` names; only what is written as a path must exist here. */
function isLocalChart(chart: string): boolean {
  return /^(\.{0,2}\/|~)/.test(chart) || /\.tgz$/.test(chart)
}

interface HelmReleaseJson {
  chart?: {metadata?: {version?: string; appVersion?: string}}
}

export async function applyInstall(prepared: PreparedInstall, helm: string): Promise<InstallResult> {
  const {plan, bundle, rootKeyOut} = prepared
  let rootKeyFile: string | undefined
  // The key is on disk before the root reaches the cluster, so a root without its key never exists.
  if (rootKeyOut !== undefined && bundle?.rootKeyPem !== undefined) {
    await writeKeyFile(rootKeyOut, bundle.rootKeyPem)
    rootKeyFile = rootKeyOut
  }
  try {
    const content = bundle ? certificateValuesFile(bundle.bundle) : undefined
    const result = await withValuesFile(content, (file) =>
      runHelm([...plan.helmArgs, ...(file === undefined ? [] : ['--values', file]), '--output', 'json']),
    )
    if (result.exitCode !== 0) throw installFailure(result.stderr, plan)
    const release = parseRelease(result.stdout)
    return {
      namespace: plan.namespace,
      release: plan.release,
      chart: plan.chart,
      chartVersion: release.chart?.metadata?.version ?? '',
      appVersion: release.chart?.metadata?.appVersion ?? '',
      runtimeVersion: effectiveValue(plan.values, 'global.tag') ?? release.chart?.metadata?.appVersion ?? '',
      mtlsEnabled: plan.mtlsEnabled,
      haEnabled: plan.haEnabled,
      waited: plan.wait,
      certificateSource: plan.certificateSource,
      certificates: plan.certificates,
      rootKeyFile,
      helmVersion: helm,
    }
  } catch (error) {
    if (rootKeyFile !== undefined) await discardUnusedRootKey(plan, rootKeyFile)
    throw error
  }
}

/**
 * A root key is only worth keeping when its root reached the cluster. Without a release it did not, and removing the
 * key lets the same command run again; with one (a timeout, a failed resource) the Secret may hold the root.
 */
async function discardUnusedRootKey(plan: InstallPlan, file: string): Promise<void> {
  const release = await findRelease(plan.release, plan.namespace, plan.connectionArgs).catch(() => 'unknown')
  if (release === undefined) await rm(file, {force: true})
}

/** Only the chart's versions are read from Helm's report; without them the install still succeeded. */
function parseRelease(stdout: string): HelmReleaseJson {
  try {
    return JSON.parse(stdout) as HelmReleaseJson
  } catch {
    return {}
  }
}
