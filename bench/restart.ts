// `--restart-apps` side by side with kubectl: `dapr mtls restart-apps -k` (the restarts behind every --restart-apps)
// at concurrency 1, 5 and 20, a sequential `kubectl rollout restart` + `kubectl rollout status` loop, the same loop
// fanned out with `xargs -P 20`, and the harness's own ceiling: every Deployment restarted by one kubectl call and
// waited for together, which measures how many rollouts a second the controller-manager (and kwok) complete on this
// machine, so a ratio near it measures the harness and not the CLI. The controller-manager's own metrics say how long
// its requests waited in its client-side rate limiter meanwhile.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {type AppSet, appCount, groupLabel, listApps, waitRolledOut} from './apps.js'
import {type BenchCluster, controllerManagerThrottling} from './cluster.js'

const run = promisify(execFile)

export interface RestartFigure {
  name: string
  seconds: number
  /** Rollouts completed per second. */
  rate: number
  /** Seconds the controller-manager's requests waited in its rate limiter during the run, when readable. */
  throttledSeconds?: number | undefined
}

/** Waits until the set has rolled out and every replaced pod is gone, so each variant starts from the same state. */
async function settle(cluster: BenchCluster, set: AppSet, log: (line: string) => void): Promise<void> {
  await waitRolledOut(cluster, set, log)
  for (;;) {
    let pods = 0
    for (const namespace of set.namespaces) {
      pods += (await cluster.core.listNamespacedPod({namespace, labelSelector: `${groupLabel}=${set.group}`})).items
        .length
    }
    if (pods <= appCount(set)) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

async function timed(
  cluster: BenchCluster,
  name: string,
  count: number,
  work: () => Promise<void>,
  log: (line: string) => void,
): Promise<RestartFigure> {
  const throttledBefore = await controllerManagerThrottling(cluster)
  const started = Date.now()
  await work()
  const seconds = (Date.now() - started) / 1000
  const throttledAfter = await controllerManagerThrottling(cluster)
  const throttledSeconds =
    throttledBefore === undefined || throttledAfter === undefined ? undefined : throttledAfter - throttledBefore
  const figure = {name, seconds, rate: count / seconds, throttledSeconds}
  log(`${name}: ${seconds.toFixed(1)} s, ${figure.rate.toFixed(2)} rollouts/s`)
  return figure
}

export async function restartFigures(
  cluster: BenchCluster,
  set: AppSet,
  concurrencies: number[],
  cli: {argv: string[]; env: Record<string, string>},
  log: (line: string) => void,
): Promise<RestartFigure[]> {
  const count = appCount(set)
  const figures: RestartFigure[] = []
  const names = async () =>
    (await listApps(cluster, set)).map((d) => `${d.metadata?.namespace ?? ''} ${d.metadata?.name ?? ''}`)
  const shell = (script: string, input: string) =>
    new Promise<void>((resolve, reject) => {
      const child = execFile(
        'sh',
        ['-c', script],
        {env: {...process.env, KUBECONFIG: cluster.kubeconfig, KUBECTL: cluster.kubectl}, maxBuffer: 64 * 1024 * 1024},
        (error) => {
          if (error === null) resolve()
          else reject(new Error(`${script}: ${error.message}`))
        },
      )
      child.stdin?.end(input)
    })
  // One `kubectl rollout status` per Deployment, as an operator's loop would.
  const restartOne =
    '"$KUBECTL" rollout restart deployment "$2" -n "$1" >/dev/null && "$KUBECTL" rollout status deployment "$2" -n "$1" >/dev/null'

  await settle(cluster, set, log)
  figures.push(
    await timed(
      cluster,
      'harness ceiling: one kubectl call restarts all, then wait for all',
      count,
      async () => {
        for (const namespace of set.namespaces) {
          await run(cluster.kubectl, [
            '--kubeconfig',
            cluster.kubeconfig,
            'rollout',
            'restart',
            'deployment',
            '-n',
            namespace,
            '-l',
            `${groupLabel}=${set.group}`,
          ])
        }
        await waitRolledOut(cluster, set, log, 60 * 60_000, 250)
      },
      log,
    ),
  )

  for (const concurrency of concurrencies) {
    await settle(cluster, set, log)
    const [node, ...args] = cli.argv
    const namespaces = set.namespaces.flatMap((namespace) => ['--app-namespace', namespace])
    figures.push(
      await timed(
        cluster,
        `dapr mtls restart-apps -k --concurrency ${concurrency}`,
        count,
        async () => {
          await run(
            node ?? 'node',
            [
              ...args,
              ...['mtls', 'restart-apps', '-k', '--kubeconfig', cluster.kubeconfig, ...namespaces],
              ...['--concurrency', String(concurrency), '--timeout', '7200'],
            ],
            {env: {...process.env, ...cli.env}, maxBuffer: 64 * 1024 * 1024},
          ).catch((error: unknown) => {
            throw new Error(`dapr mtls restart-apps failed: ${(error as {stderr?: string}).stderr ?? String(error)}`)
          })
        },
        log,
      ),
    )
  }

  await settle(cluster, set, log)
  const list = (await names()).join('\n') + '\n'
  figures.push(
    await timed(
      cluster,
      'kubectl rollout restart + rollout status, sequential loop',
      count,
      () => shell(`while read ns name; do sh -c '${restartOne}' _ "$ns" "$name" || exit 1; done`, list),
      log,
    ),
  )
  await settle(cluster, set, log)
  figures.push(
    await timed(
      cluster,
      'the same kubectl pair, xargs -P 20',
      count,
      () => shell(`xargs -P 20 -L 1 sh -c '${restartOne}' _`, list),
      log,
    ),
  )
  return figures
}
