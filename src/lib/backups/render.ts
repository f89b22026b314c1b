// The list `mtls backups` prints: one row per backup, newest first.
import {renderTable} from '../output/table.js'
import {utcSeconds} from '../output/time-layouts.js'
import type {BackupEntry} from './record.js'

/** The first 16 hex digits of a fingerprint: enough to tell roots apart in a list. */
const shortFingerprint = (fingerprint: string | undefined) =>
  fingerprint === undefined ? 'unreadable' : fingerprint.replaceAll(':', '').slice(0, 16)

export function renderBackups(entries: BackupEntry[], description: string): string {
  if (entries.length === 0) return `No backups of ${description}.`
  return [
    `Backups of ${description}, newest first:`,
    '',
    renderTable(
      ['TIME', 'WRITTEN BY', 'ROOT SHA-256', 'ISSUER EXPIRES', 'BACKUP'],
      entries.map((e) => [
        utcSeconds(e.origin.time),
        e.origin.writtenBy,
        shortFingerprint(e.rootFingerprint),
        e.issuerNotAfter ? utcSeconds(e.issuerNotAfter) : '-',
        e.path,
      ]),
    ),
  ].join('\n')
}
