// A new user's first hour with the self-hosted commands (issue 10): each story drives the built `dapr` in a fresh
// HOME, with openssl making inputs and checking outputs.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {execa} from 'execa'

import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'

describe('a first hour with the self-hosted commands', function () {
  this.timeout(60_000)
  let work: OpenSslDir
  let home: string
  const env = () => ({HOME: home})
  const run = (args: string[], extraEnv: Record<string, string> = {}) => dapr(args, {env: {...env(), ...extraEnv}})
  const certs = () => path.join(home, '.dapr', 'certs')

  beforeEach(() => {
    work = new OpenSslDir()
    home = work.path('home')
    mkdirSync(home)
  })
  afterEach(() => {
    work.cleanup()
  })

  describe('keys and the root (items 1, 2)', () => {
    it('init --root-key-out ~/.dapr/root.key works on a fresh HOME, and that key renews the same root', async () => {
      const init = await run(['init', '--enable-mtls', '--root-key-out', path.join(home, '.dapr', 'root.key')])
      assert.equal(init.exitCode, 0, init.stderr)
      const before = work.publicKeyOf('home/.dapr/certs/ca.crt')
      const renew = await run(['mtls', 'renew-certificate', '--private-key', path.join(home, '.dapr', 'root.key')])
      assert.equal(renew.exitCode, 0, renew.stderr)
      assert.equal(work.publicKeyOf('home/.dapr/certs/ca.crt'), before)
      assert.doesNotMatch(renew.stderr, /not the key of the current root/)
    })

    it('a missing --private-key names --root-key-out, the way to have one', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      const result = await run(['mtls', 'renew-certificate', '--private-key', path.join(home, '.dapr', 'root.key')])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /root\.key \(--private-key\): no such file or directory\n.*--root-key-out/)
    })

    it('--private-key with another key warns on stderr that the root is replaced and sidecars must restart', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      work.ecKey('other.key')
      const json = await run([
        'mtls',
        'renew-certificate',
        '--private-key',
        work.path('other.key'),
        '--dry-run',
        '--json',
      ])
      const {plan} = JSON.parse(json.stdout) as {plan: {warnings: string[]; rootPublicKeyKept: boolean}}
      assert.equal(plan.rootPublicKeyKept, false)
      assert.ok(plan.warnings.some((w) => /not the key of the current root/.test(w)))
      const result = await run(['mtls', 'renew-certificate', '--private-key', work.path('other.key')])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stderr, /other\.key \(--private-key\) is not the key of the current root: .*restart/)
      assert.equal(work.publicKeyOf('home/.dapr/certs/ca.crt'), work.publicKeyOf('other.key'))
    })

    it('refuses an RSA root key under 2048 bits, changing nothing', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      work.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'weak.key')
      const before = readFileSync(path.join(certs(), 'ca.crt'), 'utf8')
      const result = await run(['mtls', 'renew-certificate', '--private-key', work.path('weak.key')])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /weak\.key holds an RSA key of 1024 bits: too weak, at least 2048/)
      assert.equal(readFileSync(path.join(certs(), 'ca.crt'), 'utf8'), before)
    })
  })

  describe('places that cannot be written (items 5, 10)', () => {
    let startup: number
    before(async () => {
      const started = Date.now()
      await dapr(['--version'])
      startup = Date.now() - started
    })

    for (const [flag, target] of [
      ['--certs-dir', '/proc/foo'],
      ['--config-file', '/proc/foo/c.yaml'],
    ] as const) {
      it(`init ${flag} ${target} fails within a second of start-up, in one line, writing nothing`, async () => {
        const started = Date.now()
        const result = await dapr(['init', '--enable-mtls', flag, target], {env: env(), timeoutMs: 10_000})
        const elapsed = Date.now() - started
        assert.equal(result.exitCode, 1, result.stderr)
        assertCleanFailure(result)
        assert.match(result.stderr, new RegExp(`cannot write ${target} \\(${flag}\\): nothing can be created in /proc`))
        assert.ok(elapsed < startup + 1000, `took ${elapsed} ms (start-up ${startup} ms)`)
        assert.deepEqual(readdirSync(home), [], 'nothing written under HOME')
      })
    }

    it('a Configuration path that is a directory stops init before the certificates are written', async () => {
      mkdirSync(work.path('config-dir'))
      const result = await run(['init', '--enable-mtls', '--config-file', work.path('config-dir')])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /config-dir/)
      assert.equal(existsSync(certs()), false)
    })

    it('a 1 GB file is refused by its size before it is read', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      writeFileSync(work.path('huge.key'), '')
      truncateSync(work.path('huge.key'), 1024 ** 3) // sparse: no gigabyte is written to the disk
      const started = Date.now()
      const result = await run(['mtls', 'renew-certificate', '--private-key', work.path('huge.key')])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /huge\.key \(--private-key\): it is 1\.0 GiB, and .* at most 1 MiB/)
      assert.ok(Date.now() - started < 10_000)
    })

    it('a directory given as a file is said in words, not as EISDIR', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      const result = await run(['mtls', 'renew-certificate', '--private-key', work.dir])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /\(--private-key\): it is a directory/)
      assert.doesNotMatch(result.stderr, /E[A-Z]{3,}|error:[0-9A-F]{8}|RangeError/)
    })

    it('a damaged key is said in words, not as OpenSSL decoder text', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      work.write('bad.key', '-----BEGIN PRIVATE KEY-----\nMIIBAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n')
      const result = await run(['mtls', 'renew-certificate', '--private-key', work.path('bad.key')])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /bad\.key: .*damaged/)
      assert.doesNotMatch(result.stderr, /error:[0-9A-F]{8}|DECODER/)
    })
  })

  describe('certificates from the Dapr docs’ openssl recipe, and paths a shell must quote (item 6)', () => {
    const docsBundle = () => {
      work.bundle('docs-', {
        rootSubject: '/C=US/ST=WA/L=Redmond/O=dapr.io/CN=cluster.local',
        issuerSubject: '/C=US/ST=WA/L=Redmond/O=dapr.io/CN=issuer.cluster.local',
      })
      return work.byoFlags('docs-ca.crt', 'docs-issuer.crt', 'docs-issuer.key')
    }
    /** The words bash makes of the suggested Sentry command. */
    const sentryWords = (stdout: string): string[] => {
      const line = /sentry --issuer-credentials .*/.exec(stdout)?.[0] ?? ''
      return execFileSync('bash', ['-c', `printf '%s\\n' ${line}`], {encoding: 'utf8'})
        .trimEnd()
        .split('\n')
    }

    it('suggests the trust domain Sentry needs, not the root subject', async () => {
      const result = await run(['init', '--enable-mtls', ...docsBundle()])
      assert.equal(result.exitCode, 0, result.stderr)
      const words = sentryWords(result.stdout)
      assert.equal(words[words.indexOf('--trust-domain') + 1], 'cluster.local')
      assert.doesNotMatch(result.stdout, /C=US/)
      const given = await run(['init', '--enable-mtls', '--force', '--trust-domain', 'example.org', ...docsBundle()])
      assert.equal(sentryWords(given.stdout)[sentryWords(given.stdout).indexOf('--trust-domain') + 1], 'example.org')
    })

    it('quotes a certificates directory with spaces and quotes so the suggested commands paste as one word', async () => {
      const dir = path.join(home, "my 'certs dir")
      const result = await run(['init', '--enable-mtls', '--certs-dir', dir])
      assert.equal(result.exitCode, 0, result.stderr)
      const words = sentryWords(result.stdout)
      assert.equal(words[words.indexOf('--issuer-credentials') + 1], dir)
      const envLine = /eval "\$\(dapr mtls env(.*)\)"/.exec(result.stdout)?.[1] ?? ''
      const args = execFileSync('bash', ['-c', `printf '%s\\n' ${envLine}`], {encoding: 'utf8'})
        .trimEnd()
        .split('\n')
      assert.deepEqual(args, ['--certs-dir', dir])
    })
  })

  describe('the Configuration file (item 9)', () => {
    const config = () => work.path('config.yaml')
    for (const [what, text, said] of [
      ['garbage', 'hello world\n', /holds a plain value/],
      ['an empty file', '', /the file is empty/],
      ['a ConfigMap', 'apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n', /is a ConfigMap, not a Configuration/],
    ] as const) {
      it(`dapr mtls says what ${what} is and exits 1, not "mTLS disabled"`, async () => {
        writeFileSync(config(), text)
        const result = await run(['mtls', '--config-file', config()])
        assert.equal(result.exitCode, 1, result.stdout)
        assertCleanFailure(result)
        assert.match(result.stderr, said)
        assert.doesNotMatch(result.stdout, /disabled/)
      })
    }

    it('dapr mtls says that daprd’s --enable-mtls flag, not the file, switches mTLS self-hosted', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      const result = await run(['mtls'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /spec\.mtls\.enabled is true in the self-hosted configuration .*config\.yaml/)
      assert.match(result.stdout, /daprd turns mTLS on with its --enable-mtls flag, not with this file/)
      assert.doesNotMatch(result.stdout, /Mutual TLS is enabled/)
    })

    it('announces the .bak copy it leaves beside an edited file', async () => {
      writeFileSync(config(), 'kind: Configuration\nspec:\n  tracing:\n    samplingRate: "1"\n')
      const result = await run(['init', '--enable-mtls', '--config-file', config()])
      assert.equal(result.exitCode, 0, result.stderr)
      const [bak] = readdirSync(work.dir).filter((f) => f.endsWith('.bak'))
      assert.ok(bak)
      assert.match(result.stderr, new RegExp(`Previous Configuration saved as .*${bak.replaceAll('.', '\\.')}`))
      const json = await run(['init', '--enable-mtls=false', '--config-file', config(), '--json'])
      assert.match((JSON.parse(json.stdout) as {configFileBackup: string}).configFileBackup, /\.bak$/)
    })
  })

  describe('mtls env (item 11)', () => {
    const evalEnv = async (args: string[]) => {
      const result = await run(['mtls', 'env', ...args])
      assert.equal(result.exitCode, 0, result.stderr)
      const script = `eval "$1"; for v in DAPR_TRUST_ANCHORS NAMESPACE DAPR_CONTROLPLANE_TRUST_DOMAIN DAPR_CERT_CHAIN DAPR_CERT_KEY; do printf '%s=%s\\036' "$v" "\${!v-<unset>}"; done`
      const shell = await execa('bash', ['-c', script, 'bash', result.stdout], {env: {}, extendEnv: false})
      const vars = Object.fromEntries(
        shell.stdout
          .split('\u001e')
          .filter((part) => part !== '')
          .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
      ) as Record<string, string>
      return {vars, result}
    }

    it('eval sets what daprd reads: the anchors, the namespace and the trust domain, and no issuer key', async () => {
      assert.equal((await run(['init', '--enable-mtls', '--trust-domain', 'example.org'])).exitCode, 0)
      const {vars, result} = await evalEnv([])
      assert.equal(vars.DAPR_TRUST_ANCHORS, readFileSync(path.join(certs(), 'ca.crt'), 'utf8').trimEnd())
      assert.equal(vars.NAMESPACE, 'default')
      assert.equal(vars.DAPR_CONTROLPLANE_TRUST_DOMAIN, 'example.org')
      assert.equal(vars.DAPR_CERT_CHAIN, '<unset>')
      assert.equal(vars.DAPR_CERT_KEY, '<unset>')
      assert.equal(result.stderr, '')
    })

    it('--with-issuer-key adds the docs’ two variables, with a warning on stderr', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      const {vars, result} = await evalEnv(['--with-issuer-key'])
      assert.equal(vars.DAPR_CERT_KEY, readFileSync(path.join(certs(), 'issuer.key'), 'utf8').trimEnd())
      assert.equal(vars.DAPR_CERT_CHAIN, readFileSync(path.join(certs(), 'issuer.crt'), 'utf8').trimEnd())
      assert.match(result.stderr, /read by no current daprd .* issuer private key into the environment/)
      assert.doesNotMatch(result.stdout, /PRIVATE KEY/)
    })
  })

  describe('after a renewal', () => {
    it('prints the next steps: Sentry reloads, re-run eval "$(dapr mtls env)", restart daprd', async () => {
      assert.equal((await run(['init', '--enable-mtls'])).exitCode, 0)
      const result = await run(['mtls', 'renew-certificate'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(
        result.stdout,
        /Next steps:\n.*Sentry .*reloads.*\n.*eval "\$\(dapr mtls env\)"\n.*Restart every daprd/,
      )
      const json = await run(['mtls', 'renew-certificate', '--json'])
      assert.doesNotThrow(() => JSON.parse(json.stdout))
    })
  })
})
