// Starts and stops a throwaway Kubernetes control plane (etcd, kube-apiserver, kcm, scheduler, kwok) on loopback.
import {execFile, spawn} from 'node:child_process'
import {generateKeyPairSync, randomBytes} from 'node:crypto'
import {closeSync, existsSync, constants as fsConstants, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {access, mkdir, mkdtemp, readFile, rm, statfs, writeFile} from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import {ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, type V1Node} from '@kubernetes/client-node'
import YAML from 'yaml'

import {freePorts} from '../helpers/ports.js'

export interface StartClusterOptions {
  /** Directory holding the built binaries; default `$CLUSTER_BIN` from versions.sh. */
  binDir?: string
  /**
   * Where the run directory is created; default /dev/shm when writable and roomy (etcd's fsyncs are free there), else
   * the OS temp directory.
   */
  parentDir?: string
  /** Upper bound for the whole start, default 120 s. */
  timeoutMs?: number
  /** Receives one line per start step. */
  onProgress?: (message: string) => void
  /** Aborting stops whatever was started and rejects. */
  signal?: AbortSignal
  /**
   * More arguments for a component, after the harness's own (the benchmarks raise the controller-manager's client
   * rate limit with them).
   */
  extraArgs?: Partial<Record<Component, string[]>>
}

export interface RunningCluster {
  runDir: string
  /** https://127.0.0.1:PORT */
  server: string
  adminKubeconfig: string
  restrictedKubeconfig: string
  /** The built kubectl, same version as the server. */
  kubectl: string
  binDir: string
}

export interface ClusterPaths {
  /** `$CLUSTER_BIN` from versions.sh */
  binDir: string
  /** `$CLUSTER_CACHE` from versions.sh */
  cacheDir: string
}

const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const
export type Component = (typeof COMPONENTS)[number]
const KWOK_STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
]
const NODE_NAME = 'kwok-node-0'
// Only written into the `kubernetes` Endpoints; the apiserver refuses to start without one when there is no default route.
const ADVERTISE_ADDRESS = '192.0.2.10'
const RUN_DIR_PREFIX = 'dapr-mtls-cluster-'
const CLUSTER_RECORD = 'cluster.json'

/** Reads the pinned binary and cache locations from versions.sh, so the build script and the harness agree. */
export async function clusterPaths(): Promise<ClusterPaths> {
  const versions = fileURLToPath(new URL('versions.sh', import.meta.url))
  const {stdout} = await promisify(execFile)('bash', [
    '-c',
    '. "$1" && printf "%s\\n%s\\n" "$CLUSTER_BIN" "$CLUSTER_CACHE"',
    'versions',
    versions,
  ])
  const [binDir, cacheDir] = stdout.split('\n')
  if (!binDir || !cacheDir) throw new Error(`versions.sh did not define CLUSTER_BIN and CLUSTER_CACHE: ${stdout}`)
  return {binDir, cacheDir}
}

class StartError extends Error {
  constructor(
    readonly component: Component,
    reason: string,
  ) {
    super(reason)
  }
}

/** Starts a cluster; on failure stops whatever was started and throws with the tail of the failing component's log. */
export async function startCluster(options: StartClusterOptions = {}): Promise<RunningCluster> {
  const binDir = options.binDir ?? (await clusterPaths()).binDir
  for (const bin of [...COMPONENTS, 'kubectl']) {
    await access(path.join(binDir, bin)).catch(() => {
      throw new Error(`${bin} not found in ${binDir}; run \`npm run cluster:build\` first`)
    })
  }
  const parentDir = options.parentDir ?? (await writableShm()) ?? os.tmpdir()
  const runDir = await mkdtemp(path.join(path.resolve(parentDir), RUN_DIR_PREFIX))
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  const progress = options.onProgress ?? (() => undefined)
  const exited = new Map<Component, string>()
  try {
    const extraArgs = options.extraArgs ?? {}
    return await bootstrap({binDir, runDir, deadline, progress, exited, signal: options.signal, extraArgs})
  } catch (error) {
    if (options.signal?.aborted) {
      await stopCluster(runDir)
      throw error
    }
    // A failed API call during set-up is the apiserver's to explain.
    const component = error instanceof StartError ? error.component : 'kube-apiserver'
    const reason = error instanceof StartError ? error.message : `set-up call failed: ${String(error)}`
    // Read the log before stopping: stopping removes the run dir.
    const tail = logTail(path.join(runDir, `${component}.log`))
    await stopCluster(runDir)
    throw new Error(`test cluster: ${component} ${reason}\n--- last lines of its log ---\n${tail}`, {cause: error})
  }
}

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

interface BootstrapContext {
  binDir: string
  runDir: string
  deadline: number
  progress: (message: string) => void
  exited: Map<Component, string>
  signal: AbortSignal | undefined
  extraArgs: Partial<Record<Component, string[]>>
}

async function bootstrap(ctx: BootstrapContext): Promise<RunningCluster> {
  const {binDir, runDir} = ctx
  const pki = path.join(runDir, 'pki')
  await mkdir(pki, {recursive: true})
  const [etcdPort, peerPort, apiPort, kcmPort, schedulerPort] = await freePorts(5)
  const tokens = {admin: randomBytes(16).toString('hex'), restricted: randomBytes(16).toString('hex')}
  const saKey = path.join(pki, 'sa.key')
  await writeFile(
    saKey,
    generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({type: 'sec1', format: 'pem'}),
    {mode: 0o600},
  )
  await writeFile(
    path.join(runDir, 'tokens.csv'),
    `${tokens.admin},admin,u-admin,"system:masters"\n${tokens.restricted},restricted,u-restricted\n`,
    {mode: 0o600},
  )
  const stages = await Promise.all(
    KWOK_STAGES.map((stage) => readFile(path.join(binDir, 'kwok-stages', stage), 'utf8')),
  )
  await writeFile(path.join(runDir, 'kwok.yaml'), stages.join('\n---\n'))

  const etcdUrl = `http://127.0.0.1:${etcdPort}`
  const peerUrl = `http://127.0.0.1:${peerPort}`
  ctx.progress(`etcd on ${etcdUrl}`)
  launch(ctx, 'etcd', [
    '--name=it',
    `--data-dir=${path.join(runDir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=it=${peerUrl}`,
    '--log-level=warn',
  ])
  await waitFor(ctx, 'etcd', 'did not report healthy', async () => {
    const {status, body} = await httpGet(`${etcdUrl}/health`)
    return status === 200 && body.includes('"true"')
  })

  const server = `https://127.0.0.1:${apiPort}`
  ctx.progress(`kube-apiserver on ${server}`)
  launch(ctx, 'kube-apiserver', [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--advertise-address=${ADVERTISE_ADDRESS}`,
    `--cert-dir=${pki}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${saKey}`,
    `--service-account-signing-key-file=${saKey}`,
    `--token-auth-file=${path.join(runDir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
  ])
  // The apiserver writes a leaf + its self-signed CA here; the pair is a valid CA bundle for clients.
  const servingCert = path.join(pki, 'apiserver.crt')
  await waitFor(ctx, 'kube-apiserver', 'did not become ready (/readyz)', async () => {
    if (!existsSync(servingCert)) return false
    const ca = await readFile(servingCert)
    const {status} = await httpGet(`${server}/readyz`, {ca, headers: {authorization: `Bearer ${tokens.admin}`}})
    return status === 200
  })

  const caData = (await readFile(servingCert)).toString('base64')
  const adminKubeconfig = path.join(runDir, 'admin.kubeconfig')
  const restrictedKubeconfig = path.join(runDir, 'restricted.kubeconfig')
  await writeFile(adminKubeconfig, kubeconfig(server, caData, 'admin', tokens.admin), {mode: 0o600})
  await writeFile(restrictedKubeconfig, kubeconfig(server, caData, 'restricted', tokens.restricted), {mode: 0o600})

  ctx.progress('kube-controller-manager, kube-scheduler, kwok')
  const delegated = (port: number) => [
    `--kubeconfig=${adminKubeconfig}`,
    `--authentication-kubeconfig=${adminKubeconfig}`,
    `--authorization-kubeconfig=${adminKubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
  ]
  launch(ctx, 'kube-controller-manager', [
    ...delegated(kcmPort),
    `--root-ca-file=${servingCert}`,
    `--service-account-private-key-file=${saKey}`,
    '--use-service-account-credentials=true',
  ])
  launch(ctx, 'kube-scheduler', delegated(schedulerPort))
  launch(ctx, 'kwok', [
    `--kubeconfig=${adminKubeconfig}`,
    `--config=${path.join(runDir, 'kwok.yaml')}`,
    '--manage-all-nodes=true',
    '--node-lease-duration-seconds=40',
    '--cidr=10.244.0.0/16',
  ])

  const kc = new KubeConfig()
  kc.loadFromFile(adminKubeconfig)
  const core = kc.makeApiClient(CoreV1Api)
  ctx.progress(`node ${NODE_NAME}`)
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      labels: {
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
      annotations: {'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0'},
    },
    // No taints, so real manifests schedule without tolerations.
    spec: {providerID: `kwok://${NODE_NAME}`},
  }
  await KubernetesObjectApi.makeApiClient(kc).create(node)
  const readNode = () => core.readNode({name: NODE_NAME})
  await waitFor(ctx, 'kwok', `did not make node ${NODE_NAME} Ready`, async () => isReady(await readNode()))
  // The node-lifecycle controller removes the not-ready taint that admission put on the new Node.
  await waitFor(ctx, 'kube-controller-manager', `did not remove the taints of node ${NODE_NAME}`, async () => {
    const node = await readNode()
    return isReady(node) && (node.spec?.taints ?? []).length === 0
  })
  await waitFor(ctx, 'kube-controller-manager', 'did not create serviceaccount/default in namespace default', () =>
    core.readNamespacedServiceAccount({name: 'default', namespace: 'default'}).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ApiException && error.code === 404) return false
        throw error
      },
    ),
  )
  const cluster = {runDir, server, adminKubeconfig, restrictedKubeconfig, kubectl: path.join(binDir, 'kubectl'), binDir}
  await writeFile(path.join(runDir, CLUSTER_RECORD), JSON.stringify(cluster, undefined, 2))
  return cluster
}

/** The cluster recorded in `runDir` if every one of its components is still running, else undefined. */
export function runningCluster(runDir: string): RunningCluster | undefined {
  let cluster: RunningCluster
  try {
    cluster = JSON.parse(readFileSync(path.join(runDir, CLUSTER_RECORD), 'utf8')) as RunningCluster
  } catch {
    return undefined
  }
  return ourLeaders(runDir).length === COMPONENTS.length ? cluster : undefined
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/** Each component gets its own session (so its own process group), a pid file and a log file in the run dir. */
function launch(ctx: BootstrapContext, component: Component, args: string[]): void {
  const log = openSync(path.join(ctx.runDir, `${component}.log`), 'a')
  try {
    const child = spawn(path.join(ctx.binDir, component), [...args, ...(ctx.extraArgs[component] ?? [])], {
      cwd: ctx.runDir,
      detached: true,
      stdio: ['ignore', log, log],
    })
    if (child.pid === undefined) throw new StartError(component, 'could not be spawned')
    writeFileSync(path.join(ctx.runDir, `${component}.pid`), `${child.pid}\n`)
    child.on('exit', (code, signal) => ctx.exited.set(component, signal ? `signal ${signal}` : `code ${code}`))
    child.on('error', (error) => ctx.exited.set(component, error.message))
    // The cluster outlives this process when started from the `up` command.
    child.unref()
  } finally {
    closeSync(log)
  }
}

async function waitFor(
  ctx: BootstrapContext,
  component: Component,
  failure: string,
  check: () => Promise<boolean>,
): Promise<void> {
  let lastError: unknown
  for (;;) {
    ctx.signal?.throwIfAborted()
    const [dead] = ctx.exited
    if (dead) throw new StartError(dead[0], `exited during start-up (${dead[1]})`)
    try {
      if (await check()) return
    } catch (error) {
      lastError = error
    }
    if (Date.now() > ctx.deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : ''
      throw new StartError(component, `${failure} in time${detail}`)
    }
    await sleep(250)
  }
}

function kubeconfig(server: string, caData: string, user: string, token: string): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{name: 'dapr-mtls-it', cluster: {server, 'certificate-authority-data': caData}}],
    users: [{name: user, user: {token}}],
    contexts: [{name: user, context: {cluster: 'dapr-mtls-it', user, namespace: 'default'}}],
    'current-context': user,
  })
}

function httpGet(
  url: string,
  options: {ca?: Buffer; headers?: Record<string, string>} = {},
): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get
    const request = get(url, {ca: options.ca, headers: options.headers, timeout: 5000}, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => {
        resolve({status: response.statusCode ?? 0, body})
      })
    })
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)))
    request.on('error', reject)
  })
}

/** /dev/shm when it is writable and roomy: etcd preallocates a 64 MiB WAL segment and holds ~125 MiB there. */
async function writableShm(): Promise<string | undefined> {
  try {
    await access('/dev/shm', fsConstants.W_OK)
    const {bavail, bsize} = await statfs('/dev/shm')
    return bavail * bsize >= 512 * 1024 * 1024 ? '/dev/shm' : undefined
  } catch {
    return undefined
  }
}

/** Pids of the run's components that are still ours: alive and started with this run dir on their command line. */
function ourLeaders(runDir: string, components: readonly Component[] = COMPONENTS): number[] {
  const pids: number[] = []
  for (const component of components) {
    let pid: number
    try {
      pid = Number.parseInt(readFileSync(path.join(runDir, `${component}.pid`), 'utf8'), 10)
    } catch {
      continue
    }
    if (Number.isInteger(pid) && pid > 1 && isOurs(pid, runDir)) pids.push(pid)
  }
  return pids
}

function isOurs(pid: number, runDir: string): boolean {
  try {
    // A zombie has an empty cmdline, so it counts as gone.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir)
  } catch {
    return false
  }
}

function signalGroups(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, signal)
    } catch {
      // Already gone.
    }
  }
}

async function waitGone(pids: number[], runDir: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms
  let alive = pids.filter((pid) => isOurs(pid, runDir))
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50)
    alive = alive.filter((pid) => isOurs(pid, runDir))
  }
  return alive
}

/**
 * Stops every component (TERM, then KILL after `graceMs`) and removes the run dir. Clients go first, etcd last:
 * an apiserver whose etcd is already gone takes seconds to shut down.
 */
export async function stopCluster(runDir: string, options: {graceMs?: number} = {}): Promise<void> {
  const stages: Component[][] = [['kwok', 'kube-scheduler', 'kube-controller-manager'], ['kube-apiserver'], ['etcd']]
  for (const stage of stages) {
    const pids = ourLeaders(runDir, stage)
    signalGroups(pids, 'SIGTERM')
    const stubborn = await waitGone(pids, runDir, options.graceMs ?? 5000)
    signalGroups(stubborn, 'SIGKILL')
    const survivors = await waitGone(stubborn, runDir, 5000)
    if (survivors.length > 0) {
      throw new Error(`test cluster: processes ${survivors.join(', ')} survived SIGKILL; ${runDir} kept`)
    }
  }
  await rm(runDir, {recursive: true, force: true})
}

/**
 * Stops one component of a running cluster where it stands (SIGSTOP: it keeps its sockets and answers nothing, as a
 * hung or overloaded apiserver does) and returns the function that lets it go on (SIGCONT).
 */
export function pauseComponent(runDir: string, component: Component): () => void {
  const pids = ourLeaders(runDir, [component])
  if (pids.length === 0) throw new Error(`test cluster: ${component} of ${runDir} is not running`)
  signalGroups(pids, 'SIGSTOP')
  return () => {
    signalGroups(pids, 'SIGCONT')
  }
}

/** Last-resort synchronous stop for `process.on('exit')`: KILL every component and remove the run dir. */
export function stopClusterNow(runDir: string): void {
  signalGroups(ourLeaders(runDir), 'SIGKILL')
  rmSync(runDir, {recursive: true, force: true, maxRetries: 5})
}
