// Doctor, backups and rollback over a certificates directory, end to end with the built `dapr` in a HOME of its own:
// backups live outside the directory Sentry watches, rollback puts files back byte for byte, doctor's verdicts and
// exit codes follow the files (judged by openssl where it matters).
import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {snapshot} from '../helpers/dir-snapshot.js'
import {OpenSslDir} from '../helpers/openssl.js'

interface Report {
  checks: {id: string; status: string; detail: string}[]
}

describe('doctor, backups and rollback without -k', function () {
  this.timeout(60_000)
  let work: OpenSslDir
  let certs: string
  let home: string
  const run = (...args: string[]) => dapr([...args, '--certs-dir', certs], {env: {HOME: home}})
  const doctor = async () => {
    const result = await run('mtls', 'doctor', '-o', 'json')
    return {
      result,
      statuses: Object.fromEntries((JSON.parse(result.stdout) as Report).checks.map((c) => [c.id, c.status])),
    }
  }

  beforeEach(async () => {
    work = new OpenSslDir()
    certs = work.path('certs')
    home = work.path('home')
    mkdirSync(home)
    const init = await dapr(['init', '--enable-mtls', '--certs-dir', certs, '--config-file', work.path('c.yaml')], {
      env: {HOME: home},
    })
    assert.equal(init.exitCode, 0, init.stderr)
  })
  afterEach(() => {
    work.cleanup()
  })

  it('doctor passes what init made (exit 0) and follows the files: a readable key warns (3), a foreign key fails (4)', async () => {
    const fresh = await doctor()
    assert.equal(fresh.result.exitCode, 0, fresh.result.stdout)
    assert.ok(Object.values(fresh.statuses).every((s) => s === 'ok'))

    chmodSync(path.join(certs, 'issuer.key'), 0o644)
    const readable = await doctor()
    assert.equal(readable.result.exitCode, 3, readable.result.stdout)
    assert.equal(readable.statuses['key-mode'], 'warn')

    work.ecKey('other.key')
    writeFileSync(path.join(certs, 'issuer.key'), work.read('other.key'), {mode: 0o600})
    // openssl agrees the key is not the issuer's.
    assert.notEqual(work.publicKeyOf('certs/issuer.key'), work.publicKeyOf('certs/issuer.crt'))
    const foreign = await doctor()
    assert.equal(foreign.result.exitCode, 4, foreign.result.stdout)
    assert.equal(foreign.statuses['issuer-key'], 'fail')
    assert.equal(foreign.statuses['issuer-chain'], 'ok')
  })

  it('doctor without a certificates directory could not check: exit 1, one line, and the hint to add -k', async () => {
    const result = await dapr(['mtls', 'doctor', '--certs-dir', work.path('nowhere')], {env: {HOME: home}})
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /no certificates directory at .*nowhere\n.*add -k/)
  })

  it('rollback puts the renewed files back byte for byte; a second rollback undoes the first; backups lists all', async () => {
    const original = snapshot(certs)
    assert.equal((await run('mtls', 'renew-certificate')).exitCode, 0)
    const renewed = snapshot(certs)
    assert.notDeepEqual(renewed, original)
    const first = await run('mtls', 'rollback')
    assert.equal(first.exitCode, 0, first.stderr)
    assert.deepEqual(snapshot(certs), original)
    assert.match(work.openssl('verify', '-CAfile', 'certs/ca.crt', 'certs/issuer.crt'), /OK/)
    assert.equal(statSync(path.join(certs, 'issuer.key')).mode & 0o777, 0o600)
    assert.equal((await run('mtls', 'rollback')).exitCode, 0)
    assert.deepEqual(snapshot(certs), renewed)

    const listed = await run('mtls', 'backups', '-o', 'json')
    assert.equal(listed.exitCode, 0, listed.stderr)
    const {backups} = JSON.parse(listed.stdout) as {backups: {path: string; origin: {writtenBy: string}}[]}
    assert.deepEqual(
      backups.map((b) => b.origin.writtenBy),
      ['rollback', 'rollback', 'renew'],
    )
    assert.ok(backups.every((b) => b.path.startsWith(path.join(home, '.dapr', 'backups', 'self-hosted'))))
    assert.deepEqual(
      readdirSync(certs).sort(),
      ['ca.crt', 'issuer.crt', 'issuer.key'],
      'nothing else where Sentry watches',
    )
    const table = await run('mtls', 'backups')
    assert.match(
      table.stdout,
      /^Backups of .*certs in .*, newest first:\n\nTIME +WRITTEN BY +ROOT SHA-256 +ISSUER EXPIRES +BACKUP/,
    )
  })

  it('moves backups an earlier version kept inside the directory at the next write, and says so', async () => {
    mkdirSync(path.join(certs, 'backups', '2025-01-02T03-04-05-006Z'), {recursive: true})
    writeFileSync(path.join(certs, 'backups', '2025-01-02T03-04-05-006Z', 'ca.crt'), work.read('certs/ca.crt'))
    assert.equal((await doctor()).statuses['backups-location'], 'warn')
    const renewed = await run('mtls', 'renew-certificate')
    assert.equal(renewed.exitCode, 0, renewed.stderr)
    assert.match(
      renewed.stderr,
      /Moved 1 earlier backup from .*certs\/backups to .*\.dapr\/backups\/self-hosted\/certs-[0-9a-f]{8}: Sentry reloads on any change in the directory it watches/,
    )
    assert.equal(existsSync(path.join(certs, 'backups')), false)
    assert.equal((await doctor()).statuses['backups-location'], 'ok')
    const {backups} = JSON.parse((await run('mtls', 'backups', '-o', 'json')).stdout) as {
      backups: {origin: {writtenBy: string; time: string}}[]
    }
    assert.deepEqual(
      backups.map((b) => b.origin.writtenBy),
      ['renew', 'unknown (moved)'],
    )
    assert.equal(backups[1]?.origin.time, '2025-01-02T03:04:05.006Z')
  })

  it('rollback with no backup of this directory says so and changes nothing', async () => {
    const before = snapshot(certs)
    const result = await run('mtls', 'rollback')
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /no backup of .*certs in /)
    assert.deepEqual(snapshot(certs), before)
  })
})
