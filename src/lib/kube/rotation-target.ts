// The cluster as a rotation target: the dapr-trust-bundle objects (written by the protocol of trust-bundle.ts), the
// rotation state Secret beside them, the sidecars of every Dapr-enabled pod with the anchors the injector gave them,
// and the control-plane pods that started before the new root was added.
import {parseGoDuration, type TrustBundle} from '../certs/index.js'
import type {BackupPolicy} from '../backups/record.js'
import type {RotationState, Sidecar} from '../rotation/phases.js'
import type {RotationSettings, RotationTarget} from '../rotation/rotate.js'
import {formatWorkload, listSidecarPods} from './apps.js'
import type {KubeClients} from './client.js'
import type {ControlPlane} from './control-plane.js'
import {call} from './request.js'
import {controlPlaneWorkloads} from './restart.js'
import {
  deleteRotationState,
  readRotationState,
  rotationStateName,
  type StoredRotationState,
  writeRotationState,
} from './rotation-state.js'
import {type ClusterTrustBundle, readTrustBundle, trustBundleName, writeTrustBundle} from './trust-bundle.js'

/**
 * How long Sentry may take to see a Secret write: the kubelet refreshes a mounted Secret within its sync period
 * (1 minute by default) plus its cache's TTL (1 minute), and Sentry reloads 2 seconds after the change.
 */
export const sentryReloadAllowanceMs = 2 * 60_000 + 10_000

export function clusterRotationTarget(
  clients: KubeClients,
  controlPlane: ControlPlane,
  backup: Omit<BackupPolicy, 'writtenBy'>,
): RotationTarget {
  const {namespace, keys, config} = controlPlane
  let current: ClusterTrustBundle | undefined
  let stored: StoredRotationState | undefined
  return {
    mode: 'kubernetes',
    location: `${namespace}/${trustBundleName}`,
    writes: [
      `Secret ${namespace}/${trustBundleName} (${keys.rootCert}, ${keys.issuerCert}, ${keys.issuerKey}; other keys kept)`,
      `ConfigMap ${namespace}/${trustBundleName} (${keys.rootCert})`,
      `Secret ${namespace}/${rotationStateName} (the rotation state: new root, pending issuer, old roots)`,
    ],
    settings(): Promise<RotationSettings> {
      return Promise.resolve({
        trustDomain: controlPlane.trustDomain,
        namespace,
        clockSkewMs: config.clockSkewMs,
        sentryVersion: controlPlane.sentryVersion,
        window: {
          reloadAllowanceMs: sentryReloadAllowanceMs,
          workloadCertTtlMs: parseGoDuration(config.workloadCertTTL, 'daprsystem spec.mtls.workloadCertTTL'),
          clockSkewMs: config.clockSkewMs,
        },
      })
    },
    async readBundle(): Promise<TrustBundle> {
      current = await readTrustBundle(clients, controlPlane)
      return current.bundle
    },
    async readState(): Promise<RotationState | undefined> {
      stored = await readRotationState(clients, namespace)
      return stored?.state
    },
    async saveState(state) {
      stored = await writeRotationState(clients, namespace, state, stored)
    },
    async clearState() {
      if (stored) await deleteRotationState(clients, namespace, stored)
      stored = undefined
    },
    async writeBundle(bundle, phase) {
      current ??= await readTrustBundle(clients, controlPlane)
      const {backupFile} = await writeTrustBundle(clients, current, bundle, {...backup, writtenBy: `rotate ${phase}`})
      current = undefined
      return {backup: backupFile}
    },
    async sidecars(): Promise<Sidecar[]> {
      const pods = await listSidecarPods(clients)
      return pods.map((pod) => ({
        name: `${pod.namespace}/${pod.name}`,
        owner: pod.owner ? formatWorkload(pod.owner) : `${pod.namespace}/${pod.ownerDescription}`,
        replaceable: pod.owner !== undefined,
        trustAnchorsPem: pod.trustAnchorsPem,
      }))
    },
    async staleControlPlane(since) {
      // Pod times have whole seconds: a pod started in the same second as the write counts as after it.
      const sinceSecond = Math.floor(since.getTime() / 1000) * 1000
      const names = controlPlaneWorkloads.map((w) => w.name)
      const pods = await call(clients, {verb: 'list', resource: 'pods', namespace}, (requestOptions) =>
        clients.core.listNamespacedPod({namespace, labelSelector: `app in (${names.join(',')})`}, requestOptions),
      )
      return pods.items
        .filter((pod) => pod.metadata?.deletionTimestamp === undefined)
        .filter((pod) => {
          const started = pod.status?.startTime ?? pod.metadata?.creationTimestamp
          return started === undefined || new Date(started).getTime() < sinceSecond
        })
        .map((pod) => `${namespace}/${pod.metadata?.name ?? ''}`)
        .sort()
    },
  }
}
