// What a command asks the API server: run once through the counting proxy (test/cluster/api-proxy.ts), the requests
// it made, grouped by method and path, with whether its lists were paginated.
import {spawn} from 'node:child_process'

import type {BenchCluster} from './cluster.js'
import {countingProxy} from './cluster.js'

export interface RequestCount {
  total: number
  /** "GET /api/v1/namespaces/dapr-system/pods ×3 (paginated)", in the order first seen. */
  lines: string[]
  /** Lists that asked for a page (limit=) and lists that followed one (continue=). */
  pagedLists: number
  continued: number
}

function runCli(argv: string[], env: Record<string, string>): Promise<number> {
  const [file, ...args] = argv
  return new Promise((resolve, reject) => {
    const child = spawn(file ?? 'node', args, {stdio: 'ignore', env: {...process.env, ...env}})
    child.on('error', reject)
    child.on('close', (code) => {
      resolve(code ?? -1)
    })
  })
}

/** Runs the command once through a counting proxy (`--kubeconfig` is appended) and counts its requests. */
export async function countRequests(
  cluster: BenchCluster,
  argv: string[],
  env: Record<string, string>,
  okExitCodes = [0, 3],
): Promise<RequestCount> {
  const proxy = await countingProxy(cluster)
  try {
    const code = await runCli([...argv, '--kubeconfig', proxy.kubeconfig], env)
    if (!okExitCodes.includes(code)) throw new Error(`${argv.join(' ')} exited ${code} through the counting proxy`)
    await proxy.settled()
    const groups = new Map<string, {count: number; paged: boolean}>()
    let pagedLists = 0
    let continued = 0
    for (const request of proxy.requests) {
      const [route = '', query = ''] = request.url.split('?')
      const params = new URLSearchParams(query)
      if (params.has('limit')) pagedLists++
      if (params.has('continue')) continued++
      const key = `${request.method} ${route}`
      const group = groups.get(key) ?? {count: 0, paged: false}
      group.count++
      group.paged ||= params.has('limit')
      groups.set(key, group)
    }
    return {
      total: proxy.requests.length,
      lines: [...groups].map(
        ([key, {count, paged}]) => `${key}${count > 1 ? ` ×${count}` : ''}${paged ? ' (paginated)' : ''}`,
      ),
      pagedLists,
      continued,
    }
  } finally {
    await proxy.close()
  }
}
