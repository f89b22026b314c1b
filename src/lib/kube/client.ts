// The connection to the cluster: kubeconfig from --kubeconfig, $KUBECONFIG (several files merged the way kubectl
// merges them) or ~/.kube/config (never client-node's silent fallback to localhost:8080), the context from
// --context, and the three API clients the adapter uses. A broken kubeconfig is named by its file, never by a
// JavaScript error.
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  type Cluster,
  type Context,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type User,
} from '@kubernetes/client-node'
import {parse} from 'yaml'

import {UserError} from '../errors.js'

export interface ConnectionOptions {
  kubeconfig?: string | undefined
  context?: string | undefined
  requestTimeoutMs?: number | undefined
}

export interface KubeClients {
  core: CoreV1Api
  apps: AppsV1Api
  custom: CustomObjectsApi
  /** Who the user is, and whether it may do something (doctor's access check). */
  authentication: AuthenticationV1Api
  authorization: AuthorizationV1Api
  /** The API server URL and context name, for error messages. */
  server: string
  context: string
  requestTimeoutMs: number | undefined
  /** The exec credential plugin of the context's user (aws, gke-gcloud-auth-plugin, kubelogin...), if any. */
  credentialPlugin: string | undefined
}

const noKubeconfigHint =
  'Pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (for example with your provider CLI).'

/**
 * Why a kubeconfig client-node could not read (or read as empty) is not one: YAML that does not parse, or a document
 * that is not a mapping. Parsed a second time only then, so a good kubeconfig costs one YAML parse.
 */
function assertKubeconfigDocument(file: string, text: string): void {
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    const firstLine = ((error as Error).message.split('\n')[0] ?? '').trim()
    throw new UserError(`the kubeconfig ${file} is not valid YAML (${firstLine})`, {
      hint: 'Fix or replace the file, or point --kubeconfig at another one.',
    })
  }
  if (document === null || document === undefined || typeof document !== 'object' || Array.isArray(document)) {
    throw new UserError(`the kubeconfig ${file} is empty or not a kubeconfig`, {hint: noKubeconfigHint})
  }
}

/** One kubeconfig file, checked the way kubectl would complain about it: by file name, in plain words. */
function loadFile(file: string): KubeConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable')
    throw new UserError(`cannot read the kubeconfig ${file}: ${reason}`, {hint: noKubeconfigHint})
  }
  const kc = new KubeConfig()
  try {
    kc.loadFromString(text)
    kc.makePathsAbsolute(path.dirname(file))
  } catch (error) {
    assertKubeconfigDocument(file, text)
    throw new UserError(`the kubeconfig ${file} cannot be used: ${(error as Error).message}`, {
      hint: 'Fix the file (every cluster, user and context needs a name), or point --kubeconfig at another one.',
    })
  }
  // client-node reads an empty file, or a document that is not a mapping, as a kubeconfig with nothing in it.
  if (kc.getClusters().length + kc.getUsers().length + kc.getContexts().length === 0) {
    assertKubeconfigDocument(file, text)
  }
  return kc
}

/**
 * Several kubeconfig files merged as kubectl does: the first definition of a cluster, user or context name wins, and
 * current-context comes from the first file that sets one.
 */
export function mergeKubeConfigs(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>()
  const users = new Map<string, User>()
  const contexts = new Map<string, Context>()
  let currentContext = ''
  for (const config of configs) {
    for (const cluster of config.getClusters()) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster)
    for (const user of config.getUsers()) if (!users.has(user.name)) users.set(user.name, user)
    for (const context of config.getContexts()) if (!contexts.has(context.name)) contexts.set(context.name, context)
    if (currentContext === '') currentContext = config.getCurrentContext() ?? ''
  }
  const merged = new KubeConfig()
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  })
  return merged
}

function loadKubeConfig(options: ConnectionOptions): KubeConfig {
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) {
      throw new UserError(`kubeconfig ${options.kubeconfig} does not exist`, {hint: noKubeconfigHint})
    }
    return loadFile(options.kubeconfig)
  }
  const fromEnv = process.env.KUBECONFIG ?? ''
  if (fromEnv !== '') {
    // kubectl skips files of the list that do not exist.
    const files = fromEnv.split(path.delimiter).filter((f) => f !== '' && existsSync(f))
    if (files.length === 0) {
      throw new UserError(`no kubeconfig file found at KUBECONFIG=${fromEnv}`, {hint: noKubeconfigHint})
    }
    const configs = files.map((file) => loadFile(file))
    return configs.length === 1 && configs[0] ? configs[0] : mergeKubeConfigs(configs)
  }
  const home = path.join(homedir(), '.kube', 'config')
  if (existsSync(home)) return loadFile(home)
  if (process.env.KUBERNETES_SERVICE_HOST !== undefined) {
    const kc = new KubeConfig()
    kc.loadFromCluster()
    return kc
  }
  throw new UserError('no kubeconfig found', {hint: noKubeconfigHint})
}

/** The command of the user's exec credential plugin (users[].user.exec, or the older auth-provider form). */
function credentialPlugin(user: User | null): string | undefined {
  const exec = (user?.exec ?? (user?.authProvider as {config?: {exec?: unknown}} | undefined)?.config?.exec) as
    {command?: string} | undefined
  return exec?.command
}

export function connect(options: ConnectionOptions): KubeClients {
  const kc = loadKubeConfig(options)
  if (options.context !== undefined) {
    if (kc.getContextObject(options.context) === null) {
      const known = kc.getContexts().map((c) => c.name)
      throw new UserError(`context ${options.context} is not in the kubeconfig`, {
        hint: known.length > 0 ? `Known contexts: ${known.join(', ')}.` : noKubeconfigHint,
      })
    }
    kc.setCurrentContext(options.context)
  }
  if (kc.getContextObject(kc.getCurrentContext()) === null) {
    const known = kc.getContexts().map((c) => c.name)
    throw new UserError('the kubeconfig names no current context', {
      hint:
        known.length > 0
          ? `Choose one with --context (${known.join(', ')}), or run kubectl config use-context <name>.`
          : noKubeconfigHint,
    })
  }
  const cluster = kc.getCurrentCluster()
  if (cluster === null) {
    throw new UserError(`the kubeconfig has no cluster for context "${kc.getCurrentContext()}"`, {
      hint: 'Choose a context with --context, or fix current-context in the kubeconfig.',
    })
  }
  const user = kc.getCurrentUser()
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    authentication: kc.makeApiClient(AuthenticationV1Api),
    authorization: kc.makeApiClient(AuthorizationV1Api),
    server: cluster.server,
    context: kc.getCurrentContext(),
    requestTimeoutMs: options.requestTimeoutMs,
    credentialPlugin: credentialPlugin(user),
  }
}
