// Real daprd (built by test/dapr/build.sh) self-hosted on loopback with mTLS: its identity comes from a real Sentry,
// its trust anchors from DAPR_TRUST_ANCHORS, and daprd processes find each other through one shared sqlite file.
import {rmSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import YAML from 'yaml'

import {freePorts} from '../helpers/ports.js'
import {daprBinaries} from './binaries.js'
import {httpStatus, launch, type LaunchedProcess, type ProcessHandle, untilReady} from './process.js'

export interface StartDaprdOptions {
  appId: string
  /** Sentry's `127.0.0.1:<port>`. */
  sentryAddress: string
  /** PEM text for DAPR_TRUST_ANCHORS: the roots daprd trusts for Sentry and for its peers. */
  trustAnchors: string
  /** `--control-plane-trust-domain`, default `cluster.local`; daprd waits forever if it is not Sentry's. */
  controlPlaneTrustDomain?: string
  /** NAMESPACE env, default `default`. */
  namespace?: string
  /** The app's port on 127.0.0.1 (for a callee). */
  appPort?: number
  /**
   * The sqlite file of name resolution; every daprd that must reach another needs the same one. Default: one file
   * shared by all daprd this test process starts.
   */
  nameResolutionFile?: string
  /** An existing Configuration file; otherwise one is written with mTLS on, sqlite name resolution and `configSpec`. */
  configFile?: string
  /** Merged into the written Configuration's `spec`, e.g. `{httpPipeline: {handlers: [...]}}`. */
  configSpec?: Record<string, unknown>
  /** `--resources-path`, default an empty directory. */
  resourcesPath?: string
  /** Added to the environment, e.g. DAPR_API_TOKEN, APP_API_TOKEN, DAPR_SENTRY_TOKEN_FILE. */
  env?: Record<string, string>
  /** More flags. */
  extraArgs?: string[]
}

export interface InvokeResult {
  status: number
  body: string
  headers: Headers
}

/** `ready()` waits for GET /v1.0/healthz to answer 204: identity fetched from Sentry, components loaded. */
export interface DaprdProcess extends ProcessHandle {
  appId: string
  httpPort: number
  grpcPort: number
  internalGrpcPort: number
  metricsPort: number
  /** Service invocation through this daprd: `/v1.0/invoke/<appId>/method/<method>`. */
  invoke(appId: string, method: string, init?: RequestInit): Promise<InvokeResult>
}

let sharedNameResolutionFile: string | undefined

function defaultNameResolutionFile(): string {
  if (sharedNameResolutionFile === undefined) {
    const file = path.join(os.tmpdir(), `dapr-mtls-names-${process.pid}.db`)
    sharedNameResolutionFile = file
    process.on('exit', () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, {force: true})
    })
  }
  return sharedNameResolutionFile
}

// daprd that share a sqlite name-resolution file start one after the other: each runs the resolver's migrations on
// it at start, two at the same moment can collide, and daprd only logs a name resolution that failed to start, then
// answers every invocation with 500. The next one is launched once the last one says its name resolution is up (or
// after 20 s, or when it exits).
const nameResolutionTurns = new Map<string, Promise<void>>()

/** Waits for the file's turn; the function it returns ends the turn once `launched` is up (at once without one). */
async function nameResolutionTurn(file: string | undefined): Promise<(launched?: LaunchedProcess) => void> {
  if (file === undefined) return () => {}
  const previous = nameResolutionTurns.get(file) ?? Promise.resolve()
  let release = (): void => {}
  const turn = new Promise<void>((resolve) => {
    release = resolve
  })
  nameResolutionTurns.set(
    file,
    previous.then(() => turn),
  )
  await previous
  return (launched) => {
    if (launched === undefined) release()
    else launched.waitForLog(/Initialized name resolution to/, 20_000).then(release, release)
  }
}

export async function startDaprd(options: StartDaprdOptions): Promise<DaprdProcess> {
  const {daprd} = await daprBinaries()
  const runDir = await mkdtemp(path.join(os.tmpdir(), `dapr-mtls-daprd-${options.appId}-`))
  try {
    const [httpPort, grpcPort, internalGrpcPort, metricsPort] = await freePorts(4)
    const trustDomain = options.controlPlaneTrustDomain ?? 'cluster.local'
    const configFile = options.configFile ?? path.join(runDir, 'config.yaml')
    // The file of our Configuration; one the test brings names its own name resolution.
    const nameResolutionFile =
      options.configFile === undefined ? (options.nameResolutionFile ?? defaultNameResolutionFile()) : undefined
    if (nameResolutionFile !== undefined) await writeFile(configFile, daprdConfiguration(nameResolutionFile, options))
    const resourcesPath = options.resourcesPath ?? path.join(runDir, 'resources')
    if (options.resourcesPath === undefined) await mkdir(resourcesPath)
    const endTurn = await nameResolutionTurn(nameResolutionFile)
    let launched: LaunchedProcess
    try {
      launched = launch({
        name: `daprd-${options.appId}`,
        command: daprd,
        args: [
          `--app-id=${options.appId}`,
          `--dapr-http-port=${httpPort}`,
          `--dapr-grpc-port=${grpcPort}`,
          `--dapr-internal-grpc-port=${internalGrpcPort}`,
          `--metrics-port=${metricsPort}`,
          '--dapr-listen-addresses=127.0.0.1',
          '--enable-mtls',
          `--sentry-address=${options.sentryAddress}`,
          `--control-plane-trust-domain=${trustDomain}`,
          `--config=${configFile}`,
          `--resources-path=${resourcesPath}`,
          // No placement or scheduler: these tests use no actors, workflows or jobs.
          '--placement-host-address=',
          '--scheduler-host-address=',
          ...(options.appPort === undefined ? [] : [`--app-port=${options.appPort}`]),
          ...(options.extraArgs ?? []),
        ],
        runDir,
        env: {DAPR_TRUST_ANCHORS: options.trustAnchors, NAMESPACE: options.namespace ?? 'default', ...options.env},
      })
    } catch (error) {
      endTurn()
      throw error
    }
    endTurn(launched)
    const base = `http://127.0.0.1:${httpPort}`
    return {
      appId: options.appId,
      httpPort,
      grpcPort,
      internalGrpcPort,
      metricsPort,
      runDir,
      logs: () => launched.logs(),
      waitForLog: (pattern, timeoutMs) => launched.waitForLog(pattern, timeoutMs),
      ready: (timeoutMs = 60_000) =>
        untilReady(launched, 'ready', async () => (await httpStatus(`${base}/v1.0/healthz`)) === 204, timeoutMs),
      get exited() {
        return launched.exitCode
      },
      async invoke(appId, method, init) {
        const response = await fetch(`${base}/v1.0/invoke/${appId}/method/${method}`, {
          signal: AbortSignal.timeout(30_000),
          ...init,
        })
        return {status: response.status, body: await response.text(), headers: response.headers}
      },
      async stop() {
        await launched.stop()
        await rm(runDir, {recursive: true, force: true})
      },
    }
  } catch (error) {
    await rm(runDir, {recursive: true, force: true})
    throw error
  }
}

function daprdConfiguration(nameResolutionFile: string, options: StartDaprdOptions): string {
  return YAML.stringify({
    apiVersion: 'dapr.io/v1alpha1',
    kind: 'Configuration',
    metadata: {name: `${options.appId}-config`},
    spec: {
      mtls: {enabled: true},
      // mDNS, the self-hosted default, is not wanted on a shared test machine.
      nameResolution: {component: 'sqlite', configuration: {connectionString: nameResolutionFile}},
      ...options.configSpec,
    },
  })
}
