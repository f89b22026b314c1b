// The connection to the cluster: kubeconfig from --kubeconfig, $KUBECONFIG or ~/.kube/config (never client-node's
// silent fallback to localhost:8080), the context from --context, and the three API clients the adapter uses.
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig} from '@kubernetes/client-node'

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
  /** The API server URL and context name, for error messages. */
  server: string
  context: string
  requestTimeoutMs: number | undefined
}

const noKubeconfigHint =
  'Pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (for example with your provider CLI).'

function loadKubeConfig(options: ConnectionOptions): KubeConfig {
  const kc = new KubeConfig()
  try {
    if (options.kubeconfig !== undefined) {
      if (!existsSync(options.kubeconfig)) {
        throw new UserError(`kubeconfig ${options.kubeconfig} does not exist`, {hint: noKubeconfigHint})
      }
      kc.loadFromFile(options.kubeconfig)
    } else if ((process.env.KUBECONFIG ?? '') !== '') {
      const files = (process.env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '' && existsSync(f))
      if (files.length === 0) {
        throw new UserError(`no kubeconfig file found at KUBECONFIG=${process.env.KUBECONFIG ?? ''}`, {
          hint: noKubeconfigHint,
        })
      }
      kc.loadFromFile(files[0] ?? '')
      for (const file of files.slice(1)) {
        const more = new KubeConfig()
        more.loadFromFile(file)
        kc.mergeConfig(more, true)
      }
    } else if (existsSync(path.join(homedir(), '.kube', 'config'))) {
      kc.loadFromFile(path.join(homedir(), '.kube', 'config'))
    } else if (process.env.KUBERNETES_SERVICE_HOST !== undefined) {
      kc.loadFromCluster()
    } else {
      throw new UserError('no kubeconfig found', {hint: noKubeconfigHint})
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`cannot load the kubeconfig: ${(error as Error).message}`, {hint: noKubeconfigHint})
  }
  return kc
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
  const cluster = kc.getCurrentCluster()
  if (cluster === null) {
    throw new UserError(`the kubeconfig has no cluster for context "${kc.getCurrentContext()}"`, {
      hint: 'Choose a context with --context, or fix current-context in the kubeconfig.',
    })
  }
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    server: cluster.server,
    context: kc.getCurrentContext(),
    requestTimeoutMs: options.requestTimeoutMs,
  }
}
