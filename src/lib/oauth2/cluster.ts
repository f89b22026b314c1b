// The OAuth middleware on a cluster: per namespace, the client secret in a Secret, the Component reading it by
// secretKeyRef, and the pipeline Configuration. A workload given with --workload keeps the Configuration it already
// names (dapr.io/config): the handler is added to that one's pipeline; one that names none is pointed at --config.
// Plan first (pure, from what was read; refusals before any write), then conditional writes and the rolls.
import {UserError, UsageError} from '../errors.js'
import type {AppRestartOutcome, NamespacedWorkload, RollOptions, TemplatePatch} from '../kube/index.js'
import {assertNamespaceName, assertObjectName} from '../kube-names.js'
import {formatWorkload, parseWorkload} from '../kube/workload-names.js'
import {
  clientSecretKey,
  componentManifest,
  configurationWithHandler,
  type DaprObject,
  defaultConfigurationName,
  handlerOf,
} from './manifests.js'
import type {OAuthSpec} from './options.js'

export const configAnnotation = 'dapr.io/config'

export interface WorkloadTemplate {
  daprEnabled: boolean
  /** The Configuration its pods use (dapr.io/config), if any. */
  config: string | undefined
}

/** The reads and writes `oauth2 create -k` makes; kube/dapr-objects.ts implements it. */
export interface OAuthCluster {
  readWorkload(workload: NamespacedWorkload): Promise<WorkloadTemplate | undefined>
  readComponent(namespace: string, name: string): Promise<DaprObject | undefined>
  readConfiguration(namespace: string, name: string): Promise<DaprObject | undefined>
  /** The resourceVersion of the Secret, if it exists. */
  readSecret(namespace: string, name: string): Promise<string | undefined>
  /** Creates the Secret, or (with the resourceVersion read) sets these keys in it, keeping the others. */
  writeSecret(namespace: string, name: string, data: Record<string, string>, resourceVersion?: string): Promise<void>
  /** Creates the object, or replaces it when it carries the resourceVersion read. */
  writeObject(plural: 'components' | 'configurations', object: DaprObject): Promise<void>
  roll(
    workloads: NamespacedWorkload[],
    patchOf: (workload: NamespacedWorkload) => TemplatePatch | undefined,
    options: RollOptions,
  ): Promise<AppRestartOutcome[]>
}

export interface ClusterTarget {
  /** --app-namespace values; the namespaces of the workloads are added. */
  namespaces: string[]
  workloads: NamespacedWorkload[]
  /** The Secret holding the client secret. */
  secretName: string
  /** The Configuration for workloads that name none (and for the namespaces when no workload is given). */
  configName: string
}

type Change = 'created' | 'updated' | 'added' | 'unchanged'

export interface PlannedObject {
  kind: 'Secret' | 'Component' | 'Configuration'
  namespace: string
  name: string
  change: Change
  /** For Components and Configurations: the object to write (with the resourceVersion read, when it exists). */
  object?: DaprObject
  resourceVersion?: string | undefined
}

export interface PlannedWorkload {
  workload: NamespacedWorkload
  config: string
  /** dapr.io/config is set by the roll's patch (the workload named none). */
  pointed: boolean
}

export interface ClusterPlan {
  objects: PlannedObject[]
  workloads: PlannedWorkload[]
}

export interface ClusterReading {
  namespace: string
  secretVersion: string | undefined
  component: DaprObject | undefined
  /** By name: every Configuration the plan touches in this namespace. */
  configurations: Map<string, DaprObject | undefined>
}

/** Pure: which workloads use which Configuration; refused when a workload is missing or not Dapr-enabled. */
export function planWorkloads(
  workloads: {workload: NamespacedWorkload; template: WorkloadTemplate | undefined}[],
  configName: string,
): PlannedWorkload[] {
  return workloads.map(({workload, template}) => {
    if (template === undefined) {
      throw new UserError(`--workload ${formatWorkload(workload)} was not found; nothing was changed`)
    }
    if (!template.daprEnabled) {
      throw new UsageError(
        `${formatWorkload(workload)} is not Dapr-enabled (no truthy dapr.io/enabled on its pod template): no sidecar would run the middleware`,
      )
    }
    return {workload, config: template.config ?? configName, pointed: template.config === undefined}
  })
}

/** Pure: the objects of each namespace, in write order: the Secret, the Component, then each Configuration. */
export function planObjects(spec: OAuthSpec, target: ClusterTarget, readings: ClusterReading[]): PlannedObject[] {
  const handler = handlerOf(spec)
  return readings.flatMap((reading): PlannedObject[] => {
    const {namespace} = reading
    const component = componentManifest(spec, {kind: 'kubernetes', secretName: target.secretName}, namespace)
    const existing = reading.component
    if (existing?.metadata.resourceVersion) component.metadata.resourceVersion = existing.metadata.resourceVersion
    const configurations = [...reading.configurations.entries()].map(([name, current]): PlannedObject => {
      const {object, change} = configurationWithHandler(name, namespace, current, handler)
      return {kind: 'Configuration', namespace, name, change: change === 'added' ? 'added' : change, object}
    })
    const sameSpec = existing !== undefined && JSON.stringify(existing.spec) === JSON.stringify(component.spec)
    return [
      {
        kind: 'Secret',
        namespace,
        name: target.secretName,
        change: reading.secretVersion ? 'updated' : 'created',
        resourceVersion: reading.secretVersion,
      },
      {
        kind: 'Component',
        namespace,
        name: spec.name,
        change: existing === undefined ? 'created' : sameSpec ? 'unchanged' : 'updated',
        object: component,
      },
      ...configurations,
    ]
  })
}

/** Reads what the plan needs and plans; nothing is written. */
export async function prepareOAuthCluster(
  cluster: OAuthCluster,
  spec: OAuthSpec,
  target: ClusterTarget,
): Promise<ClusterPlan> {
  const templates = await Promise.all(
    target.workloads.map(async (workload) => ({workload, template: await cluster.readWorkload(workload)})),
  )
  const workloads = planWorkloads(templates, target.configName)
  const namespaces = [...new Set([...target.namespaces, ...target.workloads.map((w) => w.namespace)])].sort()
  const readings = await Promise.all(
    namespaces.map(async (namespace): Promise<ClusterReading> => {
      const used = workloads.filter((w) => w.workload.namespace === namespace).map((w) => w.config)
      const names = [...new Set(used.length > 0 ? used : [target.configName])].sort()
      const [secretVersion, component, ...configurations] = await Promise.all([
        cluster.readSecret(namespace, target.secretName),
        cluster.readComponent(namespace, spec.name),
        ...names.map((name) => cluster.readConfiguration(namespace, name)),
      ])
      return {
        namespace,
        secretVersion,
        component,
        configurations: new Map(names.map((name, i) => [name, configurations[i]])),
      }
    }),
  )
  return {objects: planObjects(spec, target, readings), workloads}
}

export interface AppliedObject {
  kind: PlannedObject['kind']
  namespace: string
  name: string
  change: Change
}

export interface ClusterApplyResult {
  objects: AppliedObject[]
  restarts: AppRestartOutcome[]
}

/** Writes the objects in order (each conditional on what was read), then points and rolls the workloads. */
export async function applyOAuthCluster(
  cluster: OAuthCluster,
  plan: ClusterPlan,
  clientSecret: string,
  options: RollOptions & {onWritten?: (object: AppliedObject) => void},
): Promise<ClusterApplyResult> {
  const objects: AppliedObject[] = []
  for (const planned of plan.objects) {
    const {kind, namespace, name, change} = planned
    try {
      if (kind === 'Secret') {
        await cluster.writeSecret(namespace, name, {[clientSecretKey]: clientSecret}, planned.resourceVersion)
      } else if (change !== 'unchanged' && planned.object) {
        await cluster.writeObject(kind === 'Component' ? 'components' : 'configurations', planned.object)
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      const done = objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`).join(', ')
      throw new UserError(error.message, {
        hint: [
          error.hint,
          done ? `Already written: ${done}; run the command again once fixed.` : 'Nothing was written.',
        ]
          .filter(Boolean)
          .join(' '),
      })
    }
    const applied = {kind, namespace, name, change}
    objects.push(applied)
    options.onWritten?.(applied)
  }
  const pointed = new Map(plan.workloads.map((w) => [formatWorkload(w.workload), w]))
  const restarts =
    plan.workloads.length === 0
      ? []
      : await cluster.roll(
          plan.workloads.map((w) => w.workload),
          (workload) => {
            const planned = pointed.get(formatWorkload(workload))
            return planned?.pointed ? {annotations: {[configAnnotation]: planned.config}} : undefined
          },
          options,
        )
  return {objects, restarts}
}

/** The cluster target from the flags, checked: namespace and workload names, and at least one namespace. */
export function clusterTargetOf(
  spec: OAuthSpec,
  flags: {'app-namespace'?: string[]; workload?: string[]; config?: string; 'secret-name'?: string},
): ClusterTarget {
  const namespaces = flags['app-namespace'] ?? []
  for (const namespace of namespaces) assertNamespaceName(namespace, '--app-namespace')
  const workloads = (flags.workload ?? []).map((reference) => parseWorkload(reference, '--workload'))
  if (namespaces.length === 0 && workloads.length === 0) {
    throw new UsageError(
      'name where the middleware goes: --app-namespace <namespace> or --workload <namespace>/<kind>/<name>',
      '-n is the Dapr control-plane namespace; Components and Configurations live beside the applications.',
    )
  }
  const configName = flags.config ?? defaultConfigurationName
  const secretName = flags['secret-name'] ?? `${spec.name}-client-secret`
  assertObjectName(configName, '--config')
  assertObjectName(secretName, '--secret-name')
  return {namespaces, workloads, configName, secretName}
}

/** Throws when a workload did not finish rolling: the objects are written, and running the command again is safe. */
export function assertRestartsDone(result: ClusterApplyResult): void {
  const failed = result.restarts.filter((r) => !r.done)
  if (failed.length === 0) return
  throw new UserError(
    `the objects are written, but ${failed.map((r) => `${formatWorkload(r)} (${r.message})`).join(', ')} did not finish restarting`,
    {hint: 'Fix the cause (kubectl describe), then run the same command again: written objects stay as they are.'},
  )
}
