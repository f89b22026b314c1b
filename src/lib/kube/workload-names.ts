// Workload references as every flag writes them, `<namespace>/<kind>/<name>`: parsed and printed here, with no
// Kubernetes client, so pure planning code can name workloads too.
import {UsageError} from '../errors.js'
import type {NamespacedWorkload, WorkloadKind} from './restart.js'

const kindNames: Record<string, WorkloadKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
}

/** `<namespace>/<kind>/<name>`, the form every flag that takes a workload uses. */
export function formatWorkload(workload: NamespacedWorkload): string {
  return `${workload.namespace}/${workload.kind.toLowerCase()}/${workload.name}`
}

/** Parses `<namespace>/<kind>/<name>` (kind: deployment|deploy, statefulset|sts, daemonset|ds). */
export function parseWorkload(reference: string, flag = '--only'): NamespacedWorkload {
  const parts = reference.split('/')
  const kind = kindNames[(parts[1] ?? '').toLowerCase()]
  if (parts.length !== 3 || !parts[0] || !parts[2] || kind === undefined) {
    throw new UsageError(
      `${flag} ${reference} is not <namespace>/<kind>/<name>`,
      'Write it like apps/deployment/checkout (kinds: deployment|deploy, statefulset|sts, daemonset|ds).',
    )
  }
  return {namespace: parts[0], kind, name: parts[2]}
}
