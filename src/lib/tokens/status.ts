// Pure: the state of a token in each namespace, from the Secret, the workloads and the pods read there. Kubernetes
// records no Secret version in a pod, so a pod's token is told by the generation its template was stamped with when
// a write of this tool rolled it; a pod without a stamp started before the tool first wrote the token.
import {formatWorkload} from '../kube/workload-names.js'
import {age} from '../output/time-layouts.js'
import {renderTable} from '../output/table.js'
import type {TokenKindInfo} from './kinds.js'
import type {TokenPod, TokenSecret, TokenWorkload} from './model.js'
import {currentGeneration, secretReferences, templateGeneration} from './plan.js'
import {tokenFingerprint} from './token-value.js'

export interface WorkloadTokenUse {
  workload: string
  /** The token annotation names the Secret: daprd gets the token. */
  sidecar: boolean
  /** Containers whose env or envFrom read the Secret. */
  containers: string[]
  /** The generation stamped on its pod template. */
  generation: number | undefined
}

export interface PodTokenState {
  pod: string
  workload: string | undefined
  generation: number | undefined
}

export interface NamespaceTokenStatus {
  namespace: string
  secretExists: boolean
  /** The Secret has a `token` key. */
  hasToken: boolean
  createdAt: Date | undefined
  /** When the token was last written by this tool, else when the Secret was created. */
  updatedAt: Date | undefined
  generation: number | undefined
  /** The token was changed by other hands since this tool wrote it: generations no longer tell. */
  changedElsewhere: boolean
  workloads: WorkloadTokenUse[]
  /** Running pods that use the token and started with an older generation (or before the first stamp). */
  olderPods: PodTokenState[]
  problems: string[]
}

export interface TokenStatusReport {
  kind: string
  secretName: string
  healthy: boolean
  namespaces: NamespaceTokenStatus[]
}

export interface NamespaceReading {
  namespace: string
  secret: TokenSecret | undefined
  workloads: TokenWorkload[]
  pods: TokenPod[]
}

export function namespaceTokenStatus(
  info: TokenKindInfo,
  secretName: string,
  reading: NamespaceReading,
): NamespaceTokenStatus {
  const {secret} = reading
  const workloads = reading.workloads
    .map((w) => ({workload: w, references: secretReferences(w, secretName)}))
    .filter(({references}) => references.annotations.length > 0 || references.containers.length > 0)
    .map(({workload, references}): WorkloadTokenUse => ({
      workload: formatWorkload(workload),
      sidecar: references.annotations.includes(info.secretAnnotation),
      containers: references.containers,
      generation: templateGeneration(workload, info),
    }))
  const users = new Set(workloads.map((w) => w.workload))
  const generation = secret ? currentGeneration(secret) : undefined
  const changedElsewhere =
    secret?.fingerprint !== undefined &&
    (secret.token === undefined || tokenFingerprint(secret.token) !== secret.fingerprint)
  const olderPods =
    generation === undefined
      ? []
      : reading.pods
          .filter(
            (pod) =>
              pod.annotations[info.secretAnnotation] === secretName ||
              (pod.owner !== undefined && users.has(formatWorkload(pod.owner))),
          )
          .map((pod) => ({
            pod: pod.name,
            workload: pod.owner ? formatWorkload(pod.owner) : undefined,
            generation: templateGeneration(pod, info),
          }))
          // No stamp: the pod started before this tool first wrote the token, which is generation 1.
          .filter((pod) => (pod.generation ?? 1) < generation)
  const problems: string[] = []
  if (!secret && workloads.length > 0) {
    problems.push(`Secret ${secretName} is missing but used by ${workloads.map((w) => w.workload).join(', ')}`)
  }
  if (secret && secret.token === undefined) problems.push(`Secret ${secretName} has no "token" key`)
  if (changedElsewhere)
    problems.push(`the token in Secret ${secretName} was changed by other hands since it was written`)
  if (olderPods.length > 0) {
    problems.push(
      `${olderPods.length} pod${olderPods.length === 1 ? '' : 's'} still run${olderPods.length === 1 ? 's' : ''} with an older token`,
    )
  }
  return {
    namespace: reading.namespace,
    secretExists: secret !== undefined,
    hasToken: secret?.token !== undefined,
    createdAt: secret?.createdAt,
    updatedAt: secret?.updatedAt ?? secret?.createdAt,
    generation,
    changedElsewhere,
    workloads,
    olderPods,
    problems,
  }
}

export function tokenStatusReport(
  info: TokenKindInfo,
  secretName: string,
  readings: NamespaceReading[],
): TokenStatusReport {
  const namespaces = readings.map((reading) => namespaceTokenStatus(info, secretName, reading))
  return {
    kind: info.topic,
    secretName,
    healthy: namespaces.every((n) => n.problems.length === 0),
    namespaces,
  }
}

export function renderTokenStatus(report: TokenStatusReport, now = new Date()): string {
  const table = renderTable(
    ['NAMESPACE', 'SECRET', 'AGE', 'GENERATION', 'WORKLOADS', 'OLDER PODS'],
    report.namespaces.map((n) => [
      n.namespace,
      n.secretExists ? report.secretName : 'missing',
      n.updatedAt ? age(n.updatedAt, now) : '',
      n.generation === undefined ? '' : String(n.generation),
      n.workloads.length === 0 ? '-' : n.workloads.map((w) => w.workload.split('/').slice(1).join('/')).join(', '),
      String(n.olderPods.length),
    ]),
  )
  const problems = report.namespaces.flatMap((n) => n.problems.map((p) => `Warning: ${n.namespace}: ${p}`))
  const older = report.namespaces.flatMap((n) =>
    n.olderPods.map((p) => `   ${n.namespace}/${p.pod}${p.workload ? ` (${p.workload})` : ''}`),
  )
  return [table, ...problems, ...(older.length > 0 ? ['Pods on an older token:', ...older] : [])].join('\n')
}
