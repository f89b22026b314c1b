// The cluster's trust bundle as a renewal target: settings from the ControlPlane (Sentry's trust domain and version,
// the daprsystem clock skew), the bundle from the dapr-trust-bundle Secret under Sentry's keys, writes by the protocol
// of trust-bundle.ts.
import type {BackupPolicy} from '../backups/record.js'
import type {ControlPlaneSettings} from '../renewal/new-bundle.js'
import type {BundleTarget} from '../renewal/target.js'
import type {KubeClients} from './client.js'
import type {ControlPlane} from './control-plane.js'
import {ownershipWarnings} from './ownership.js'
import {
  assertKeepsPendingIssuer,
  type ClusterTrustBundle,
  readTrustBundle,
  trustBundleName,
  writeTrustBundle,
} from './trust-bundle.js'

export function clusterTarget(clients: KubeClients, controlPlane: ControlPlane, backup: BackupPolicy): BundleTarget {
  const {namespace, keys} = controlPlane
  let current: Promise<ClusterTrustBundle> | undefined
  const read = () => (current ??= readTrustBundle(clients, controlPlane))
  return {
    location: `${namespace}/${trustBundleName}`,
    writes: [
      `Secret ${namespace}/${trustBundleName} (${keys.rootCert}, ${keys.issuerCert}, ${keys.issuerKey}; other keys kept)`,
      `ConfigMap ${namespace}/${trustBundleName} (${keys.rootCert})`,
    ],
    settings(): Promise<ControlPlaneSettings> {
      return Promise.resolve({
        trustDomain: controlPlane.trustDomain,
        namespace,
        clockSkewMs: controlPlane.config.clockSkewMs,
        sentryVersion: controlPlane.sentryVersion,
      })
    },
    async readCurrent() {
      return (await read()).bundle
    },
    async check(next) {
      const bundle = await read()
      assertKeepsPendingIssuer(bundle, next)
      return ownershipWarnings(bundle.owners, namespace)
    },
    async holds(bundle) {
      const current = await read()
      const same = (['rootCertPem', 'issuerCertPem', 'issuerKeyPem'] as const).every(
        (field) => current.bundle[field] === bundle[field],
      )
      return same && current.configMapMatches
    },
    async write(bundle) {
      const {backupFile} = await writeTrustBundle(clients, await read(), bundle, backup)
      return {backup: backupFile}
    },
  }
}
