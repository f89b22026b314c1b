// `tsx test/cluster/cli.ts up|down`: a test cluster that outlives the command, for running integration tests by hand.
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {clusterPaths, runningCluster, startCluster, stopCluster} from './cluster.js'

const usage = 'usage: tsx test/cluster/cli.ts up|down'

async function recordedRunDir(current: string): Promise<string | undefined> {
  try {
    return (await readFile(current, 'utf8')).trim() || undefined
  } catch {
    return undefined
  }
}

async function up(current: string): Promise<void> {
  const recorded = await recordedRunDir(current)
  let cluster = recorded === undefined ? undefined : runningCluster(recorded)
  if (cluster) {
    process.stderr.write(`test cluster already running in ${cluster.runDir}\n`)
  } else {
    // A recorded cluster with a dead component is cleaned up rather than reused.
    if (recorded !== undefined) await stopCluster(recorded)
    const started = Date.now()
    cluster = await startCluster({onProgress: (message) => process.stderr.write(`[cluster] ${message}\n`)})
    await mkdir(path.dirname(current), {recursive: true})
    await writeFile(current, `${cluster.runDir}\n`)
    process.stderr.write(`test cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${cluster.server}\n`)
  }
  process.stdout.write(`export KUBECONFIG=${cluster.adminKubeconfig}\n`)
  process.stderr.write(
    `restricted (no RBAC grants) kubeconfig: ${cluster.restrictedKubeconfig}\n` +
      `integration tests reuse it with: IT_KUBECONFIG=${cluster.adminKubeconfig} npm run test:integration\n`,
  )
}

async function down(current: string): Promise<void> {
  const recorded = await recordedRunDir(current)
  if (recorded === undefined) {
    process.stderr.write(`no test cluster recorded in ${current}\n`)
    return
  }
  await stopCluster(recorded)
  await rm(current, {force: true})
  process.stderr.write(`test cluster in ${recorded} stopped\n`)
}

const command = process.argv[2]
if (command !== 'up' && command !== 'down') {
  process.stderr.write(`${usage}\n`)
  process.exitCode = 2
} else {
  const current = path.join((await clusterPaths()).cacheDir, 'current')
  try {
    await (command === 'up' ? up(current) : down(current))
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
}
