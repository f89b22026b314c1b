import {appSet, ensureApps} from './apps.js'
import {openCluster} from './cluster.js'
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`)
const cluster = await openCluster({
  kubeconfig: '/dev/shm/dapr-mtls-cluster-JIMWbT/admin.kubeconfig',
  keep: true,
  cli: ['node', 'bin/run.js'],
  log,
})
const started = Date.now()
await ensureApps(cluster, appSet('scale', 200, 2000), log)
log(`scale ready in ${((Date.now() - started) / 1000).toFixed(0)} s`)
await ensureApps(cluster, appSet('restart', 1, 500), log)
log(`restart set ready in ${((Date.now() - started) / 1000).toFixed(0)} s`)
