// The state of a root rotation in the cluster: a labelled Secret beside the trust bundle, so the rotation can be
// continued from any machine. It holds the new root, the pending issuer (certificate and key) and the old roots,
// never the new root's private key. Writes are conditional on the resourceVersion read.
import type {V1Secret} from '@kubernetes/client-node'

import type {RotationState} from '../rotation/phases.js'
import type {KubeClients} from './client.js'
import type {ApiAction} from './errors.js'
import {call, callOptional} from './request.js'

export const rotationStateName = 'dapr-trust-bundle-rotation'
export const rotationLabels = {'app.kubernetes.io/managed-by': 'dapr-mtls', 'dapr.io/trust-bundle-rotation': 'true'}

type RotationTimes = Pick<RotationState, 'startedAt' | 'rootAddedAt' | 'rootAddCompletedAt' | 'issuerSwitchedAt'>

export interface StoredRotationState {
  state: RotationState
  /** The Secret as read, for conditional updates. */
  secret: V1Secret
}

const keys = {
  newRoot: 'new-root.crt',
  issuerCert: 'pending-issuer.crt',
  issuerKey: 'pending-issuer.key',
  oldRoots: 'old-roots.crt',
  times: 'times.json',
} as const

const encode = (value: string): string => Buffer.from(value).toString('base64')
const decode = (value: string | undefined): string => Buffer.from(value ?? '', 'base64').toString()

function action(namespace: string, verb: ApiAction['verb']): ApiAction {
  return {verb, resource: 'secrets', name: rotationStateName, namespace}
}

/** Pure: the Secret's data for a state. */
export function rotationStateData(state: RotationState): Record<string, string> {
  const times = {
    startedAt: state.startedAt,
    rootAddedAt: state.rootAddedAt,
    rootAddCompletedAt: state.rootAddCompletedAt,
    issuerSwitchedAt: state.issuerSwitchedAt,
  }
  return {
    [keys.newRoot]: encode(state.newRootCertPem),
    [keys.issuerCert]: encode(state.pendingIssuerCertPem),
    [keys.issuerKey]: encode(state.pendingIssuerKeyPem),
    [keys.oldRoots]: encode(state.oldRootsCertPem),
    [keys.times]: encode(JSON.stringify(times)),
  }
}

/** Pure: the state a Secret holds. */
export function rotationStateOf(secret: V1Secret): RotationState {
  const data = secret.data ?? {}
  const times = JSON.parse(decode(data[keys.times]) || '{}') as Partial<RotationTimes>
  return {
    ...times,
    startedAt: times.startedAt ?? new Date(0).toISOString(),
    newRootCertPem: decode(data[keys.newRoot]),
    pendingIssuerCertPem: decode(data[keys.issuerCert]),
    pendingIssuerKeyPem: decode(data[keys.issuerKey]),
    oldRootsCertPem: decode(data[keys.oldRoots]),
  }
}

export async function readRotationState(
  clients: KubeClients,
  namespace: string,
): Promise<StoredRotationState | undefined> {
  const secret = await callOptional(clients, action(namespace, 'get'), (options) =>
    clients.core.readNamespacedSecret({name: rotationStateName, namespace}, options),
  )
  return secret ? {state: rotationStateOf(secret), secret} : undefined
}

/** Creates the state, or replaces the one read (conditional on its resourceVersion). */
export async function writeRotationState(
  clients: KubeClients,
  namespace: string,
  state: RotationState,
  current: StoredRotationState | undefined,
): Promise<StoredRotationState> {
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    ...current?.secret,
    metadata: {
      ...current?.secret.metadata,
      name: rotationStateName,
      namespace,
      labels: {...current?.secret.metadata?.labels, ...rotationLabels},
    },
    data: rotationStateData(state),
  }
  const secret = current
    ? await call(clients, action(namespace, 'update'), (options) =>
        clients.core.replaceNamespacedSecret({name: rotationStateName, namespace, body}, options),
      )
    : await call(clients, action(namespace, 'create'), (options) =>
        clients.core.createNamespacedSecret({namespace, body}, options),
      )
  return {state, secret}
}

export async function deleteRotationState(clients: KubeClients, namespace: string, current: StoredRotationState) {
  await callOptional(clients, action(namespace, 'delete'), (options) =>
    clients.core.deleteNamespacedSecret(
      {
        name: rotationStateName,
        namespace,
        body: {preconditions: {resourceVersion: current.secret.metadata?.resourceVersion}},
      },
      options,
    ),
  )
}
