// Pure decisions of the token commands, from what was read before anything is written: which Secrets are created,
// replaced or deleted, which workloads are pointed at them (or away) and rolled, the template patch of each, and
// every refusal. A refusal here means nothing was written anywhere.
import {UsageError, UserError} from '../errors.js'
import type {NamespacedWorkload, TemplatePatch} from '../kube/index.js'
import {formatWorkload} from '../kube/workload-names.js'
import {type TokenKindInfo, tokenKey, tokenKinds} from './kinds.js'
import type {TemplateContainer, TokenSecret, TokenWorkload} from './model.js'

/** What was read in one namespace. */
export interface NamespaceState {
  namespace: string
  secret: TokenSecret | undefined
  workloads: TokenWorkload[]
}

/** Which workloads a command is about: those named with --workload, or all of them (--all-workloads). */
export interface WorkloadSelection {
  workloads: NamespacedWorkload[]
  all: boolean
}

export type WorkloadChange = 'attach' | 'roll' | 'detach'

export interface WorkloadStep {
  workload: TokenWorkload
  change: WorkloadChange
  /** The container that gets or loses the token variable; undefined when only annotations change. */
  container: string | undefined
  patch: TemplatePatch
}

export type SecretAction = 'create' | 'replace' | 'keep' | 'delete' | 'absent'

export interface NamespacePlan {
  namespace: string
  secret: SecretAction
  /** The token generation once the plan is carried out; undefined when the Secret is gone. */
  generation: number | undefined
  steps: WorkloadStep[]
}

export interface TokenPlan {
  info: TokenKindInfo
  secretName: string
  namespaces: NamespacePlan[]
  warnings: string[]
}

const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container'

/** The generation a Secret holds: the one stamped on it, or 1 for a Secret this tool has not rotated. */
export function currentGeneration(secret: TokenSecret): number {
  return secret.generation ?? 1
}

/** The app container, which gets the token: kubectl's default-container annotation, else the first container. */
export function appContainer(workload: TokenWorkload): string | undefined {
  const named = workload.annotations[defaultContainerAnnotation]
  if (named !== undefined && workload.containers.some((c) => c.name === named)) return named
  return workload.containers[0]?.name
}

function containerUses(container: TemplateContainer, secretName: string): boolean {
  return container.envFromSecrets.includes(secretName) || container.env.some((e) => e.secretName === secretName)
}

export interface SecretReferences {
  /** The token annotations (of either kind) that name the Secret. */
  annotations: string[]
  /** The containers whose env or envFrom reads the Secret. */
  containers: string[]
}

/** How a workload's pod template uses a Secret: both token annotations count, and any container env reading it. */
export function secretReferences(workload: TokenWorkload, secretName: string): SecretReferences {
  return {
    annotations: Object.values(tokenKinds)
      .map((kind) => kind.secretAnnotation)
      .filter((annotation) => workload.annotations[annotation] === secretName),
    containers: workload.containers.filter((c) => containerUses(c, secretName)).map((c) => c.name),
  }
}

export function isReferencing(workload: TokenWorkload, secretName: string): boolean {
  const references = secretReferences(workload, secretName)
  return references.annotations.length > 0 || references.containers.length > 0
}

/** The template's stamped generation of this token, if any. */
export function templateGeneration(workload: {annotations: Record<string, string>}, info: TokenKindInfo) {
  const value = Number.parseInt(workload.annotations[info.generationAnnotation] ?? '', 10)
  return Number.isNaN(value) ? undefined : value
}

/** The annotation, the generation and, in the app container, the variable read from the Secret's `token` key. */
export function attachPatch(
  info: TokenKindInfo,
  secretName: string,
  container: string,
  generation: number,
): TemplatePatch {
  return {
    annotations: {[info.secretAnnotation]: secretName, [info.generationAnnotation]: String(generation)},
    containers: [
      {
        name: container,
        // value: null drops a literal value the variable may have had: a variable cannot have both.
        env: [{name: info.envName, value: null, valueFrom: {secretKeyRef: {name: secretName, key: tokenKey}}}],
      },
    ],
  }
}

/** Removes what attachPatch added: the annotation, the generation, and variables reading the Secret. */
export function detachPatch(info: TokenKindInfo, workload: TokenWorkload, secretName: string): TemplatePatch {
  const annotations: Record<string, null> = {[info.generationAnnotation]: null}
  if (workload.annotations[info.secretAnnotation] === secretName) annotations[info.secretAnnotation] = null
  const containers = workload.containers
    .map((c) => ({
      name: c.name,
      env: c.env.filter((e) => e.secretName === secretName).map((e) => ({name: e.name, $patch: 'delete'})),
    }))
    .filter((c) => c.env.length > 0)
  return containers.length > 0 ? {annotations, containers} : {annotations}
}

function isAttached(workload: TokenWorkload, info: TokenKindInfo, secretName: string, generation: number): boolean {
  const container = workload.containers.find((c) => c.name === appContainer(workload))
  const variable = container?.env.find((e) => e.name === info.envName)
  return (
    workload.annotations[info.secretAnnotation] === secretName &&
    templateGeneration(workload, info) === generation &&
    variable?.secretName === secretName &&
    variable.secretKey === tokenKey
  )
}

const named = (workloads: readonly NamespacedWorkload[]) => workloads.map((w) => formatWorkload(w)).join(', ')

/** The workloads named with --workload, found in what was read; a missing one is refused. */
function explicitWorkloads(state: NamespaceState, selection: WorkloadSelection): TokenWorkload[] {
  return selection.workloads
    .filter((w) => w.namespace === state.namespace)
    .map((wanted) => {
      const found = state.workloads.find((w) => w.kind === wanted.kind && w.name === wanted.name)
      if (found === undefined) {
        throw new UserError(`--workload ${formatWorkload(wanted)} was not found; nothing was changed`, {
          hint: `Check the name with kubectl get ${wanted.kind.toLowerCase()} -n ${wanted.namespace}.`,
        })
      }
      return found
    })
}

/** Rolling a workload with one pod makes it unavailable for a moment. */
function blinkWarnings(plans: NamespacePlan[]): string[] {
  return plans
    .flatMap((plan) => plan.steps)
    .filter((step) => step.workload.replicas !== undefined && step.workload.replicas <= 1)
    .map(
      (step) =>
        `${formatWorkload(step.workload)} has ${step.workload.replicas ?? 0} replica: it is unavailable while its pod is replaced`,
    )
}

export interface CreateOptions {
  /** Point workloads at this Secret even when they name another one. */
  force: boolean
  /** The token given with --from-file: an existing Secret holding another token is refused. */
  givenToken: string | undefined
}

/**
 * Creates the Secret where it is missing (an existing one is kept) and points the selected workloads at it: the
 * annotation, the generation, and the app container's variable as a secretKeyRef.
 */
export function planCreate(
  info: TokenKindInfo,
  secretName: string,
  states: NamespaceState[],
  selection: WorkloadSelection,
  options: CreateOptions,
): TokenPlan {
  const plans = states.map((state): NamespacePlan => {
    const {secret} = state
    if (secret && options.givenToken !== undefined && secret.token !== options.givenToken) {
      throw new UserError(
        `Secret ${secretName} already exists in namespace ${state.namespace} with another token; nothing was changed`,
        {
          hint: `To put the given token in it, run: dapr ${info.topic} rotate -k --app-namespace ${state.namespace} --from-file <file>`,
        },
      )
    }
    const generation = secret ? currentGeneration(secret) : 1
    const selected = selection.all ? state.workloads.filter((w) => w.daprEnabled) : explicitWorkloads(state, selection)
    const notDapr = selected.filter((w) => !w.daprEnabled)
    if (notDapr.length > 0) {
      throw new UsageError(
        `${named(notDapr)} ${notDapr.length === 1 ? 'is' : 'are'} not Dapr-enabled (no truthy dapr.io/enabled on the pod template): no sidecar would read the token`,
        'Enable Dapr on it first, or leave it out of --workload.',
      )
    }
    const elsewhere = selected.filter((w) => {
      const current = w.annotations[info.secretAnnotation]
      return current !== undefined && current !== secretName
    })
    if (elsewhere.length > 0 && !options.force) {
      throw new UserError(
        `${named(elsewhere)} already ${elsewhere.length === 1 ? 'uses' : 'use'} another Secret for the ${info.title} (${info.secretAnnotation}); nothing was changed`,
        {
          hint: `Add --force to point ${elsewhere.length === 1 ? 'it' : 'them'} at ${secretName}, or leave ${elsewhere.length === 1 ? 'it' : 'them'} out.`,
        },
      )
    }
    const steps = selected
      .filter((w) => !isAttached(w, info, secretName, generation))
      .map((workload): WorkloadStep => {
        const container = appContainer(workload)
        if (container === undefined) {
          throw new UserError(`${formatWorkload(workload)} has no container to give the token to`)
        }
        return {workload, change: 'attach', container, patch: attachPatch(info, secretName, container, generation)}
      })
    return {namespace: state.namespace, secret: secret ? 'keep' : 'create', generation, steps}
  })
  return {info, secretName, namespaces: plans, warnings: blinkWarnings(plans)}
}

function assertSecretsExist(info: TokenKindInfo, secretName: string, states: NamespaceState[]): void {
  const missing = states.filter((s) => s.secret === undefined).map((s) => s.namespace)
  if (missing.length === 0) return
  throw new UserError(
    `there is no Secret ${secretName} in namespace${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; nothing was changed`,
    {hint: `Create it first: dapr ${info.topic} create -k ${missing.map((n) => `--app-namespace ${n}`).join(' ')}`},
  )
}

export interface RotateOptions {
  /** Write no token: roll the referencing workloads still stamped with another generation (resuming a rotation). */
  restartOnly: boolean
}

/**
 * A new token in every Secret (a new generation) and a roll of every workload that references it, by annotation or
 * by a container variable, since each of their pods holds the old token until it is replaced.
 */
export function planRotate(
  info: TokenKindInfo,
  secretName: string,
  states: NamespaceState[],
  selection: WorkloadSelection,
  options: RotateOptions,
): TokenPlan {
  assertSecretsExist(info, secretName, states)
  const plans = states.map((state): NamespacePlan => {
    const current = currentGeneration(state.secret as TokenSecret)
    const generation = options.restartOnly ? current : current + 1
    const referencing = state.workloads.filter((w) => isReferencing(w, secretName))
    let rolled = referencing
    if (options.restartOnly) {
      const explicit = explicitWorkloads(state, selection)
      const unrelated = explicit.filter((w) => !isReferencing(w, secretName))
      if (unrelated.length > 0) {
        throw new UsageError(`${named(unrelated)} does not use Secret ${secretName}; nothing was changed`)
      }
      rolled = selection.workloads.length > 0 ? explicit : referencing
      rolled = rolled.filter((w) => templateGeneration(w, info) !== generation)
    }
    return {
      namespace: state.namespace,
      secret: options.restartOnly ? 'keep' : 'replace',
      generation,
      steps: rolled.map((workload) => ({
        workload,
        change: 'roll',
        container: undefined,
        patch: {annotations: {[info.generationAnnotation]: String(generation)}},
      })),
    }
  })
  return {info, secretName, namespaces: plans, warnings: blinkWarnings(plans)}
}

export interface DeleteOptions {
  /** Delete even while workloads still reference the Secret. */
  force: boolean
}

/**
 * Detaches the selected workloads (all referencing ones with --all-workloads), then deletes the Secret; refused while
 * any other workload still references it, because its new pods could not start.
 */
export function planDelete(
  info: TokenKindInfo,
  secretName: string,
  states: NamespaceState[],
  selection: WorkloadSelection,
  options: DeleteOptions,
): TokenPlan {
  const plans = states.map((state): NamespacePlan => {
    const referencing = state.workloads.filter((w) => isReferencing(w, secretName))
    const detached = selection.all ? referencing : explicitWorkloads(state, selection)
    const steps = detached
      .filter((w) => isReferencing(w, secretName))
      .map((workload): WorkloadStep => ({
        workload,
        change: 'detach',
        container: undefined,
        patch: detachPatch(info, workload, secretName),
      }))
    // A detached workload still counts when a reference is left that the patch cannot remove (envFrom, the other
    // token's annotation).
    const remaining = referencing.filter((workload) => {
      if (!detached.some((d) => d.kind === workload.kind && d.name === workload.name)) return true
      const references = secretReferences(workload, secretName)
      const otherAnnotations = references.annotations.filter((a) => a !== info.secretAnnotation)
      const envFrom = workload.containers.some((c) => c.envFromSecrets.includes(secretName))
      return otherAnnotations.length > 0 || envFrom
    })
    if (state.secret !== undefined && remaining.length > 0 && !options.force) {
      throw new UserError(
        `Secret ${secretName} in namespace ${state.namespace} is still used by ${named(remaining)}: their new pods could not start without it; nothing was changed`,
        {
          hint: 'Detach them with --workload <namespace>/<kind>/<name> or --all-workloads, or add --force to delete it anyway.',
        },
      )
    }
    return {namespace: state.namespace, secret: state.secret ? 'delete' : 'absent', generation: undefined, steps}
  })
  return {info, secretName, namespaces: plans, warnings: blinkWarnings(plans)}
}
