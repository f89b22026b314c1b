// What a person at a terminal sees (issue 10, item 8 and the coloured expiry table): the built `dapr` in a real
// pseudo-terminal run by tmux, keys typed with send-keys, the screen read back.
import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import path from 'node:path'

import {generateBundle} from '../../src/lib/certs/index.js'
import {dapr} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {Terminal} from '../helpers/terminal.js'

/** An SGR escape: any colour (`ESC[`), or a foreground colour code such as 31 (red) or 33 (yellow). */
const escape = String.fromCharCode(27)
const colour = (codes = '\\d+') => new RegExp(`${escape}\\[(?:${codes})m`)

const runJs = path.resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')

describe('at a terminal', function () {
  this.timeout(60_000)
  let work: OpenSslDir
  let terminal: Terminal | undefined
  beforeEach(() => {
    work = new OpenSslDir()
  })
  afterEach(async () => {
    await terminal?.close()
    terminal = undefined
    work.cleanup()
  })

  describe('the passphrase of an encrypted root key, with stdout piped', () => {
    let command: string
    beforeEach(async () => {
      const certs = work.path('certs')
      const init = await dapr([
        'init',
        '--enable-mtls',
        '--certs-dir',
        certs,
        '--config-file',
        work.path('c.yaml'),
        '--root-key-out',
        work.path('root.key'),
      ])
      assert.equal(init.exitCode, 0, init.stderr)
      work.openssl('pkey', '-in', 'root.key', '-aes256', '-passout', 'pass:s3cret', '-out', 'enc.key')
      // `| cat > plan.txt`: stdout is a pipe, stdin the terminal, as in `... --dry-run | less`.
      command = `(node ${runJs} mtls renew-certificate --certs-dir ${certs} --private-key ${work.path('enc.key')} --dry-run | cat > ${work.path('plan.txt')}; exit \${PIPESTATUS[0]})`
    })

    it('is asked on the terminal, and a second try after a wrong one succeeds', async () => {
      terminal = await Terminal.start(command)
      await terminal.waitFor(/Passphrase for .*enc\.key:/)
      await terminal.type('wrong')
      await terminal.waitFor(/Wrong passphrase, try 2 of 3\. Passphrase for/)
      await terminal.type('s3cret')
      const screen = await terminal.waitFor(/\[exit \d+\]/)
      assert.match(screen, /\[exit 0\]/)
      assert.match(work.read('plan.txt'), /^Renewal plan \(root-key\)/)
    })

    it('gives up after three wrong tries with one error line, and no ✔ before it', async () => {
      terminal = await Terminal.start(command)
      for (const attempt of [1, 2, 3]) {
        await terminal.waitFor(attempt === 1 ? /Passphrase for/ : new RegExp(`try ${attempt} of 3`))
        await terminal.type(`wrong${attempt}`)
      }
      const screen = await terminal.waitFor(/\[exit \d+\]/)
      assert.match(screen, /cannot decrypt .*enc\.key: wrong passphrase, 3 times/)
      assert.match(screen, /\[exit 1\]/)
      assert.doesNotMatch(screen, /✔/)
      assert.equal(work.read('plan.txt'), '')
    })
  })

  describe('the expiry table', () => {
    beforeEach(async () => {
      const expiring = await generateBundle({namespace: 'default', validityDays: 10})
      const expired = await generateBundle({
        namespace: 'default',
        validityDays: 1,
        clockSkewMs: 0,
        now: new Date(Date.now() - 3 * 86_400_000),
      })
      mkdirSync(work.path('certs'))
      work.write('certs/ca.crt', expiring.bundle.rootCertPem + expired.bundle.rootCertPem)
      work.write('certs/issuer.crt', expiring.bundle.issuerCertPem)
    })

    it('colours an expiring row yellow and an expired row red on a terminal', async () => {
      terminal = await Terminal.start(`node ${runJs} mtls expiry --certs-dir ${work.path('certs')}`)
      await terminal.waitFor(/\[exit 3\]/)
      const screen = await terminal.screen({colours: true})
      const line = (pattern: RegExp) => screen.split('\n').find((l) => pattern.test(l)) ?? ''
      assert.match(line(/in 9 days/), colour('33'), 'expiring root in yellow')
      assert.match(line(/expired 2 days ago/), colour('31'), 'expired root in red')
      assert.doesNotMatch(line(/CERTIFICATE/), colour('3\\d'), 'the header is not coloured')
    })

    it('prints no colour when piped, or with NO_COLOR at a terminal', async () => {
      const piped = await dapr(['mtls', 'expiry', '--certs-dir', work.path('certs')], {env: {NO_COLOR: ''}})
      assert.doesNotMatch(piped.stdout, colour())
      terminal = await Terminal.start(`node ${runJs} mtls expiry --certs-dir ${work.path('certs')}`, {
        env: {NO_COLOR: '1'},
      })
      await terminal.waitFor(/\[exit 3\]/)
      assert.doesNotMatch(await terminal.screen({colours: true}), colour('31|33'))
    })
  })
})
