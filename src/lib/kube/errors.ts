// API errors become ApiErrors here, once, with what failed and what to do: 403 names the verb, resource, object,
// namespace and the RBAC rule needed; 404 says what is missing; 409 says nothing was written; network errors name
// the server and the context. Running the requests themselves is request.ts.
import path from 'node:path'

import {ApiException} from '@kubernetes/client-node'

import {UserError} from '../errors.js'

export interface ApiAction {
  verb: 'get' | 'list' | 'update' | 'patch' | 'create' | 'delete'
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
  requestTimeoutMs?: number | undefined
  /** The exec credential plugin of the context's user, whose failures are named as such. */
  credentialPlugin?: string | undefined
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

// What to run when a well-known credential plugin is missing, or when it fails (usually an expired login).
const pluginAdvice: Record<string, {install: string; login: string}> = {
  aws: {install: 'Install the AWS CLI v2', login: 'Log in again (aws sso login, or refresh your AWS credentials)'},
  'aws-iam-authenticator': {
    install: 'Install aws-iam-authenticator',
    login: 'Refresh your AWS credentials (aws sso login)',
  },
  'gke-gcloud-auth-plugin': {
    install: 'Install it: gcloud components install gke-gcloud-auth-plugin',
    login: 'Log in again: gcloud auth login',
  },
  kubelogin: {
    install: 'Install kubelogin (az aks install-cli)',
    login: 'Log in again (az login, or kubelogin remove-tokens and retry)',
  },
  'kubectl-oidc_login': {
    install: 'Install the oidc-login plugin (kubectl krew install oidc-login)',
    login: 'Log in again',
  },
}

/** A failure of the exec credential plugin (it never reached the API server): missing, or refusing to give a token. */
function credentialPluginError(error: NodeJS.ErrnoException, plugin: string, cluster: ClusterIdentity): UserError {
  const name = path.basename(plugin)
  const advice = pluginAdvice[name]
  if (error.code === 'ENOENT' || error.code === 'EACCES') {
    return new UserError(
      `the kubeconfig's credential plugin "${plugin}" (context ${cluster.context}) ${error.code === 'ENOENT' ? 'is not installed or not on PATH' : 'cannot be run (permission denied)'}`,
      {hint: `${advice?.install ?? `Install ${name}`}, or choose another --context.`},
    )
  }
  const said = (error.message ?? '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '')
  return new UserError(
    `the credential plugin "${name}" of context ${cluster.context} failed${said ? `: ${said}` : ''}`,
    {hint: `${advice?.login ?? `Log in again with ${name}`}, then run the command again.`},
  )
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
        return new ApiError(
          `permission denied: cannot ${action.verb} ${describeAction(action)}`,
          code,
          rbacRule(action),
        )
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
  // node-fetch's own errors carry a type; anything else thrown before the request left came from the plugin.
  if (cluster.credentialPlugin !== undefined && err.type === undefined && err.name !== 'AbortError') {
    return credentialPluginError(err, cluster.credentialPlugin, cluster)
  }
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
