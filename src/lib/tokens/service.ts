// The token commands on a cluster: read every namespace of the scope, plan (plan.ts: refusals come before any write),
// then carry the plan out namespace by namespace. A namespace whose Secret cannot be written is left as it was and
// its workloads are not touched; the others go on, and the result says which succeeded.
import {UserError} from '../errors.js'
import type {AppRestartOutcome, NamespacedWorkload} from '../kube/index.js'
import {formatWorkload} from '../kube/workload-names.js'
import {ExitCode} from '../output/exit-codes.js'
import {
  secretFingerprintAnnotation,
  secretGenerationAnnotation,
  secretUpdatedAnnotation,
  type TokenKindInfo,
} from './kinds.js'
import type {TokenCluster} from './model.js'
import {
  type NamespacePlan,
  type NamespaceState,
  planCreate,
  planDelete,
  planRotate,
  type SecretAction,
  type TokenPlan,
  type WorkloadChange,
  type WorkloadSelection,
} from './plan.js'
import {type TokenStatusReport, tokenStatusReport} from './status.js'
import {newToken, tokenFingerprint} from './token-value.js'

/** The namespaces a command works in: named (--app-namespace, and those of --workload), or all with Dapr apps. */
export interface NamespaceScope {
  namespaces: string[]
  allNamespaces: boolean
}

export interface TokenRequest {
  info: TokenKindInfo
  secretName: string
  scope: NamespaceScope
  selection: WorkloadSelection
}

export interface RunOptions {
  concurrency: number
  timeoutMs: number
  /** Ctrl-C: stop starting new restarts. */
  signal?: AbortSignal
  onWarning?: (message: string) => void
  /** A Secret written or deleted, or a write refused. */
  onSecret?: (outcome: NamespaceOutcome) => void
  onRollFinished?: (outcome: AppRestartOutcome, finished: number, total: number) => void
}

export interface NamespaceOutcome {
  namespace: string
  secret: SecretAction
  /** The Secret step succeeded (or there was none). */
  done: boolean
  generation: number | undefined
  error?: string
  hint?: string
}

export interface WorkloadOutcome {
  workload: string
  change: WorkloadChange
  container: string | undefined
  restarted: boolean
  done: boolean
  seconds: number
  message: string
}

export interface TokenRunResult {
  kind: string
  secretName: string
  namespaces: NamespaceOutcome[]
  workloads: WorkloadOutcome[]
  warnings: string[]
  /** The new tokens, only when asked for with --show. */
  tokens?: {namespace: string; token: string}[]
}

async function resolveNamespaces(cluster: TokenCluster, request: TokenRequest): Promise<string[]> {
  const named = request.scope.namespaces
  const found = request.scope.allNamespaces ? await cluster.daprNamespaces() : []
  const namespaces = [...new Set([...named, ...found])].sort()
  if (namespaces.length === 0) {
    throw new UserError('no namespace has a Dapr-enabled workload; nothing was changed', {
      hint: 'Name the namespaces with --app-namespace.',
    })
  }
  return namespaces
}

/** Reads the Secret and the workloads of every namespace of the scope. */
export async function readNamespaces(cluster: TokenCluster, request: TokenRequest): Promise<NamespaceState[]> {
  const namespaces = await resolveNamespaces(cluster, request)
  return Promise.all(
    namespaces.map(async (namespace) => {
      const [secret, workloads] = await Promise.all([
        cluster.readSecret(namespace, request.secretName),
        cluster.listWorkloads(namespace),
      ])
      return {namespace, secret, workloads}
    }),
  )
}

function secretAnnotations(token: string, generation: number, now: Date): Record<string, string> {
  return {
    [secretGenerationAnnotation]: String(generation),
    [secretFingerprintAnnotation]: tokenFingerprint(token),
    [secretUpdatedAnnotation]: now.toISOString(),
  }
}

async function secretStep(
  cluster: TokenCluster,
  plan: TokenPlan,
  state: NamespaceState,
  namespacePlan: NamespacePlan,
  token: string,
): Promise<NamespaceOutcome> {
  const {namespace, secret: action, generation} = namespacePlan
  const outcome: NamespaceOutcome = {namespace, secret: action, done: true, generation}
  try {
    const annotations = secretAnnotations(token, generation ?? 1, new Date())
    if (action === 'create') await cluster.createSecret(namespace, plan.secretName, token, annotations)
    else if (action === 'replace' && state.secret) await cluster.replaceSecret(state.secret, token, annotations)
    else if (action === 'delete' && state.secret) await cluster.deleteSecret(state.secret)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    return {...outcome, done: false, error: error.message, ...(error.hint ? {hint: error.hint} : {})}
  }
  return outcome
}

function workloadOutcomes(plans: NamespacePlan[], outcomes: AppRestartOutcome[]): WorkloadOutcome[] {
  const steps = plans.flatMap((p) => p.steps)
  return outcomes.map((outcome) => {
    const step = steps.find(
      (s) =>
        s.workload.namespace === outcome.namespace &&
        s.workload.kind === outcome.kind &&
        s.workload.name === outcome.name,
    )
    return {
      workload: formatWorkload(outcome),
      change: step?.change ?? 'roll',
      container: step?.container,
      restarted: outcome.restarted,
      done: outcome.done,
      seconds: outcome.seconds,
      message: outcome.message,
    }
  })
}

async function roll(cluster: TokenCluster, plans: NamespacePlan[], options: RunOptions): Promise<AppRestartOutcome[]> {
  const steps = plans.flatMap((p) => p.steps)
  if (steps.length === 0) return []
  const key = (w: NamespacedWorkload) => formatWorkload(w)
  const patches = new Map(steps.map((s) => [key(s.workload), s.patch]))
  return cluster.roll(
    steps.map((s) => ({namespace: s.workload.namespace, kind: s.workload.kind, name: s.workload.name})),
    (workload) => patches.get(key(workload)),
    {
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? {signal: options.signal} : {}),
      ...(options.onRollFinished ? {onFinished: options.onRollFinished} : {}),
    },
  )
}

/** Writes the Secrets first, then rolls the workloads of the namespaces whose Secret was written. */
async function writeThenRoll(
  cluster: TokenCluster,
  plan: TokenPlan,
  states: NamespaceState[],
  tokens: Map<string, string>,
  options: RunOptions,
): Promise<TokenRunResult> {
  for (const warning of plan.warnings) options.onWarning?.(warning)
  const namespaces: NamespaceOutcome[] = []
  for (const namespacePlan of plan.namespaces) {
    const state = states.find((s) => s.namespace === namespacePlan.namespace) as NamespaceState
    const outcome = await secretStep(cluster, plan, state, namespacePlan, tokens.get(namespacePlan.namespace) ?? '')
    namespaces.push(outcome)
    options.onSecret?.(outcome)
  }
  const written = plan.namespaces.filter((p) => namespaces.find((n) => n.namespace === p.namespace)?.done)
  const outcomes = await roll(cluster, written, options)
  return {
    kind: plan.info.topic,
    secretName: plan.secretName,
    namespaces,
    workloads: workloadOutcomes(written, outcomes),
    warnings: plan.warnings,
  }
}

/** The tokens to write: the given one everywhere, or a new one per namespace (a leak stays in its namespace). */
function tokensFor(plan: TokenPlan, givenToken: string | undefined): Map<string, string> {
  return new Map(
    plan.namespaces
      .filter((p) => p.secret === 'create' || p.secret === 'replace')
      .map((p) => [p.namespace, givenToken ?? newToken()]),
  )
}

function shown(tokens: Map<string, string>, result: TokenRunResult): {namespace: string; token: string}[] {
  return result.namespaces
    .filter((n) => n.done && tokens.has(n.namespace))
    .map((n) => ({namespace: n.namespace, token: tokens.get(n.namespace) ?? ''}))
}

/** A plan with what it was made from, ready to be shown (--dry-run) or carried out. */
export interface PreparedRun {
  verb: 'create' | 'rotate' | 'delete'
  plan: TokenPlan
  states: NamespaceState[]
}

export interface CreateRequest extends TokenRequest {
  /** The token given with --from-file; otherwise each namespace gets a new one. */
  givenToken: string | undefined
  force: boolean
}

async function prepare(
  cluster: TokenCluster,
  request: TokenRequest,
  verb: PreparedRun['verb'],
  plan: (states: NamespaceState[]) => TokenPlan,
): Promise<PreparedRun> {
  const states = await readNamespaces(cluster, request)
  return {verb, plan: plan(states), states}
}

export function prepareCreate(cluster: TokenCluster, request: CreateRequest): Promise<PreparedRun> {
  const {info, secretName, selection, force, givenToken} = request
  return prepare(cluster, request, 'create', (states) =>
    planCreate(info, secretName, states, selection, {force, givenToken}),
  )
}

export function prepareRotate(
  cluster: TokenCluster,
  request: TokenRequest & {restartOnly: boolean},
): Promise<PreparedRun> {
  const {info, secretName, selection, restartOnly, scope} = request
  return prepare(cluster, request, 'rotate', (states) => {
    // --all-namespaces means the namespaces that have the Secret; a namespace named on its own must have it.
    const named = new Set(scope.namespaces)
    const kept = scope.allNamespaces ? states.filter((s) => s.secret !== undefined || named.has(s.namespace)) : states
    if (kept.length === 0) {
      throw new UserError(`no namespace with a Dapr-enabled workload has Secret ${secretName}; nothing was changed`, {
        hint: `Create it first: dapr ${info.topic} create -k --all-namespaces`,
      })
    }
    return planRotate(info, secretName, kept, selection, {restartOnly})
  })
}

export function prepareDelete(cluster: TokenCluster, request: TokenRequest & {force: boolean}): Promise<PreparedRun> {
  const {info, secretName, selection, force} = request
  return prepare(cluster, request, 'delete', (states) => planDelete(info, secretName, states, selection, {force}))
}

/**
 * Carries a plan out. Create and rotate write each Secret first and then roll the workloads of the namespaces whose
 * Secret was written; delete detaches and rolls first, then deletes each Secret whose workloads all finished.
 */
export async function carryOut(
  cluster: TokenCluster,
  prepared: PreparedRun,
  options: RunOptions & {givenToken?: string | undefined; show?: boolean},
): Promise<TokenRunResult> {
  if (prepared.verb === 'delete') return detachThenDelete(cluster, prepared, options)
  const tokens = tokensFor(prepared.plan, options.givenToken)
  const result = await writeThenRoll(cluster, prepared.plan, prepared.states, tokens, options)
  return options.show ? {...result, tokens: shown(tokens, result)} : result
}

async function detachThenDelete(
  cluster: TokenCluster,
  {plan, states}: PreparedRun,
  options: RunOptions,
): Promise<TokenRunResult> {
  for (const warning of plan.warnings) options.onWarning?.(warning)
  const outcomes = await roll(cluster, plan.namespaces, options)
  const workloads = workloadOutcomes(plan.namespaces, outcomes)
  const namespaces: NamespaceOutcome[] = []
  for (const namespacePlan of plan.namespaces) {
    const {namespace} = namespacePlan
    const unfinished = workloads.filter((w) => w.workload.startsWith(`${namespace}/`) && !w.done)
    let outcome: NamespaceOutcome
    if (unfinished.length > 0) {
      outcome = {
        namespace,
        secret: namespacePlan.secret,
        done: false,
        generation: undefined,
        error: `Secret ${plan.secretName} was kept: ${unfinished.map((w) => w.workload).join(', ')} did not finish detaching`,
      }
    } else {
      const state = states.find((s) => s.namespace === namespace) as NamespaceState
      outcome = await secretStep(cluster, plan, state, namespacePlan, '')
    }
    namespaces.push(outcome)
    options.onSecret?.(outcome)
  }
  return {kind: plan.info.topic, secretName: plan.secretName, namespaces, workloads, warnings: plan.warnings}
}

/** The plan as plain data, for --dry-run output. */
export function describePlan(prepared: PreparedRun) {
  const {plan} = prepared
  return {
    kind: plan.info.topic,
    secretName: plan.secretName,
    dryRun: true,
    namespaces: plan.namespaces.map((n) => ({namespace: n.namespace, secret: n.secret, generation: n.generation})),
    workloads: plan.namespaces.flatMap((n) =>
      n.steps.map((s) => ({workload: formatWorkload(s.workload), change: s.change, container: s.container})),
    ),
    warnings: plan.warnings,
  }
}

export async function readTokenStatus(cluster: TokenCluster, request: TokenRequest): Promise<TokenStatusReport> {
  const states = await readNamespaces(cluster, request)
  const readings = await Promise.all(
    states.map(async (state) => ({...state, pods: await cluster.listPods(state.namespace)})),
  )
  return tokenStatusReport(request.info, request.secretName, readings)
}

/**
 * Throws when a namespace or a workload did not finish: which namespaces succeeded, which did not and why (the RBAC
 * rule of a refused write), and the command that finishes the job.
 */
export function assertTokenRunDone(result: TokenRunResult, resume: (workloads: string[]) => string): void {
  const failedNamespaces = result.namespaces.filter((n) => !n.done)
  const failedWorkloads = result.workloads.filter((w) => !w.done)
  if (failedNamespaces.length === 0 && failedWorkloads.length === 0) return
  const succeeded = result.namespaces.filter((n) => n.done).map((n) => n.namespace)
  const interrupted = failedWorkloads.some((w) => w.message.includes('interrupted'))
  const parts: string[] = []
  if (succeeded.length > 0) parts.push(`done in ${succeeded.join(', ')}`)
  for (const failed of failedNamespaces) parts.push(`not in ${failed.namespace}: ${failed.error ?? 'failed'}`)
  if (failedWorkloads.length > 0) {
    parts.push(`${failedWorkloads.map((w) => w.workload).join(', ')} did not finish rolling`)
  }
  const hints = [...new Set(failedNamespaces.flatMap((n) => (n.hint ? [n.hint] : [])))]
  if (failedWorkloads.length > 0) hints.push(`Resume: ${resume(failedWorkloads.map((w) => w.workload))}`)
  throw new UserError(parts.join('; '), {
    hint: hints.join(' '),
    exitCode: interrupted ? ExitCode.interrupted : ExitCode.failure,
  })
}
