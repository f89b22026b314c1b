// API errors become UserErrors here, once, with what failed and what to do: 403 names the verb, resource, object,
// namespace and the RBAC rule needed; 404 says what is missing; 409 says nothing was written; network errors name
// the server and the context.
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

function describe(action: ApiAction): string {
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
        return new UserError(`unauthorized: ${cluster.server} rejected the credentials of context ${cluster.context}`, {
          hint: 'Refresh your credentials (log in again) or choose another --context.',
        })
      case 403:
        return new UserError(`permission denied: cannot ${action.verb} ${describe(action)}`, {hint: rbacRule(action)})
      case 404:
        return new UserError(`${describe(action)} not found`, {
          hint: 'Is Dapr installed there? Pass -n with the Dapr control-plane namespace.',
        })
      case 409:
        return new UserError(
          `${describe(action)} was changed by someone else while this command ran; nothing was overwritten`,
          {
            hint: 'Run the command again to work from the current state.',
          },
        )
      default:
        return new UserError(`cannot ${action.verb} ${describe(action)}: HTTP ${code}${detail ? `: ${detail}` : ''}`)
    }
  }
  const err = error as NodeJS.ErrnoException & {type?: string}
  const code = err.code ?? ''
  if (
    networkCodes.has(code) ||
    err.type === 'system' ||
    /certificate|self[- ]signed|TLS|SSL/i.test(err.message ?? '')
  ) {
    return new UserError(
      `cannot reach the Kubernetes API server at ${cluster.server} (context ${cluster.context}): ${code || err.message}`,
      {
        hint: 'Check that the cluster is running and reachable, or choose another --context / --kubeconfig.',
      },
    )
  }
  return error instanceof Error ? error : new Error(String(error))
}

/** Runs one API call and maps its failure. */
export async function call<T>(cluster: ClusterIdentity, action: ApiAction, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    throw toUserError(error, action, cluster)
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && (error as ApiException<unknown>).code === 404
}

/** Runs one API call; a 404 gives undefined instead of an error. */
export async function callOptional<T>(
  cluster: ClusterIdentity,
  action: ApiAction,
  request: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await request()
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw toUserError(error, action, cluster)
  }
}
