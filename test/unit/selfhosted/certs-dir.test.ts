// Replacing the bundle in the certificates directory: a rename that fails part-way leaves the old bundle (or no
// bundle), never a mix of old and new files.
import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  promises,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {UserError} from '../../../src/lib/errors.js'
import {certsDirBackupsDir} from '../../../src/lib/selfhosted/backups.js'
import {type WriteOptions, writeCertsDir as write} from '../../../src/lib/selfhosted/certs-dir.js'

const bundleOf = (label: string) => ({
  rootCertPem: `${label} ca\n`,
  issuerCertPem: `${label} issuer\n`,
  issuerKeyPem: `${label} key\n`,
})

const names = ['ca.crt', 'issuer.crt', 'issuer.key']
const mode = (file: string) => statSync(file).mode & 0o777

/** Makes the nth call to fs.promises.rename fail, as a full disk or a vanished directory would. */
function failRename(nth: number): () => void {
  const rename = promises.rename
  let calls = 0
  promises.rename = async (from, to) => {
    calls += 1
    if (calls === nth) throw Object.assign(new Error('EIO: i/o error, rename'), {code: 'EIO'})
    return rename(from, to)
  }
  return () => {
    promises.rename = rename
  }
}

describe('writing the certificates directory', () => {
  let dir: string
  let backupRoot: string
  let restore: (() => void) | undefined
  /** Backups go beside the directory in these tests, never into the real ~/.dapr. */
  const backupsDir = () => certsDirBackupsDir(backupRoot, dir)
  const writeCertsDir = (target: string, bundle: ReturnType<typeof bundleOf>, options: WriteOptions = {}) =>
    write(target, bundle, {backup: {dir: backupRoot, writtenBy: 'renew', keep: 10}, ...options})
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'dapr-certs-dir-test-')), 'certs')
    backupRoot = path.join(path.dirname(dir), 'backups')
  })
  afterEach(() => {
    restore?.()
    restore = undefined
    rmSync(path.dirname(dir), {recursive: true, force: true})
  })

  it('writes the three files, the key 0600, and backs up the ones it replaces', async () => {
    assert.equal((await writeCertsDir(dir, bundleOf('old'))).backupDir, undefined)
    const {backupDir} = await writeCertsDir(dir, bundleOf('new'))
    assert.ok(backupDir)
    assert.equal(readFileSync(path.join(dir, 'ca.crt'), 'utf8'), 'new ca\n')
    assert.equal(readFileSync(path.join(backupDir, 'ca.crt'), 'utf8'), 'old ca\n')
    assert.equal(mode(path.join(dir, 'ca.crt')), 0o644)
    assert.equal(mode(path.join(dir, 'issuer.key')), 0o600)
    assert.equal(mode(path.join(backupDir, 'issuer.key')), 0o600)
  })

  it('puts the previous files back when the second rename fails', async () => {
    mkdirSync(dir)
    for (const name of names) writeFileSync(path.join(dir, name), `old ${name}\n`, {mode: 0o640})
    restore = failRename(2)
    await assert.rejects(writeCertsDir(dir, bundleOf('new')), (error: unknown) => {
      assert.ok(error instanceof UserError)
      assert.match(error.message, /cannot replace .*issuer\.crt: an input\/output error/)
      assert.match(error.hint ?? '', /previous certificates were put back/)
      return true
    })
    for (const name of names) {
      assert.equal(readFileSync(path.join(dir, name), 'utf8'), `old ${name}\n`)
      assert.equal(mode(path.join(dir, name)), 0o640)
    }
    assert.deepEqual(readdirSync(dir).sort(), names, 'no temporary files are left')
  })

  it('removes the new files when the third rename fails and there was no bundle before', async () => {
    restore = failRename(3)
    await assert.rejects(writeCertsDir(dir, bundleOf('new')), /cannot replace .*issuer\.key/)
    assert.ok(existsSync(dir))
    assert.deepEqual(readdirSync(dir), [])
  })

  describe('Ctrl-C during the write', () => {
    /** Runs `act` when the nth call of fs.promises[name] starts: a Ctrl-C landing at that moment. */
    function onCall(name: 'rename' | 'open', nth: number, act: () => void): () => void {
      const original = promises[name] as (...args: unknown[]) => Promise<unknown>
      let calls = 0
      ;(promises as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls += 1
        if (calls === nth) act()
        return original(...args)
      }
      return () => {
        ;(promises as unknown as Record<string, unknown>)[name] = original
      }
    }
    const ctrlC = () => process.emit('SIGINT', 'SIGINT')
    let stderr: string[]
    const write = process.stderr.write.bind(process.stderr)
    beforeEach(() => {
      stderr = []
      process.stderr.write = (chunk: string) => stderr.push(chunk) > 0
      mkdirSync(dir)
      for (const name of names) writeFileSync(path.join(dir, name), `old ${name}\n`)
    })
    afterEach(() => {
      process.stderr.write = write
    })

    it('before the renames: stops with the old bundle, no temporary files and no new backup, exit 130', async () => {
      // The second open is the second temporary file: the first is staged, the rest must not be.
      restore = onCall('open', 2, ctrlC)
      await assert.rejects(writeCertsDir(dir, bundleOf('new')), (error: unknown) => {
        assert.ok(error instanceof UserError)
        assert.equal(error.exitCode, 130)
        assert.match(error.message, /interrupted; the certificates in .* were not changed/)
        return true
      })
      for (const name of names) assert.equal(readFileSync(path.join(dir, name), 'utf8'), `old ${name}\n`)
      assert.deepEqual(readdirSync(dir).sort(), names)
      assert.deepEqual(readdirSync(backupsDir()), [], 'the new backup folder is removed again')
      assert.equal(process.listenerCount('SIGINT'), 0)
    })

    it('between two renames: finishes all three, then reports the interrupt with exit 130', async () => {
      restore = onCall('rename', 2, ctrlC)
      await assert.rejects(writeCertsDir(dir, bundleOf('new')), (error: unknown) => {
        assert.ok(error instanceof UserError)
        assert.equal(error.exitCode, 130)
        assert.match(error.message, /interrupted after the new certificates were written in full/)
        return true
      })
      assert.equal(readFileSync(path.join(dir, 'ca.crt'), 'utf8'), 'new ca\n')
      assert.equal(readFileSync(path.join(dir, 'issuer.crt'), 'utf8'), 'new issuer\n')
      assert.equal(readFileSync(path.join(dir, 'issuer.key'), 'utf8'), 'new key\n')
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        [],
      )
      assert.match(stderr.join(''), /Finishing the certificate write first/)
    })
  })
})
