// A certificates directory as a rotation target: the bundle files (written atomically, old ones backed up), the
// rotation state under ~/.dapr/rotation/, the daprd processes of this machine with the anchors they started with,
// and the workload certificate settings self-hosted Sentry reads from its --config file.
import type {BackupPolicy} from '../backups/record.js'
import {parseGoDuration} from '../certs/index.js'
import type {RotationSettings, RotationTarget} from '../rotation/rotate.js'
import {bundlePaths, readCertsDir, writeCertsDir} from './certs-dir.js'
import {readWorkloadCertSettings} from './config-file.js'
import {localDaprdProcesses, localDaprdTrusting} from './daprd-processes.js'
import {
  deleteLocalRotationState,
  readLocalRotationState,
  rotationStateDir,
  writeLocalRotationState,
} from './rotation-state.js'
import {settingsFromIssuer} from './target.js'

/** Self-hosted Sentry watches its directory and reloads 2 seconds after a change; half a minute is generous. */
export const localReloadAllowanceMs = 30_000

export function certsDirRotationTarget(
  dir: string,
  options: {configFile: string; sentryVersion?: string | undefined; backup: Omit<BackupPolicy, 'writtenBy'>},
): RotationTarget {
  return {
    mode: 'self-hosted',
    location: dir,
    writes: [...Object.values(bundlePaths(dir)), `${rotationStateDir(dir)} (the rotation state)`],
    async settings(): Promise<RotationSettings> {
      const [{bundle}, sentry] = await Promise.all([readCertsDir(dir), readWorkloadCertSettings(options.configFile)])
      const settings = settingsFromIssuer(bundle.issuerCertPem)
      const clockSkewMs = parseGoDuration(sentry.allowedClockSkew, `${options.configFile} spec.mtls.allowedClockSkew`)
      return {
        ...settings,
        clockSkewMs,
        sentryVersion: options.sentryVersion,
        window: {
          reloadAllowanceMs: localReloadAllowanceMs,
          workloadCertTtlMs: parseGoDuration(sentry.workloadCertTTL, `${options.configFile} spec.mtls.workloadCertTTL`),
          clockSkewMs,
        },
      }
    },
    async readBundle() {
      return (await readCertsDir(dir, {needsKey: true})).bundle
    },
    readState: () => readLocalRotationState(dir),
    saveState: (state) => writeLocalRotationState(dir, state),
    clearState: () => deleteLocalRotationState(dir),
    async writeBundle(bundle, phase) {
      const {backupDir} = await writeCertsDir(dir, bundle, {backup: {...options.backup, writtenBy: `rotate ${phase}`}})
      return {backup: backupDir}
    },
    // Only the daprd processes of this bundle: those trusting one of its roots (or whose anchors cannot be read).
    async sidecars() {
      const state = await readLocalRotationState(dir)
      return state === undefined
        ? localDaprdProcesses()
        : localDaprdTrusting(state.oldRootsCertPem + state.newRootCertPem)
    },
    staleControlPlane: () => Promise.resolve([]),
  }
}
