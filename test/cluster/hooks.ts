// Mocha global fixtures for the integration run: one real cluster for all tests, stopped at the end, on failure and on
// Ctrl-C/SIGTERM. A cluster started with `npm run cluster:up` is reused (and left running) when IT_KUBECONFIG is set.
import {existsSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {clusterPaths, type RunningCluster, startCluster, stopCluster, stopClusterNow} from './cluster.js'

let cluster: RunningCluster | undefined
let starting: Promise<RunningCluster> | undefined
let stopping: Promise<void> | undefined
let shuttingDown = false
const abort = new AbortController()

function stopOnce(): Promise<void> {
  if (!cluster) return Promise.resolve()
  stopping ??= stopCluster(cluster.runDir)
  return stopping
}

// Ctrl-C reaches this process up to three times (from the terminal, then SIGINT and SIGTERM forwarded by mocha's
// wrapper process); the listeners stay installed so the later ones do not kill the process mid-stop.
function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) return
  shuttingDown = true
  process.stderr.write(`\n${signal}: stopping the test cluster\n`)
  abort.abort()
  void (async () => {
    await starting?.catch(() => undefined)
    await stopOnce().catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`)
    })
    process.exit(128 + os.constants.signals[signal])
  })()
}

// For a process that ends without the teardown or the signal path finishing (uncaught error, process.exit).
function onExit(): void {
  if (cluster) stopClusterNow(cluster.runDir)
}

export async function mochaGlobalSetup(): Promise<void> {
  const {binDir} = await clusterPaths()
  const reused = process.env.IT_KUBECONFIG
  if (reused) {
    const restricted = path.join(path.dirname(reused), 'restricted.kubeconfig')
    if (existsSync(restricted)) process.env.IT_RESTRICTED_KUBECONFIG ??= restricted
    process.env.IT_KUBECTL ??= path.join(binDir, 'kubectl')
    process.env.IT_CLUSTER_BIN ??= binDir
    process.stderr.write(`reusing the test cluster of IT_KUBECONFIG=${reused}\n`)
    return
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', onExit)
  const started = Date.now()
  starting = startCluster({binDir, signal: abort.signal})
  cluster = await starting
  process.stderr.write(`test cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${cluster.server}\n`)
  process.env.IT_KUBECONFIG = cluster.adminKubeconfig
  process.env.IT_RESTRICTED_KUBECONFIG = cluster.restrictedKubeconfig
  process.env.IT_KUBECTL = cluster.kubectl
  process.env.IT_CLUSTER_BIN = cluster.binDir
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopOnce()
  process.off('exit', onExit)
}
