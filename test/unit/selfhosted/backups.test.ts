// Backups of a certificates directory live outside it (Sentry reloads on any change inside), are pruned to --keep,
// and those earlier versions kept inside are moved out at the next write.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {generateBundle} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {
  assertBackupsOutside,
  certsDirBackupsDir,
  certsDirBackupStore,
  listCertsDirBackups,
  timeOfFolderName,
} from '../../../src/lib/selfhosted/backups.js'
import {writeCertsDir} from '../../../src/lib/selfhosted/certs-dir.js'

const bundle = (label: string) => ({
  rootCertPem: `${label} ca\n`,
  issuerCertPem: `${label} issuer\n`,
  issuerKeyPem: `${label} key\n`,
})
const mode = (file: string) => statSync(file).mode & 0o777

describe('self-hosted backups', () => {
  let work: string
  let certs: string
  let root: string
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'dapr-backups-test-'))
    certs = path.join(work, 'certs')
    root = path.join(work, 'home', '.dapr', 'backups')
  })
  afterEach(() => {
    rmSync(work, {recursive: true, force: true})
  })

  it('keeps one folder per directory outside it, and refuses a backup directory inside it', () => {
    assert.equal(certsDirBackupsDir(root, certs), certsDirBackupsDir(root, `${certs}/`))
    assert.notEqual(certsDirBackupsDir(root, certs), certsDirBackupsDir(root, path.join(work, 'other', 'certs')))
    assert.match(certsDirBackupsDir(root, certs), /self-hosted\/certs-[0-9a-f]{8}$/)
    assert.throws(() => {
      assertBackupsOutside(path.join(certs, 'b'), certs)
    }, UserError)
    assert.doesNotThrow(() => {
      assertBackupsOutside(root, certs)
    })
    assert.equal(timeOfFolderName('2026-01-02T03-04-05-006Z')?.toISOString(), '2026-01-02T03:04:05.006Z')
    assert.equal(timeOfFolderName('not-a-time'), undefined)
  })

  it('prunes to the newest --keep and reports what it pruned; each backup 0600 in 0700 folders', async () => {
    const pruned: string[][] = []
    const policy = {dir: root, writtenBy: 'renew', keep: 2, events: {pruned: (p: string[]) => pruned.push(p)}}
    for (let i = 0; i < 5; i++) {
      await writeCertsDir(certs, bundle(`v${i}`), {backup: policy, now: new Date(Date.UTC(2026, 0, 1, 0, i))})
    }
    const entries = await listCertsDirBackups(root, certs)
    assert.deepEqual(
      await Promise.all(entries.map(async (e) => (await certsDirBackupStore(root, certs).read(e.path)).bundle)),
      [bundle('v3'), bundle('v2')],
      'the two newest, each the bundle it replaced',
    )
    assert.deepEqual(
      pruned.map((p) => p.length),
      [1, 1],
    )
    assert.deepEqual(readdirSync(certs).sort(), ['ca.crt', 'issuer.crt', 'issuer.key'])
    const [newest] = entries
    assert.equal(mode(path.join(newest!.path, 'issuer.key')), 0o600)
    assert.equal(mode(path.join(newest!.path, 'backup.json')), 0o600)
    assert.equal(mode(newest!.path), 0o700)
    assert.equal(mode(certsDirBackupsDir(root, certs)), 0o700)
  })

  it('lists the same backups for pruning without reading their certificates', async () => {
    const policy = {dir: root, writtenBy: 'renew', keep: 10}
    for (let i = 0; i < 3; i++) {
      const {bundle: generated} = await generateBundle({namespace: 'dapr-system', validityDays: 30 + i})
      await writeCertsDir(certs, generated, {backup: policy, now: new Date(Date.UTC(2026, 0, 1, 0, i))})
    }
    const summarized = await listCertsDirBackups(root, certs)
    const bare = await listCertsDirBackups(root, certs, {summaries: false})
    assert.equal(summarized.length, 2)
    assert.deepEqual(
      bare.map((e) => [e.path, e.origin.time.toISOString()]),
      summarized.map((e) => [e.path, e.origin.time.toISOString()]),
    )
    assert.ok(summarized.every((e) => e.rootFingerprint !== undefined && e.issuerNotAfter !== undefined))
    assert.ok(bare.every((e) => e.rootFingerprint === undefined && e.issuerNotAfter === undefined))
  })

  it("moves <certs-dir>/backups out at the next write and says so; the moved ones are listed as this directory's", async () => {
    mkdirSync(path.join(certs, 'backups', '2025-05-06T07-08-09-010Z'), {recursive: true})
    for (const [name, content] of Object.entries({'ca.crt': 'old ca\n', 'issuer.key': 'old key\n'})) {
      writeFileSync(path.join(certs, 'backups', '2025-05-06T07-08-09-010Z', name), content, {mode: 0o644})
    }
    for (const name of ['ca.crt', 'issuer.crt', 'issuer.key']) writeFileSync(path.join(certs, name), `cur ${name}\n`)
    const moved: string[] = []
    await writeCertsDir(certs, bundle('new'), {
      backup: {
        dir: root,
        writtenBy: 'renew',
        keep: 10,
        events: {moved: (from, to, n) => moved.push(`${from} ${to} ${n}`)},
      },
    })
    assert.equal(existsSync(path.join(certs, 'backups')), false)
    assert.deepEqual(moved, [`${path.join(certs, 'backups')} ${certsDirBackupsDir(root, certs)} 1`])
    const entries = await listCertsDirBackups(root, certs)
    assert.deepEqual(
      entries.map((e) => e.origin.writtenBy),
      ['renew', 'unknown (moved)'],
    )
    assert.equal(entries[1]?.origin.time.toISOString(), '2025-05-06T07:08:09.010Z')
    assert.equal(readFileSync(path.join(entries[1].path, 'ca.crt'), 'utf8'), 'old ca\n')
    assert.equal(mode(path.join(entries[1].path, 'issuer.key')), 0o600, 'a moved key is narrowed to its owner')
  })
})
