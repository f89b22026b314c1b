// The Kubernetes adapter: the only importer of @kubernetes/client-node. Commands load it lazily through this file.
export {connect, type KubeClients} from './client.js'
export {type ControlPlane, discoverControlPlane} from './control-plane.js'
export {type DaprSystemConfig} from './configuration.js'
export {
  type ClusterTrustBundle,
  type PublicTrustAnchors,
  readTrustBundle,
  readTrustBundleOrAnchors,
  trustBundleName,
  trustBundleProblems,
  writeTrustBundle,
} from './trust-bundle.js'
export {clusterBackupStore, defaultBackupDir} from './backup.js'
export {
  type NamespacedWorkload,
  presentWorkloads,
  restartControlPlane,
  type RestartOutcome,
  sentry as sentryWorkload,
  type TemplatePatch,
  type Workload,
} from './restart.js'
export {
  type AppRestartOutcome,
  formatWorkload,
  listDaprWorkloads,
  listSidecarPods,
  listWorkloads,
  parseWorkload,
  podOwner,
  restartApps,
  type RollOptions,
  type SidecarPod,
  type WorkloadObject,
} from './apps.js'
export {readControlPlaneStatus, renderStatus, type ComponentStatus} from './status.js'
export {clusterTarget} from './target.js'
export {ownershipWarnings} from './ownership.js'
export {
  type AccessResult,
  accessManifest,
  type AccessRule,
  currentUser,
  renewalAccessRules,
  reviewAccess,
} from './access.js'
export {restartWithSummary} from './restart-summary.js'
export {appRestartProgress, assertAppRestartsDone, renderAppRestartSummary, resumeCommand} from './app-restarts.js'
export {clusterRotationTarget} from './rotation-target.js'
export {readRotationState} from './rotation-state.js'
export {clusterSettingsTarget} from './settings-target.js'
export {tokenCluster} from './tokens.js'
export {oauthCluster} from './dapr-objects.js'
