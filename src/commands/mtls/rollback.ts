// `dapr mtls rollback`: puts back the bundle a backup holds (the newest of this bundle, or --backup), checked and
// written exactly as a renewal writes, then restarts as asked.
import {Flags} from '@oclif/core'

import {BundleWriteCommand} from '../../lib/bundle-write-command.js'
import {
  bundleWriteClusterOnlyFlags,
  bundleWriteFlags,
  certsDirFlag,
  kubernetesFlag,
  sentryVersionFlag,
} from '../../lib/flags.js'
import type {BundleWriteResult} from '../../lib/renewal/result.js'
import {backupDescription, rollbackMode} from '../../lib/renewal/rollback.js'

export default class Rollback extends BundleWriteCommand<typeof Rollback> {
  static override summary = 'Undo the last change to the trust bundle: put back the bundle a backup holds.'
  static override description = `Without --backup, puts back the newest backup of this bundle: the one in place before the most recent write. Rollback backs up what it replaces too, so a second rollback undoes the first. The backup is checked by the running Sentry's rules first, then written with the same protocol as a renewal (-k: conditional writes of the Secret and ConfigMap, read back; self-hosted: all three files or none). At a terminal it shows the plan and asks (-y skips); --dry-run shows it and stops.`

  static override clusterOnlyFlags = bundleWriteClusterOnlyFlags
  static override selfHostedOnlyFlags = ['certs-dir', 'sentry-version']
  static override examples = [
    '<%= config.bin %> mtls rollback -k --dry-run',
    '<%= config.bin %> mtls rollback -k --restart-apps',
    '<%= config.bin %> mtls rollback -k --backup ~/.dapr/backups/dapr-trust-bundle-dapr-system-2026-01-02T10-00-00-000Z.yaml',
    '<%= config.bin %> mtls renew-certificate && <%= config.bin %> mtls rollback --dry-run',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    backup: Flags.string({summary: 'The backup to put back (a file with -k, a folder without) [default: the newest].'}),
    'sentry-version': sentryVersionFlag,
    ...bundleWriteFlags,
  }

  async run(): Promise<BundleWriteResult> {
    const write = await this.prepareWrite('rollback', ({backups}) => rollbackMode(backups, this.flags.backup))
    const {plan} = write.prepared
    const backup = plan.backup ?? ''
    return this.finishWrite(write, {
      question: 'Put this backup back now?',
      announce: async () => {
        this.progress('pending', `Rolling back to ${backup} (${await backupDescription(write.backups, backup)})`)
      },
      success: `Rolled back: ${plan.target} holds the bundle saved in ${backup}`,
      unchanged: `Nothing to roll back: ${plan.target} already holds the bundle saved in ${backup}. List older backups with \`dapr mtls backups\`.`,
    })
  }
}
