// The cluster's trust bundle as a renewal target: settings from the daprsystem Configuration, the bundle from the
// dapr-trust-bundle Secret, writes by the protocol of trust-bundle.ts.
import type {ControlPlaneSettings} from '../renewal/new-bundle.js'
import type {BundleTarget} from '../renewal/target.js'
import type {KubeClients} from './client.js'
import {readDaprSystemConfig} from './configuration.js'
import {type ClusterTrustBundle, readTrustBundle, trustBundleName, writeTrustBundle} from './trust-bundle.js'

export function clusterTarget(
  clients: KubeClients,
  namespace: string,
  options: {backupDir: string; onBackup?: (file: string) => void},
): BundleTarget {
  let current: Promise<ClusterTrustBundle> | undefined
  const read = () => (current ??= readTrustBundle(clients, namespace))
  return {
    location: `${namespace}/${trustBundleName}`,
    writes: [
      `Secret ${namespace}/${trustBundleName} (ca.crt, issuer.crt, issuer.key)`,
      `ConfigMap ${namespace}/${trustBundleName} (ca.crt)`,
    ],
    async settings(): Promise<ControlPlaneSettings> {
      const config = await readDaprSystemConfig(clients, namespace)
      return {trustDomain: config.trustDomain, namespace, clockSkewMs: config.clockSkewMs}
    },
    async readCurrent() {
      return (await read()).bundle
    },
    async write(bundle) {
      const {backupFile} = await writeTrustBundle(clients, await read(), bundle, options)
      return {backup: backupFile}
    },
  }
}
