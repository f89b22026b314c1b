// What the restart flags ask for, as plain data: the control plane or not, which Dapr-enabled applications (all
// namespaces, some, or exactly the ones named with --only), how many at a time and within what time. Flag mistakes
// are usage errors here, before anything is read or written.
import {UsageError} from '../errors.js'
import {defaultConcurrency, defaultTimeoutSeconds} from '../flags.js'
import type {NamespacedWorkload} from '../kube/restart.js'

export interface AppSelection {
  /** Only these namespaces; empty means every namespace. */
  namespaces: string[]
  /** Exactly these workloads (a resumed restart); empty means every Dapr-enabled one in the namespaces. */
  only: NamespacedWorkload[]
}

export interface RestartRequest {
  controlPlane: boolean
  /** Undefined when no application is to be restarted. */
  apps: AppSelection | undefined
  concurrency: number
  timeoutSeconds: number
}

export interface RestartFlags {
  restart?: boolean | undefined
  'restart-apps'?: boolean | undefined
  'app-namespace'?: string[] | undefined
  'all-namespaces'?: boolean | undefined
  concurrency?: number | undefined
  timeout?: number | undefined
}

/** Pure: the applications the selection flags name. */
export function appSelectionOf(flags: RestartFlags, only: NamespacedWorkload[] = []): AppSelection {
  const namespaces = flags['app-namespace'] ?? []
  if (namespaces.length > 0 && flags['all-namespaces']) {
    throw new UsageError('--app-namespace and --all-namespaces ask for different applications', 'Give one of them.')
  }
  if (only.length > 0 && (namespaces.length > 0 || flags['all-namespaces'])) {
    throw new UsageError(
      '--only names the workloads itself; it cannot be combined with --app-namespace or --all-namespaces',
      'Drop --only to restart every Dapr-enabled application in the namespaces, or drop the namespace flags.',
    )
  }
  for (const namespace of namespaces) {
    if (namespace.trim() === '') throw new UsageError('--app-namespace is empty', 'Give it a namespace name.')
  }
  return {namespaces: [...new Set(namespaces)], only}
}

/**
 * Pure: the restart a writing command does after its write. --restart-apps implies --restart: the sidecar injector
 * must hand out the new roots before any application gets a new pod.
 */
export function restartRequestOf(flags: RestartFlags): RestartRequest {
  const apps = flags['restart-apps'] ?? false
  const appFlag = (['app-namespace', 'all-namespaces', 'concurrency'] as const).find((name) => {
    const value = flags[name]
    return Array.isArray(value) ? value.length > 0 : value !== undefined
  })
  if (!apps && appFlag !== undefined) {
    throw new UsageError(`--${appFlag} only applies with --restart-apps`, `Add --restart-apps, or drop --${appFlag}.`)
  }
  return {
    controlPlane: (flags.restart ?? false) || apps,
    apps: apps ? appSelectionOf(flags) : undefined,
    concurrency: flags.concurrency ?? defaultConcurrency,
    timeoutSeconds: flags.timeout ?? defaultTimeoutSeconds,
  }
}

/** Pure: which applications a selection covers, in words for the plan. */
export function describeSelection(selection: AppSelection): string {
  if (selection.only.length > 0) return `${selection.only.length} named`
  return selection.namespaces.length === 0 ? 'all namespaces' : `namespace ${selection.namespaces.join(', ')}`
}
