// Which backup a rollback puts back: the one given, or the newest backup of this bundle, which holds the bundle that
// was in place before the most recent write (a rollback backs up what it replaces too, so a second one undoes the first).
import type {BackupStore} from '../backups/record.js'
import {UserError} from '../errors.js'
import {utcSeconds} from '../output/time-layouts.js'
import type {RenewalMode} from './mode.js'

export async function rollbackMode(store: BackupStore, given: string | undefined): Promise<RenewalMode> {
  if (given !== undefined) {
    if (given.trim() === '') throw new UserError('--backup is empty', {hint: 'Give the path of a backup.'})
    const {bundle} = await store.read(given)
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
