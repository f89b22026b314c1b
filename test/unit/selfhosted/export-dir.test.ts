// `mtls export` writing to a directory: keys are 0600 from the first byte, symlinks are replaced rather than written
// through, and an incomplete bundle writes nothing.
import assert from 'node:assert/strict'
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {UserError} from '../../../src/lib/errors.js'
import {exportBundle} from '../../../src/lib/selfhosted/export-dir.js'

const bundle = {
  rootCertPem: '-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n',
  issuerCertPem: '-----BEGIN CERTIFICATE-----\nissuer\n-----END CERTIFICATE-----\n',
  issuerKeyPem: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n',
}

const mode = (file: string) => lstatSync(file).mode & 0o777

describe('exporting a trust bundle to a directory', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-export-test-'))
  })
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('with --force, replaces a world-readable issuer.key with a 0600 one, never writing the key into the old file', async () => {
    const out = path.join(dir, 'out')
    mkdirSync(out)
    const key = path.join(out, 'issuer.key')
    writeFileSync(key, 'old key\n')
    chmodSync(key, 0o644)
    // Whoever holds the old 0644 file (here a hard link) must not get to read the new key through it.
    const peek = path.join(dir, 'peek')
    linkSync(key, peek)
    await exportBundle(out, bundle, {force: true})
    assert.equal(mode(key), 0o600)
    assert.equal(readFileSync(key, 'utf8'), bundle.issuerKeyPem)
    assert.equal(readFileSync(peek, 'utf8'), 'old key\n')
    assert.deepEqual(readdirSync(out).sort(), ['ca.crt', 'issuer.crt', 'issuer.key'])
  })

  it('with --force, replaces a symlinked issuer.key instead of writing the key through it', async () => {
    const elsewhere = path.join(dir, 'elsewhere.txt')
    writeFileSync(elsewhere, 'not yours\n')
    chmodSync(elsewhere, 0o644)
    const key = path.join(dir, 'issuer.key')
    symlinkSync(elsewhere, key)
    await exportBundle(dir, bundle, {force: true})
    assert.ok(lstatSync(key).isFile(), 'issuer.key is a regular file now')
    assert.equal(mode(key), 0o600)
    assert.equal(readFileSync(key, 'utf8'), bundle.issuerKeyPem)
    assert.equal(readFileSync(elsewhere, 'utf8'), 'not yours\n')
  })

  it('refuses a bundle without an issuer key, naming it, and writes nothing', async () => {
    const out = path.join(dir, 'out')
    await assert.rejects(exportBundle(out, {...bundle, issuerKeyPem: ''}, {force: false}), (error: unknown) => {
      assert.ok(error instanceof UserError)
      assert.match(error.message, /no issuer\.key/)
      assert.doesNotMatch(error.message, /ca\.crt|issuer\.crt/)
      return true
    })
    assert.deepEqual(readdirSync(dir), [])
  })

  it('names every part the bundle lacks', async () => {
    await assert.rejects(
      exportBundle(dir, {rootCertPem: '', issuerCertPem: '\n', issuerKeyPem: bundle.issuerKeyPem}, {force: false}),
      /no ca\.crt, issuer\.crt;/,
    )
    assert.deepEqual(readdirSync(dir), [])
  })
})
