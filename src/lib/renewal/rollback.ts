// Which backup a rollback puts back: the one given, or the newest backup of this bundle, which holds the bundle that
// was in place before the most recent write (a rollback backs up what it replaces too, so a second one undoes the first).
import {type BackupStore, describeOrigin, inScope} from '../backups/record.js'
import {UserError} from '../errors.js'
import {utcSeconds} from '../output/time-layouts.js'
import type {RenewalMode} from './mode.js'

export async function rollbackMode(store: BackupStore, given: string | undefined): Promise<RenewalMode> {
  if (given !== undefined) {
    if (given.trim() === '') throw new UserError('--backup is empty', {hint: 'Give the path of a backup.'})
    const {bundle, origin} = await store.read(given)
    // A backup of another cluster or directory put back here would replace this bundle with a stranger's.
    if (origin !== undefined && !inScope(origin, store.scope)) {
      throw new UserError(
        `the backup ${given} was taken of ${describeOrigin(origin)}, not of this bundle (${describeOrigin(store.scope)})`,
        {
          hint:
            store.scope.kind === 'kubernetes'
              ? 'Run against the cluster it came from (--context, --kubeconfig, -n), or choose a backup of this one: dapr mtls backups -k. Nothing was changed.'
              : 'Give the --certs-dir it came from, or choose a backup of this one: dapr mtls backups. Nothing was changed.',
        },
      )
    }
    return {kind: 'backup', backup: given, bundle}
  }
  const [newest] = await store.list()
  if (newest === undefined) {
    throw new UserError(`no backup of ${store.description}`, {
      hint: 'Every renewal and rollback saves one first; give another with --backup <path>, or check --backup-dir. Nothing was changed.',
    })
  }
  const {bundle} = await store.read(newest.path)
  return {kind: 'backup', backup: newest.path, bundle}
}

/** "saved 2026-01-02 10:00:00 UTC before renew": where a backup came from, for progress lines. */
export function backupDescription(store: BackupStore, path: string): Promise<string> {
  return store.list().then((entries) => {
    const entry = entries.find((e) => e.path === path)
    return entry ? `saved ${utcSeconds(entry.origin.time)}, before ${entry.origin.writtenBy}` : 'given with --backup'
  })
}
