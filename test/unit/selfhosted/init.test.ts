// Self-hosted init: every check comes before the first write, and what it learned (warnings) reaches the result.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {UsageError, UserError} from '../../../src/lib/errors.js'
import {ExitCode} from '../../../src/lib/output/exit-codes.js'
import {initSelfHosted, type SelfHostedInitOptions} from '../../../src/lib/selfhosted/init.js'

describe('self-hosted init', () => {
  let work: string
  let options: SelfHostedInitOptions
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'dapr-init-test-'))
    options = {
      certsDir: path.join(work, 'certs'),
      configFile: path.join(work, 'config.yaml'),
      enableMtls: true,
      mode: {kind: 'fresh', validityDays: 365},
      trustDomain: 'cluster.local',
      force: false,
      rootKeyOut: undefined,
    }
  })
  afterEach(() => {
    rmSync(work, {recursive: true, force: true})
  })

  it('returns the short-validity warning for a 10-day bundle', async () => {
    const result = await initSelfHosted({...options, mode: {kind: 'fresh', validityDays: 10}})
    assert.ok(result.warnings.length > 0)
    assert.ok(
      result.warnings.every((w) => /^(ca|issuer)\.crt: .*expires in \d+ days/.test(w)),
      result.warnings.join('\n'),
    )
  })

  it('returns no warnings for a 365-day bundle', async () => {
    assert.deepEqual((await initSelfHosted(options)).warnings, [])
  })

  it('refuses --root-key-out with a root key you bring as a usage error, before writing', async () => {
    const mode = {kind: 'root-key', rootKeyFile: path.join(work, 'root.key'), validityDays: 365} as const
    await assert.rejects(
      initSelfHosted({...options, mode, rootKeyOut: path.join(work, 'out.key')}),
      (error: unknown) => {
        assert.ok(error instanceof UsageError)
        assert.equal(error.exitCode, ExitCode.usage)
        return true
      },
    )
    assert.equal(existsSync(options.certsDir), false)
  })

  for (const broken of ['spec: [\n', 'spec: foo\n']) {
    it(`with a broken Configuration file (${JSON.stringify(broken)}) writes neither certificates nor root key`, async () => {
      writeFileSync(options.configFile, broken)
      const rootKeyOut = path.join(work, 'root.key')
      await assert.rejects(initSelfHosted({...options, rootKeyOut}), (error: unknown) => {
        assert.ok(error instanceof UserError)
        assert.ok(error.message.startsWith(options.configFile))
        assert.doesNotMatch(error.message, /\n/)
        return true
      })
      assert.equal(existsSync(options.certsDir), false)
      assert.equal(existsSync(rootKeyOut), false)
      assert.equal(readFileSync(options.configFile, 'utf8'), broken)
    })
  }
})
