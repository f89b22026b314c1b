// How `oauth2 create` reads: the manifests it would apply (-k without --apply; the client secret never in them),
// and a line per object or file written.
import {stringify} from 'yaml'

import {formatWorkload} from '../kube/workload-names.js'
import {renderTable} from '../output/table.js'
import type {AppliedObject, ClusterPlan} from './cluster.js'
import type {OnDiskResult} from './files.js'
import type {DaprObject} from './manifests.js'

/** The object as it would be applied: what the server added when it was read is left out. */
const serverFields = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields']

function applicable(object: DaprObject): DaprObject {
  const metadata = Object.fromEntries(
    Object.entries(object.metadata).filter(([key]) => !serverFields.includes(key)),
  ) as DaprObject['metadata']
  const rest = Object.fromEntries(Object.entries(object).filter(([key]) => key !== 'status'))
  return {...rest, apiVersion: object.apiVersion, kind: object.kind, metadata}
}

/** The Components and Configurations as YAML documents, ready for kubectl apply -f -. */
export function renderManifests(plan: ClusterPlan): string {
  return plan.objects
    .flatMap((o) => (o.object ? [stringify(applicable(o.object)).trimEnd()] : []))
    .map((text) => `---\n${text}`)
    .join('\n')
}

/** What the manifests leave out: the Secret, and the workloads that would be pointed and restarted. */
export function planNotes(plan: ClusterPlan, clientSecretKey: string): string[] {
  return [
    ...plan.objects
      .filter((o) => o.kind === 'Secret')
      .map(
        (o) =>
          `Secret ${o.namespace}/${o.name} (key ${clientSecretKey}) would hold the client secret (${o.change === 'created' ? 'new' : 'updated'}); it is not printed`,
      ),
    ...plan.workloads.map(
      (w) =>
        `${formatWorkload(w.workload)} ${w.pointed ? `would be pointed at Configuration ${w.config} and` : `uses Configuration ${w.config}; it would be`} restarted`,
    ),
    'Nothing was changed: add --apply to write these objects.',
  ]
}

const changeWords = {created: 'created', updated: 'updated', added: 'handler added', unchanged: 'unchanged'}

export function renderApplied(objects: AppliedObject[]): string {
  return renderTable(
    ['OBJECT', 'CHANGE'],
    objects.map((o) => [`${o.kind} ${o.namespace}/${o.name}`, changeWords[o.change]]),
  )
}

export function renderOnDisk(result: OnDiskResult): string {
  const table = renderTable(
    ['FILE', 'WHAT', 'CHANGE'],
    result.writes.map((w) => [w.file, w.role, w.change]),
  )
  const next = result.dryRun ? 'Nothing was changed (--dry-run).' : `Start daprd with: ${result.daprdFlags.join(' ')}`
  return `${table}\n${next}`
}
