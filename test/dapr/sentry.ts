// Real Sentry (built by test/dapr/build.sh) as a plain process on loopback: self-hosted on a certs directory, or in
// Kubernetes mode against the test cluster. Also the verdict a real Sentry gives on a certs directory.
import {chown, copyFile, cp, link, mkdir, mkdtemp, readFile, rm, writeFile, chmod} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import YAML from 'yaml'

import {freePorts} from '../helpers/ports.js'
import {daprBinaries, type SentryVersion} from './binaries.js'
import {httpStatus, launch, type LaunchedProcess, type ProcessHandle, untilReady} from './process.js'
import {type SignResult, signWorkload, type SignWorkloadOptions} from './sign-client.js'

export type SentryMode = 'standalone' | 'kubernetes'

/** Sentry's `--issuer-*-filename` flags; relative names are resolved in the credentials directory. */
export interface IssuerFilenames {
  ca?: string
  cert?: string
  key?: string
}

/** One entry of `spec.mtls.tokenValidators` (Sentry accepts only `jwks`). */
export interface TokenValidatorSpec {
  name: string
  options?: Record<string, unknown>
}

interface CommonSentryOptions {
  version: SentryVersion
  /** `--trust-domain`, default `cluster.local`. */
  trustDomain?: string
  issuerFilenames?: IssuerFilenames
  /** More flags, e.g. `['--jwt-enabled']` or `['--log-level', 'debug']`. */
  extraArgs?: string[]
  /** Added to the environment. */
  env?: Record<string, string>
}

export interface StandaloneSentryOptions extends CommonSentryOptions {
  mode?: 'standalone'
  /** The certs directory (ca.crt, issuer.crt, issuer.key); Sentry reads it, watches it and may write to it. */
  credentialsDir: string
  /** An existing Configuration file; otherwise one is written with mTLS on and the settings below. */
  configFile?: string
  workloadCertTTL?: string
  allowedClockSkew?: string
  tokenValidators?: TokenValidatorSpec[]
  /** NAMESPACE env: part of Sentry's own SPIFFE ID; default `default`, as Sentry assumes when it is unset. */
  namespace?: string
}

export interface KubernetesSentryOptions extends CommonSentryOptions {
  mode: 'kubernetes'
  /** Copied into the run dir for Sentry's user (Sentry ignores KUBECONFIG and reads `--kubeconfig`). */
  kubeconfig: string
  /** NAMESPACE env: where Sentry reads the `dapr-trust-bundle` Secret and ConfigMap and its Configuration. */
  namespace: string
  /**
   * A local directory Sentry watches for changes (in this mode the bundle itself comes from the API); default an empty
   * directory of its own. It must be readable by UID 65532.
   */
  credentialsDir?: string
  /** `--config`: the Configuration object's name, default `daprsystem`. */
  configName?: string
}

export type StartSentryOptions = StandaloneSentryOptions | KubernetesSentryOptions

/**
 * `ready()` waits for Sentry's healthz to answer 200 and, if Sentry exits first, rejects with its fatal log message.
 * `stop()` leaves the credentials directory alone.
 */
export interface SentryProcess extends ProcessHandle {
  /** `127.0.0.1:<port>` of the gRPC CA service. */
  address: string
  healthzPort: number
  metricsPort: number
  version: SentryVersion
  mode: SentryMode
  trustDomain: string
  namespace: string
  /** `spiffe://<trust domain>/ns/<namespace>/dapr-sentry`, the only SAN of Sentry's serving certificate. */
  sentryId: string
  credentialsDir: string
  /** Resolves with the exit code when Sentry exits. */
  whenExited: Promise<number>
  /** The message of Sentry's fatal log line (or its panic), if it wrote one. */
  fatal(): string | undefined
  /** The sign client against this Sentry: address, trust domain and Sentry namespace filled in. */
  sign(options: Omit<SignWorkloadOptions, 'address' | 'trustDomain' | 'sentryNamespace'>): Promise<SignResult>
}

// Sentry refuses to run in Kubernetes mode as any other user (the user of its container image).
const SENTRY_UID = 65532

/** Starts Sentry; resolves once the process is started (not yet serving: see `ready()`). */
export async function startSentry(options: StartSentryOptions): Promise<SentryProcess> {
  const binaries = await daprBinaries()
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'dapr-mtls-sentry-'))
  try {
    const [port, healthzPort, metricsPort] = await freePorts(3)
    const trustDomain = options.trustDomain ?? 'cluster.local'
    const names = options.issuerFilenames ?? {}
    const common = [
      `--trust-domain=${trustDomain}`,
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      `--healthz-port=${healthzPort}`,
      '--healthz-listen-address=127.0.0.1',
      `--metrics-port=${metricsPort}`,
      '--metrics-listen-address=127.0.0.1',
      ...(names.ca === undefined ? [] : [`--issuer-ca-filename=${names.ca}`]),
      ...(names.cert === undefined ? [] : [`--issuer-certificate-filename=${names.cert}`]),
      ...(names.key === undefined ? [] : [`--issuer-key-filename=${names.key}`]),
    ]
    const mode = options.mode ?? 'standalone'
    const setup =
      options.mode === 'kubernetes'
        ? await kubernetesSetup(options, runDir, binaries.sentry[options.version])
        : await standaloneSetup(options, runDir, binaries.sentry[options.version])
    const launched = launch({
      name: `sentry-${options.version}`,
      command: setup.command,
      args: [
        ...setup.args,
        `--mode=${mode}`,
        `--issuer-credentials=${setup.credentialsDir}`,
        ...common,
        ...(options.extraArgs ?? []),
      ],
      runDir,
      env: {NAMESPACE: setup.namespace, ...options.env},
    })
    return sentryHandle(launched, {
      address: `127.0.0.1:${port}`,
      healthzPort,
      metricsPort,
      version: options.version,
      mode,
      trustDomain,
      namespace: setup.namespace,
      sentryId: `spiffe://${trustDomain}/ns/${setup.namespace}/dapr-sentry`,
      credentialsDir: setup.credentialsDir,
      runDir,
    })
  } catch (error) {
    await rm(runDir, {recursive: true, force: true})
    throw error
  }
}

/** How one mode starts Sentry: the command, its leading arguments, and what the rest of the start needs. */
interface ModeSetup {
  command: string
  args: string[]
  namespace: string
  credentialsDir: string
}

async function standaloneSetup(options: StandaloneSentryOptions, runDir: string, sentry: string): Promise<ModeSetup> {
  const configFile = options.configFile ?? path.join(runDir, 'config.yaml')
  if (options.configFile === undefined) await writeFile(configFile, sentryConfiguration(options))
  return {
    command: sentry,
    args: [`--config=${configFile}`],
    namespace: options.namespace ?? 'default',
    credentialsDir: options.credentialsDir,
  }
}

/**
 * Runs Sentry as UID/GID 65532, as it insists in this mode. Everything it reads must be reachable by that user: the
 * run dir, a copy of the kubeconfig and a link to (or copy of) the binary, since the build cache may sit in a home
 * directory closed to other users.
 */
async function kubernetesSetup(options: KubernetesSentryOptions, runDir: string, sentry: string): Promise<ModeSetup> {
  await chmod(runDir, 0o755)
  const credentialsDir = options.credentialsDir ?? path.join(runDir, 'credentials')
  if (options.credentialsDir === undefined) await mkdir(credentialsDir, {mode: 0o755})
  const kubeconfig = path.join(runDir, 'kubeconfig')
  await writeFile(kubeconfig, await readFile(options.kubeconfig), {mode: 0o600})
  await chown(kubeconfig, SENTRY_UID, SENTRY_UID)
  const binary = path.join(runDir, 'sentry')
  await link(sentry, binary).catch(() => copyFile(sentry, binary))
  return {
    command: 'setpriv',
    args: [
      `--reuid=${SENTRY_UID}`,
      `--regid=${SENTRY_UID}`,
      '--clear-groups',
      binary,
      `--kubeconfig=${kubeconfig}`,
      `--config=${options.configName ?? 'daprsystem'}`,
    ],
    namespace: options.namespace,
    credentialsDir,
  }
}

/** The self-hosted Configuration Sentry reads at start (`--config`): mTLS on, plus the settings given. */
function sentryConfiguration(options: StandaloneSentryOptions): string {
  const mtls: Record<string, unknown> = {enabled: true}
  if (options.workloadCertTTL !== undefined) mtls.workloadCertTTL = options.workloadCertTTL
  if (options.allowedClockSkew !== undefined) mtls.allowedClockSkew = options.allowedClockSkew
  if (options.tokenValidators !== undefined) mtls.tokenValidators = options.tokenValidators
  return YAML.stringify({
    apiVersion: 'dapr.io/v1alpha1',
    kind: 'Configuration',
    metadata: {name: 'daprsystem'},
    spec: {mtls},
  })
}

type SentryFacts = Pick<
  SentryProcess,
  | 'address'
  | 'healthzPort'
  | 'metricsPort'
  | 'version'
  | 'mode'
  | 'trustDomain'
  | 'namespace'
  | 'sentryId'
  | 'credentialsDir'
  | 'runDir'
>

function sentryHandle(launched: LaunchedProcess, facts: SentryFacts): SentryProcess {
  const fatal = () => fatalMessage(launched.logs())
  return {
    ...facts,
    logs: () => launched.logs(),
    waitForLog: (pattern, timeoutMs) => launched.waitForLog(pattern, timeoutMs),
    async ready(timeoutMs = 30_000) {
      const healthz = `http://127.0.0.1:${facts.healthzPort}/healthz`
      try {
        await untilReady(launched, 'serving', async () => (await httpStatus(healthz)) === 200, timeoutMs)
      } catch (error) {
        if (launched.exitCode === undefined) throw error
        throw new Error(
          `sentry ${facts.version} (${facts.mode}) exited with code ${launched.exitCode}: ${fatal() ?? '(no fatal log line)'}\n` +
            launched.logTail(),
          {cause: error},
        )
      }
    },
    get exited() {
      return launched.exitCode
    },
    whenExited: launched.exited,
    fatal,
    sign: (options) =>
      signWorkload({
        ...options,
        address: facts.address,
        trustDomain: facts.trustDomain,
        sentryNamespace: facts.namespace,
      }),
    async stop() {
      await launched.stop()
      await rm(facts.runDir, {recursive: true, force: true})
    },
  }
}

/** The message of the first `level=fatal` line of Sentry's text log, or the first line of a Go panic. */
export function fatalMessage(logs: string): string | undefined {
  const fatal = /level=fatal msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(logs)
  if (fatal?.[1] !== undefined) {
    const quoted = fatal[1]
    if (!quoted.startsWith('"')) return quoted
    try {
      return JSON.parse(quoted) as string
    } catch {
      return quoted.slice(1, -1)
    }
  }
  return /^panic: .*$/m.exec(logs)?.[0]
}

const BUNDLE_FILES = {ca: 'ca.crt', cert: 'issuer.crt', key: 'issuer.key'} as const

export interface SentryVerdictOptions {
  trustDomain?: string
  issuerFilenames?: IssuerFilenames
  /** The sign client's CSR key, default `ecdsa`. */
  key?: SignWorkloadOptions['key']
  /** Bound for Sentry to serve or exit, default 30 s. */
  timeoutMs?: number
}

interface VerdictCommon {
  /** Which of the three bundle files Sentry created, changed or removed in the copy it ran on. */
  changedFiles: string[]
  logs: string
}

export type SentryVerdict =
  | (VerdictCommon & {
      /** Sentry loaded the bundle and served. */
      accepted: true
      /** What the sign client got; `signed.verified` says the workload chain verifies against the directory's ca.crt. */
      signed: SignResult
    })
  | (VerdictCommon & {
      accepted: false
      /** Sentry's fatal log message. */
      reason: string
    })

/**
 * What a real self-hosted Sentry of `version` makes of a certs directory: it runs on a copy (Sentry may rewrite the
 * files), and either serves, and then signs a workload certificate that is verified against the directory's own
 * ca.crt, or exits with a fatal message. A refused bundle is known as soon as Sentry exits (well under a second).
 */
export async function sentryVerdict(
  version: SentryVersion,
  certsDir: string,
  options: SentryVerdictOptions = {},
): Promise<SentryVerdict> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'dapr-mtls-verdict-'))
  const names = {...BUNDLE_FILES, ...options.issuerFilenames}
  try {
    const credentialsDir = path.join(copy, 'certs')
    await cp(certsDir, credentialsDir, {recursive: true})
    const before = await readBundleFiles(credentialsDir, names)
    const sentry = await startSentry({
      version,
      credentialsDir,
      trustDomain: options.trustDomain,
      issuerFilenames: options.issuerFilenames,
    })
    let verdict: SentryVerdict
    try {
      await sentry.ready(options.timeoutMs).catch((error: unknown) => {
        if (sentry.exited === undefined) throw error
      })
      if (sentry.exited === undefined) {
        const signed = await sentry.sign({caFile: path.resolve(certsDir, names.ca), key: options.key})
        verdict = {accepted: true, signed, changedFiles: [], logs: ''}
      } else {
        verdict = {accepted: false, reason: sentry.fatal() ?? sentry.logs(), changedFiles: [], logs: ''}
      }
    } finally {
      await sentry.stop()
    }
    const after = await readBundleFiles(credentialsDir, names)
    verdict.changedFiles = Object.values(names).filter((name) => !sameBytes(before.get(name), after.get(name)))
    verdict.logs = sentry.logs()
    return verdict
  } finally {
    await rm(copy, {recursive: true, force: true})
  }
}

async function readBundleFiles(dir: string, names: Required<IssuerFilenames>): Promise<Map<string, Buffer | null>> {
  const files = new Map<string, Buffer | null>()
  for (const name of Object.values(names)) {
    files.set(name, await readFile(path.resolve(dir, name)).catch(() => null))
  }
  return files
}

function sameBytes(a: Buffer | null | undefined, b: Buffer | null | undefined): boolean {
  if (!a || !b) return !a && !b
  return a.equals(b)
}
