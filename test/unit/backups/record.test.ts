// Which backups belong to a bundle, which is the newest, which are pruned, and what a backup records of its origin.
import assert from 'node:assert/strict'

import {
  type BackupEntry,
  type BackupOrigin,
  backupsToPrune,
  inScope,
  newestFirst,
  originFromJson,
  originToJson,
  summarizeBundle,
} from '../../../src/lib/backups/record.js'
import {generateBundle} from '../../../src/lib/certs/index.js'

const cluster = (server: string, namespace: string, at: number): BackupOrigin => ({
  kind: 'kubernetes',
  writtenBy: 'renew',
  time: new Date(at),
  server,
  namespace,
})
const entry = (path: string, origin: BackupOrigin): BackupEntry => ({
  path,
  origin,
  rootFingerprint: undefined,
  issuerNotAfter: undefined,
})

describe('backup records', () => {
  it("belong to one cluster's namespace, or one certificates directory, and nothing else", () => {
    const scope = {kind: 'kubernetes', server: 'https://a:6443', namespace: 'dapr-system'} as const
    assert.equal(inScope(cluster('https://a:6443/', 'dapr-system', 0), scope), true, 'a trailing slash is the same')
    assert.equal(inScope(cluster('https://b:6443', 'dapr-system', 0), scope), false, 'another cluster')
    assert.equal(inScope(cluster('https://a:6443', 'other', 0), scope), false, 'another namespace')
    const dir = {kind: 'self-hosted', writtenBy: 'renew', time: new Date(0), certsDir: '/c'} as const
    assert.equal(inScope(dir, scope), false)
    assert.equal(inScope(dir, {kind: 'self-hosted', certsDir: '/c'}), true)
    assert.equal(inScope(dir, {kind: 'self-hosted', certsDir: '/d'}), false)
  })

  it('sorts newest first and prunes all but the newest `keep`, never the newest one', () => {
    const entries = [3, 1, 4, 2, 5].map((n) => entry(`b${n}`, cluster('s', 'n', n * 1000)))
    assert.deepEqual(
      newestFirst(entries).map((e) => e.path),
      ['b5', 'b4', 'b3', 'b2', 'b1'],
    )
    assert.deepEqual(
      backupsToPrune(entries, 2).map((e) => e.path),
      ['b3', 'b2', 'b1'],
    )
    assert.deepEqual(backupsToPrune(entries, 10), [])
    assert.deepEqual(
      backupsToPrune(entries, 0).map((e) => e.path),
      ['b4', 'b3', 'b2', 'b1'],
      'the backup just written always stays',
    )
  })

  it('stores its origin as JSON and reads back only what this tool wrote', () => {
    const origin = {...cluster('https://a', 'dapr-system', Date.UTC(2026, 0, 2)), context: 'prod'}
    assert.deepEqual(originFromJson(originToJson(origin)), {...origin, certsDir: undefined})
    for (const bad of ['', 'null', '{}', '{"kind":"kubernetes","time":"nope","writtenBy":"renew"}', '[1]']) {
      assert.equal(originFromJson(bad), undefined, bad)
    }
  })

  it('summarizes the root in use and the issuer expiry; an unreadable bundle gives no summary', async () => {
    const {bundle} = await generateBundle({namespace: 'dapr-system', validityDays: 10, clockSkewMs: 0})
    const summary = summarizeBundle(bundle)
    assert.match(summary.rootFingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    assert.ok(summary.issuerNotAfter && summary.issuerNotAfter.getTime() > Date.now())
    assert.deepEqual(summarizeBundle({rootCertPem: 'garbage', issuerCertPem: ''}), {
      rootFingerprint: undefined,
      issuerNotAfter: undefined,
    })
  })
})
