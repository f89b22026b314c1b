// `dapr mtls backups`: the backups of this cluster's trust bundle (-k), or of the certificates directory, newest first.
import {backupDirFlag, certsDirFlag, certsDirOf, kubernetesFlag} from '../../lib/flags.js'
import type {BackupEntry} from '../../lib/backups/record.js'
import {renderBackups} from '../../lib/backups/render.js'
import {defaultBackupDir} from '../../lib/backups/record.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {outputFlag} from '../../lib/output/format.js'
import {certsDirBackupStore} from '../../lib/selfhosted/backups.js'

interface BackupsResult {
  /** Which bundle, and where its backups are. */
  of: string
  backups: BackupEntry[]
}

export default class Backups extends KubeCommand<typeof Backups> {
  static override summary = 'List the backups of the trust bundle, newest first.'
  static override description = `Every write (renew-certificate, rollback, init --force, rotate) saves the bundle it replaces first, keeping the newest --keep (default 10). With -k: the backups of this cluster (its API server URL is recorded in each) and control-plane namespace. Without -k: those of the certificates directory, kept outside it because Sentry reloads on any change in the directory it watches.
Each row: when it was saved, what replaced the bundle right after (renew, rollback, init, rotate <phase>), the root it holds and when its issuer expires. Put one back with dapr mtls rollback [--backup <path>].`

  static override selfHostedOnlyFlags = ['certs-dir']
  static override examples = ['<%= config.bin %> mtls backups -k', '<%= config.bin %> mtls backups -o json']

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    'backup-dir': backupDirFlag,
    output: outputFlag,
  }

  async run(): Promise<BackupsResult> {
    const dir = this.flags['backup-dir'] ?? defaultBackupDir()
    let store
    if (this.flags.kubernetes) {
      const {kube, clients, controlPlane} = await this.cluster()
      store = kube.clusterBackupStore(dir, clients, controlPlane)
    } else {
      store = certsDirBackupStore(dir, certsDirOf(this.flags))
    }
    const result = {of: store.description, backups: await store.list()}
    this.print(result, () => renderBackups(result.backups, result.of))
    return result
  }
}
