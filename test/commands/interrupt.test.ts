// Ctrl-C during a self-hosted renewal (issue 10, item 3): whenever it lands, the certificates directory ends all old
// or all new, with no temporary files, and the command exits 0 or 130. Proven by interrupting real runs at delays
// spread across a whole run, and judged by openssl, not by our own code.
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import path from 'node:path'

import {execa} from 'execa'

import {dapr, testHome} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'

const runJs = path.resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')
const runs = 40

describe('Ctrl-C during a self-hosted renewal', function () {
  this.timeout(600_000)
  let work: OpenSslDir
  beforeEach(() => {
    work = new OpenSslDir()
  })
  afterEach(() => {
    work.cleanup()
  })

  it(`leaves a consistent bundle in each of ${runs} runs interrupted at delays across a whole run`, async () => {
    const certs = work.path('certs')
    const args = ['mtls', 'renew-certificate', '--certs-dir', certs]
    const init = await dapr(['init', '--enable-mtls', '--certs-dir', certs, '--config-file', work.path('c.yaml')])
    assert.equal(init.exitCode, 0, init.stderr)
    const renew = () => execa('node', [runJs, ...args], {reject: false, env: {NO_COLOR: '1', HOME: testHome()}})
    // The length of a whole run on this machine now, as the median of three, so the delays cover it however loaded.
    const durations: number[] = []
    for (let i = 0; i < 3; i++) {
      const started = Date.now()
      assert.equal((await renew()).exitCode, 0)
      durations.push(Date.now() - started)
    }
    const wholeRun = durations.sort((a, b) => a - b)[1] ?? 0
    const outcomes = {finished: 0, interrupted: 0}
    for (let i = 0; i < runs; i++) {
      const before = work.read('certs/ca.crt')
      const delay = Math.round((i / (runs - 1)) * wholeRun * 1.5)
      const child = renew()
      const timer = setTimeout(() => child.kill('SIGINT'), delay)
      const result = await child
      clearTimeout(timer)
      // A signal that lands before the CLI has set anything up ends the process as the shell reports it: 130.
      const exitCode = result.exitCode ?? (result.signal === 'SIGINT' ? 130 : -1)
      const where = `run ${i} (SIGINT after ${delay} ms): exit ${exitCode}\n${result.stderr}`
      assert.ok(exitCode === 0 || exitCode === 130, where)
      assert.deepEqual(
        readdirSync(certs).filter((f) => f.endsWith('.tmp')),
        [],
        where,
      )
      assert.match(work.openssl('verify', '-CAfile', 'certs/ca.crt', 'certs/issuer.crt'), /issuer\.crt: OK/, where)
      assert.equal(work.publicKeyOf('certs/issuer.key'), work.publicKeyOf('certs/issuer.crt'), where)
      if (work.read('certs/ca.crt') === before) outcomes.interrupted++
      else outcomes.finished++
    }
    // Both endings were reached, so the delays did land before and after the write.
    assert.ok(outcomes.finished > 0 && outcomes.interrupted > 0, JSON.stringify(outcomes))
  })
})
