// Dapr-enabled applications for the scale and restart benchmarks: Deployments whose pod template asks the injector
// for a sidecar (dapr.io/enabled) and whose pods carry a daprd container with the cluster's trust anchors, as
// injected pods do (the harness runs no injector). One replica each; kwok makes the pods Ready. Created once and
// reused by later runs on the same cluster.
import type {V1Deployment} from '@kubernetes/client-node'
import pLimit from 'p-limit'

import {deploymentRolloutState} from '../src/lib/kube/rollout.js'
import {type BenchCluster, daprNamespace, daprVersion} from './cluster.js'

export const groupLabel = 'dapr-bench'

/** A set of apps: `perNamespace` Deployments in each of the namespaces `<prefix>-000`, `<prefix>-001`, ... */
export interface AppSet {
  group: string
  namespaces: string[]
  perNamespace: number
}

export function appSet(group: string, namespaceCount: number, total: number): AppSet {
  const namespaces = Array.from({length: namespaceCount}, (_, i) => `bench-${group}-${String(i).padStart(3, '0')}`)
  return {group, namespaces, perNamespace: Math.ceil(total / namespaceCount)}
}

export const appCount = (set: AppSet): number => set.namespaces.length * set.perNamespace

function appDeployment(set: AppSet, namespace: string, name: string, anchors: string): V1Deployment {
  const labels = {app: name, [groupLabel]: set.group}
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name, namespace, labels},
    spec: {
      replicas: 1,
      selector: {matchLabels: {app: name}},
      template: {
        metadata: {labels, annotations: {'dapr.io/enabled': 'true', 'dapr.io/app-id': name}},
        spec: {
          containers: [
            {name: 'app', image: 'registry.invalid/bench-app:1'},
            {
              name: 'daprd',
              image: `daprio/daprd:${daprVersion}`,
              env: [{name: 'DAPR_TRUST_ANCHORS', value: anchors}],
            },
          ],
        },
      },
    },
  }
}

async function trustAnchors(cluster: BenchCluster): Promise<string> {
  const configMap = await cluster.core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace: daprNamespace})
  return configMap.data?.['ca.crt'] ?? ''
}

/** Every Deployment of the set, a page at a time. */
export async function listApps(cluster: BenchCluster, set: AppSet): Promise<V1Deployment[]> {
  const found: V1Deployment[] = []
  let next: string | undefined
  do {
    const page = await cluster.apps.listDeploymentForAllNamespaces({
      labelSelector: `${groupLabel}=${set.group}`,
      limit: 500,
      ...(next ? {_continue: next} : {}),
    })
    found.push(...page.items)
    next = page.metadata?._continue || undefined
  } while (next !== undefined)
  return found
}

/** How many Deployments of the set have finished rolling out (kubectl's rule). */
export async function rolledOut(cluster: BenchCluster, set: AppSet): Promise<{done: number; total: number}> {
  const apps = await listApps(cluster, set)
  return {done: apps.filter((d) => deploymentRolloutState(d).done).length, total: apps.length}
}

/** Waits until every Deployment of the set has rolled out; returns the seconds waited. */
export async function waitRolledOut(
  cluster: BenchCluster,
  set: AppSet,
  log: (line: string) => void,
  timeoutMs = 45 * 60_000,
  pollMs = 2000,
): Promise<number> {
  const started = Date.now()
  let last = ''
  for (;;) {
    const {done, total} = await rolledOut(cluster, set)
    if (total >= appCount(set) && done === total) return (Date.now() - started) / 1000
    const line = `${set.group}: ${done} of ${appCount(set)} Deployments rolled out`
    if (line !== last && Date.now() - started > 10_000) log(line)
    last = line
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${line}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** Creates what is missing of the set (namespaces, Deployments) and waits until all have rolled out. */
export async function ensureApps(cluster: BenchCluster, set: AppSet, log: (line: string) => void): Promise<void> {
  const existing = new Set((await listApps(cluster, set)).map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`))
  const missing = appCount(set) - existing.size
  if (missing > 0) {
    log(`${set.group}: creating ${missing} Dapr-enabled Deployments in ${set.namespaces.length} namespaces`)
    const anchors = await trustAnchors(cluster)
    const limit = pLimit(16)
    await Promise.all(
      set.namespaces.map((namespace) =>
        limit(() =>
          cluster.core
            .createNamespace({body: {metadata: {name: namespace, labels: {[groupLabel]: set.group}}}})
            .catch((error: unknown) => {
              if ((error as {code?: number}).code !== 409) throw error
            }),
        ),
      ),
    )
    const creates: Promise<unknown>[] = []
    for (const namespace of set.namespaces) {
      for (let i = 0; i < set.perNamespace; i++) {
        const name = `app-${String(i).padStart(3, '0')}`
        if (existing.has(`${namespace}/${name}`)) continue
        creates.push(
          limit(() =>
            cluster.apps.createNamespacedDeployment({namespace, body: appDeployment(set, namespace, name, anchors)}),
          ),
        )
      }
    }
    await Promise.all(creates)
  }
  const seconds = await waitRolledOut(cluster, set, log)
  if (missing > 0) log(`${set.group}: ${appCount(set)} Deployments rolled out after ${seconds.toFixed(0)} s`)
}
