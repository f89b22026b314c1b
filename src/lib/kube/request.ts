// Running one API request: bounded in time by cancelling it (an AbortSignal handed to client-node's request context,
// so a server that never answers cannot keep the process alive after the command is done), and its failure mapped
// once into a user-facing error (errors.ts).
import https from 'node:https'

import {type ConfigurationOptions, Observable, type RequestContext, ResponseContext} from '@kubernetes/client-node'

import {type ApiAction, ApiError, type ClusterIdentity, describeAction, isNotFound, toUserError} from './errors.js'

/** How long one request may take when the caller sets no shorter bound. */
export const requestTimeoutMs = 30_000

/** Per-request options for client-node's API methods (their second argument). */
export type RequestOptions = ConfigurationOptions

/** A request as the adapter writes it: `(options) => clients.core.readNamespacedSecret({...}, options)`. */
export type Request<T> = (options: RequestOptions) => Promise<T>

type Agent = NonNullable<ReturnType<RequestContext['getAgent']>>
const sharedAgents = new WeakMap<ClusterIdentity, Agent>()

/**
 * client-node gives every request an agent of its own, so each one paid a TLS context and a full handshake. The first
 * agent made for a connection serves all its requests instead, with keep-alive (a plain HTTPS agent; a proxy's agent
 * is shared as it is), so later requests reuse its connections. Its TLS options are the same for every request of
 * one kubeconfig context; idle keep-alive sockets do not hold the process open.
 */
function sharedAgent(cluster: ClusterIdentity, agent: Agent): Agent {
  let shared = sharedAgents.get(cluster)
  if (shared === undefined) {
    shared = agent.constructor === https.Agent ? new https.Agent({...agent.options, keepAlive: true}) : agent
    sharedAgents.set(cluster, shared)
  }
  return shared
}

/** A successful response with its JSON body passed through `rewrite`, before client-node builds its models of it. */
async function rewriteResponse(
  context: ResponseContext,
  rewrite: (body: unknown) => unknown,
): Promise<ResponseContext> {
  if (context.httpStatusCode !== 200) return context
  const text = JSON.stringify(rewrite(JSON.parse(await context.body.text())))
  return new ResponseContext(context.httpStatusCode, context.headers, {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text)),
  })
}

function requestOptions(
  cluster: ClusterIdentity,
  signal: AbortSignal,
  headers: Record<string, string>,
  rewriteBody: ((body: unknown) => unknown) | undefined,
): RequestOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          const agent = context.getAgent()
          if (agent !== undefined) context.setAgent(sharedAgent(cluster, agent))
          context.setSignal(signal)
          for (const [name, value] of Object.entries(headers)) context.setHeaderParam(name, value)
          return new Observable(Promise.resolve(context))
        },
        post: (context) =>
          new Observable(rewriteBody ? rewriteResponse(context, rewriteBody) : Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  }
}

export interface CallOptions {
  /** The bound of this request; default the connection's --request-timeout. */
  timeoutMs?: number
  /** Extra request headers, e.g. the Content-Type of a merge patch. */
  headers?: Record<string, string>
  /** Cancels the request early (Ctrl-C while waiting for a rollout). */
  signal?: AbortSignal | undefined
  /**
   * Rewrites the JSON body of a successful response before client-node builds its models: a list trimmed to the
   * fields the caller reads, so a page of large objects is not held twice as models nobody reads.
   */
  rewriteBody?: (body: unknown) => unknown
}

/** A request cancelled by its caller's signal, not by its time bound. */
export class RequestCancelledError extends Error {
  constructor() {
    super('cancelled')
    this.name = 'RequestCancelledError'
  }
}

/** Runs one API call, cancelled after its time bound, and maps its failure to a user-facing error. */
export async function call<T>(
  cluster: ClusterIdentity,
  action: ApiAction,
  request: Request<T>,
  options: CallOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? cluster.requestTimeoutMs ?? requestTimeoutMs
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort()
  }, timeoutMs)
  const cancel = () => {
    controller.abort()
  }
  options.signal?.addEventListener('abort', cancel, {once: true})
  try {
    if (options.signal?.aborted) throw new RequestCancelledError()
    return await request(requestOptions(cluster, controller.signal, options.headers ?? {}, options.rewriteBody))
  } catch (error) {
    if (options.signal?.aborted) throw new RequestCancelledError()
    if (controller.signal.aborted) {
      throw new ApiError(
        `the API server at ${cluster.server} did not answer within ${Math.ceil(timeoutMs / 1000)}s: ${action.verb} ${describeAction(action)}`,
        undefined,
        'Check the cluster and the network (or raise --request-timeout), then run the command again.',
      )
    }
    throw toUserError(error, action, cluster)
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', cancel)
  }
}

/** Runs one API call like `call`; a 404 gives undefined instead of an error. */
export async function callOptional<T>(
  cluster: ClusterIdentity,
  action: ApiAction,
  request: Request<T>,
  options: CallOptions = {},
): Promise<T | undefined> {
  try {
    return await call(cluster, action, request, options)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}
