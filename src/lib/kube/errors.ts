// API errors become ApiErrors here, once, with what failed and what to do: 403 names the verb, resource, object,
// namespace and the RBAC rule needed; 404 says what is missing; 409 says nothing was written; network errors name
// the server and the context. Running the requests themselves is request.ts.
import {ApiException} from '@kubernetes/client-node'

import {UserError} from '../errors.js'

export interface ApiAction {
  verb: 'get' | 'list' | 'update' | 'patch' | 'create'
  /** Plural resource name with its API group, e.g. secrets, deployments.apps, configurations.dapr.io. */
  resource: string
  name?: string
  /** Undefined for cluster-wide requests. */
  namespace?: string
}

export interface ClusterIdentity {
  server: string
  context: string
  /** The bound of one request (--request-timeout); requestTimeoutMs when unset. */
  requestTimeoutMs?: number
}

/** A failed API call. `status` is the HTTP status, undefined when the server was not reached or did not answer. */
export class ApiError extends UserError {
  readonly status: number | undefined

  constructor(message: string, status: number | undefined, hint?: string) {
    super(message, {hint})
    this.name = 'ApiError'
    this.status = status
  }

  /** Worth asking again: the server was not reached, timed out, or failed on its side. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500
  }
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined
  try {
    const status = JSON.parse(body) as {message?: string}
    return status.message
  } catch {
    return body.trim() || undefined
  }
}

/** "secrets dapr-trust-bundle in namespace dapr-system": the object an action is about. */
export function describeAction(action: ApiAction): string {
  const object = action.name ? `${action.resource} ${action.name}` : action.resource
  return action.namespace ? `${object} in namespace ${action.namespace}` : `${object} across all namespaces`
}

function rbacRule(action: ApiAction): string {
  const [plural, ...group] = action.resource.split('.')
  const scope = action.namespace ? `a Role in namespace ${action.namespace}` : 'a ClusterRole'
  const names = action.name ? `, resourceNames: ["${action.name}"]` : ''
  return `It needs ${scope} with apiGroups: ["${group.join('.')}"], resources: ["${plural ?? ''}"]${names}, verbs: ["${action.verb}"].`
}

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'])

export function toUserError(error: unknown, action: ApiAction, cluster: ClusterIdentity): Error {
  if (error instanceof UserError) return error
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code
    const detail = statusMessage((error as ApiException<unknown>).body)
    switch (code) {
      case 401:
        return new ApiError(
          `unauthorized: ${cluster.server} rejected the credentials of context ${cluster.context}`,
          code,
          'Refresh your credentials (log in again) or choose another --context.',
        )
      case 403:
        return new ApiError(`permission denied: cannot ${action.verb} ${describeAction(action)}`, code, rbacRule(action))
      case 404:
        return new ApiError(
          `${describeAction(action)} not found`,
          code,
          'Is Dapr installed there? Pass -n with the Dapr control-plane namespace.',
        )
      case 409:
        return new ApiError(
          `${describeAction(action)} was changed by someone else while this command ran; nothing was overwritten`,
          code,
          'Run the command again to work from the current state.',
        )
      default:
        return new ApiError(
          `cannot ${action.verb} ${describeAction(action)}: HTTP ${code}${detail ? `: ${detail}` : ''}`,
          code,
        )
    }
  }
  const err = error as NodeJS.ErrnoException & {type?: string}
  const code = err.code ?? ''
  if (
    networkCodes.has(code) ||
    err.type === 'system' ||
    /certificate|self[- ]signed|TLS|SSL/i.test(err.message ?? '')
  ) {
    return new ApiError(
      `cannot reach the Kubernetes API server at ${cluster.server} (context ${cluster.context}): ${code || err.message}`,
      undefined,
      'Check that the cluster is running and reachable, or choose another --context / --kubeconfig.',
    )
  }
  return error instanceof Error ? error : new Error(String(error))
}

export function isNotFound(error: unknown): boolean {
  return (
    (error instanceof ApiException && (error as ApiException<unknown>).code === 404) ||
    (error instanceof ApiError && error.status === 404)
  )
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403
}
