// The cluster the benchmarks run on: the test harness's real kube-apiserver, etcd, controller-manager, scheduler and
// kwok (test/cluster), started for the run or reused with --kubeconfig, with the real Dapr 1.16.2 chart installed by
// the CLI itself (`dapr init -k --chart`, certificates generated). kwok marks pods Ready without running them.
import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import https from 'node:https'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {AppsV1Api, CoreV1Api, KubeConfig} from '@kubernetes/client-node'

import {type ApiProxy, startApiProxy} from '../test/cluster/api-proxy.js'
import {clusterPaths, startCluster, stopCluster} from '../test/cluster/cluster.js'
import {realChart} from '../test/dapr/binaries.js'

const run = promisify(execFile)

export const daprNamespace = 'dapr-system'
export const daprVersion = '1.16.2'

export interface BenchCluster {
  kubeconfig: string
  kubectl: string
  binDir: string
  core: CoreV1Api
  apps: AppsV1Api
  /** Stops the cluster if this run started it and was not asked to keep it. */
  close(): Promise<void>
}

export interface ClusterOptions {
  /** Reuse this cluster instead of starting one. */
  kubeconfig?: string | undefined
  /** Leave a cluster this run started running (its kubeconfig is printed). */
  keep: boolean
  /** The CLI that installs Dapr (node + bin/run.js). */
  cli: string[]
  /** The controller-manager's and scheduler's client rate limit (requests a second) for a cluster started here. */
  harnessQps?: number | undefined
  log: (line: string) => void
}

export async function openCluster(options: ClusterOptions): Promise<BenchCluster> {
  const {binDir} = await clusterPaths()
  let kubeconfig = options.kubeconfig
  let stop = (): Promise<void> => Promise.resolve()
  if (kubeconfig === undefined) {
    const started = Date.now()
    const qps = options.harnessQps
    const limits = qps === undefined ? [] : [`--kube-api-qps=${qps}`, `--kube-api-burst=${2 * qps}`]
    const cluster = await startCluster({
      onProgress: (line) => {
        options.log(`cluster: ${line}`)
      },
      timeoutMs: 300_000,
      extraArgs: {'kube-controller-manager': limits, 'kube-scheduler': limits},
    })
    options.log(`cluster ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${cluster.adminKubeconfig}`)
    kubeconfig = cluster.adminKubeconfig
    stop = options.keep
      ? () => {
          options.log(
            `cluster kept: --kubeconfig ${cluster.adminKubeconfig} (its processes run from ${cluster.runDir})`,
          )
          return Promise.resolve()
        }
      : () => stopCluster(cluster.runDir)
  }
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfig)
  return {
    kubeconfig,
    kubectl: path.join(binDir, 'kubectl'),
    binDir,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    close: stop,
  }
}

export function kubectl(cluster: BenchCluster, ...args: string[]): Promise<{stdout: string}> {
  return run(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, ...args], {maxBuffer: 256 * 1024 * 1024})
}

/** Installs the real Dapr chart with generated certificates, unless dapr-sentry already runs in dapr-system. */
export async function ensureDapr(cluster: BenchCluster, options: ClusterOptions): Promise<void> {
  const present = await cluster.apps
    .readNamespacedDeployment({name: 'dapr-sentry', namespace: daprNamespace})
    .then(() => true)
    .catch(() => false)
  if (present) return
  const chart = await realChart(daprVersion)
  // The scheduler's three replicas claim volumes with storageClassName "": three volumes for them to bind.
  const volumes = {
    apiVersion: 'v1',
    kind: 'List',
    items: [0, 1, 2].map((index) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {name: `bench-scheduler-${index}`},
      spec: {
        capacity: {storage: '1Gi'},
        accessModes: ['ReadWriteOnce'],
        storageClassName: '',
        hostPath: {path: `/tmp/bench-scheduler-${index}`},
      },
    })),
  }
  const work = mkdtempSync(path.join(tmpdir(), 'dapr-bench-install-'))
  writeFileSync(path.join(work, 'volumes.json'), JSON.stringify(volumes))
  await kubectl(cluster, 'apply', '-f', path.join(work, 'volumes.json'))
  options.log(`installing the Dapr ${daprVersion} chart with dapr init -k`)
  const [node, ...cli] = options.cli
  await run(
    node ?? 'node',
    [
      ...cli,
      'init',
      '-k',
      '--kubeconfig',
      cluster.kubeconfig,
      '--chart',
      chart,
      '--runtime-version',
      daprVersion,
      '--generate-certs',
      '--wait',
    ],
    {env: {...process.env, HOME: work, PATH: `${cluster.binDir}${path.delimiter}${process.env.PATH ?? ''}`}},
  )
}

/** A proxy in front of the cluster that records every request, for counting what a command asks. */
export function countingProxy(cluster: BenchCluster): Promise<ApiProxy> {
  return startApiProxy(cluster.kubeconfig, mkdtempSync(path.join(tmpdir(), 'dapr-bench-proxy-')), 'bench-proxy')
}

/**
 * Seconds the controller-manager's API requests have waited in its client-side rate limiter (its --kube-api-qps) since
 * it started, from its metrics; undefined when they cannot be read (a cluster that is not the harness's).
 */
export async function controllerManagerThrottling(cluster: BenchCluster): Promise<number | undefined> {
  try {
    const runDir = path.dirname(cluster.kubeconfig)
    const pid = readFileSync(path.join(runDir, 'kube-controller-manager.pid'), 'utf8').trim()
    const port = /--secure-port=(\d+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '))?.[1]
    const token = /token: "?([^"\s]+)/.exec(readFileSync(cluster.kubeconfig, 'utf8'))?.[1]
    if (port === undefined || token === undefined) return undefined
    const metrics = await new Promise<string>((resolve, reject) => {
      https
        .get(
          `https://127.0.0.1:${port}/metrics`,
          {headers: {Authorization: `Bearer ${token}`}, rejectUnauthorized: false},
          (response) => {
            let body = ''
            response.on('data', (chunk: Buffer) => (body += chunk.toString()))
            response.on('end', () => {
              resolve(body)
            })
          },
        )
        .on('error', reject)
    })
    return [...metrics.matchAll(/^rest_client_rate_limiter_duration_seconds_sum\{[^}]*\} ([\d.e+-]+)$/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    )
  } catch {
    return undefined
  }
}
