// Self-hosted mode end to end: the built `dapr` executable against a real certificates directory, with openssl
// making the inputs and checking the outputs.
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {execa} from 'execa'

import {generateBundle} from '../../src/lib/certs/index.js'
import {certsDirBackupsDir} from '../../src/lib/selfhosted/backups.js'
import {assertCleanFailure, dapr, testHome} from '../helpers/cli.js'
import {snapshot} from '../helpers/dir-snapshot.js'
import {OpenSslDir} from '../helpers/openssl.js'

const mode = (file: string) => statSync(file).mode & 0o777

/** A bundle that expired a month ago, made by the engine since openssl 3.0 cannot backdate a certificate. */
const expiredBundle = () =>
  generateBundle({
    namespace: 'default',
    validityDays: 30,
    clockSkewMs: 0,
    now: new Date(Date.now() - 60 * 86_400_000),
  })

describe('self-hosted mTLS', function () {
  this.timeout(60_000)
  let work: OpenSslDir
  let certs: string
  let config: string
  const at = () => ['--certs-dir', certs]
  /** Where the backups of the certificates directory go: under HOME, outside the directory Sentry watches. */
  const backupsOf = () => certsDirBackupsDir(path.join(testHome(), '.dapr', 'backups'), certs)

  beforeEach(() => {
    work = new OpenSslDir()
    certs = work.path('certs')
    config = work.path('config.yaml')
  })
  afterEach(() => {
    work.cleanup()
  })

  const init = (...extra: string[]) => dapr(['init', '--enable-mtls', ...at(), '--config-file', config, ...extra])

  describe('dapr init --enable-mtls', () => {
    it('creates a bundle openssl verifies, a 0600 issuer key and a Configuration with mTLS on', async () => {
      const result = await init()
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /Next steps/)
      assert.equal(mode(path.join(certs, 'issuer.key')), 0o600)
      const verify = work.openssl('verify', '-CAfile', 'certs/ca.crt', 'certs/issuer.crt')
      assert.match(verify, /certs\/issuer.crt: OK/)
      assert.match(readFileSync(config, 'utf8'), /mtls:\n\s+enabled: true/)
    })

    it('never replaces existing certificates without --force, and keeps a backup with it', async () => {
      assert.equal((await init()).exitCode, 0)
      const before = snapshot(certs)
      const refused = await init()
      assert.equal(refused.exitCode, 1)
      assertCleanFailure(refused)
      assert.match(refused.stderr, /already exist.*\n.*--force/)
      assert.deepEqual(snapshot(certs), before)

      const forced = await init('--force')
      assert.equal(forced.exitCode, 0, forced.stderr)
      assert.notEqual(work.read('certs/ca.crt'), '')
      assert.equal(existsSync(path.join(certs, 'backups')), false, 'nothing kept where Sentry watches')
      const backups = readdirSync(backupsOf())
      assert.equal(backups.length, 1)
      const backup = path.join(backupsOf(), backups[0]!)
      assert.equal(
        createHash('sha256')
          .update(readFileSync(path.join(backup, 'ca.crt')))
          .digest('hex'),
        before['ca.crt'],
      )
      assert.notEqual(snapshot(certs)['ca.crt'], before['ca.crt'])
    })

    it('edits an existing Configuration in place, keeping comments and other settings', async () => {
      writeFileSync(config, '# my settings\nkind: Configuration\nspec:\n  tracing:\n    samplingRate: "1" # keep me\n')
      assert.equal((await init()).exitCode, 0)
      const text = readFileSync(config, 'utf8')
      assert.match(text, /# my settings/)
      assert.match(text, /samplingRate: "1" # keep me/)
      assert.match(text, /mtls:\n\s+enabled: true/)
    })

    it('with --enable-mtls=false, as the Dapr docs write it, turns mTLS off and writes no certificates', async () => {
      const result = await dapr(['init', '--enable-mtls=false', ...at(), '--config-file', config])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(existsSync(certs), false)
      assert.match(readFileSync(config, 'utf8'), /enabled: false/)
    })

    it('writes the new root key with --root-key-out, mode 0600, matching the root certificate', async () => {
      const result = await init('--root-key-out', work.path('root.key'))
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(mode(work.path('root.key')), 0o600)
      assert.equal(work.publicKeyOf('root.key'), work.publicKeyOf('certs/ca.crt'))
      assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY/)
    })

    for (const broken of ['spec: [\n', 'spec: foo\n']) {
      it(`with a Configuration file it cannot edit (${JSON.stringify(broken)}) fails in one line before writing anything`, async () => {
        writeFileSync(config, broken)
        const result = await init('--root-key-out', work.path('root.key'))
        assert.equal(result.exitCode, 1, result.stderr)
        assertCleanFailure(result)
        assert.match(result.stderr, /config\.yaml is not a Dapr Configuration: .*\n.*nothing was changed/)
        assert.doesNotMatch(result.stderr, /unexpected error/)
        assert.equal(existsSync(certs), false)
        assert.equal(existsSync(work.path('root.key')), false)
        assert.equal(readFileSync(config, 'utf8'), broken)
      })
    }

    it('reports a short validity as a warning in its result', async () => {
      const result = await init('--valid-until', '10', '--json')
      assert.equal(result.exitCode, 0, result.stderr)
      const {warnings} = JSON.parse(result.stdout) as {warnings: string[]}
      assert.ok(
        warnings.some((w) => /^ca\.crt: .*expires in \d+ days/.test(w)),
        warnings.join('\n'),
      )
    })

    it('refuses an Ed25519 issuer key you bring unless --sentry-version says Sentry can sign with it', async () => {
      work.bundle('ed-', {issuerKeyType: 'ed25519'})
      const byo = work.byoFlags('ed-ca.crt', 'ed-issuer.crt', 'ed-issuer.key')
      const unknown = await init(...byo)
      assert.equal(unknown.exitCode, 1, unknown.stderr)
      assertCleanFailure(unknown)
      assert.match(
        unknown.stderr,
        /an unknown Sentry version is taken to sign only with ECDSA.*\(issuer-key-type\)\n.*--sentry-version 1\.18\.0/,
      )
      assert.equal(existsSync(certs), false)
      const old = await init(...byo, '--sentry-version', '1.16.2')
      assert.match(old.stderr, /Sentry 1\.16\.2 signs only with ECDSA/)
      assert.equal(existsSync(certs), false)
      const current = await init(...byo, '--sentry-version', '1.18.0')
      assert.equal(current.exitCode, 0, current.stderr)
      assert.equal(work.publicKeyOf('certs/issuer.key'), work.publicKeyOf('ed-issuer.key'))
    })

    it('refuses --root-key-out with certificates you bring as a usage error (exit 2)', async () => {
      work.bundle('byo-')
      const result = await init(
        ...work.byoFlags('byo-ca.crt', 'byo-issuer.crt', 'byo-issuer.key'),
        '--root-key-out',
        work.path('root.key'),
      )
      assert.equal(result.exitCode, 2, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, /--root-key-out/)
      assert.equal(existsSync(certs), false)
    })
  })

  describe('dapr mtls renew-certificate', () => {
    beforeEach(async () => {
      assert.equal((await init('--root-key-out', work.path('root.key'))).exitCode, 0)
    })

    it('renews with fresh certificates: a new root, a verified chain, the old files backed up', async () => {
      const oldRoot = work.read('certs/ca.crt')
      const result = await dapr(['mtls', 'renew-certificate', ...at(), '--valid-until', '100'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(
        result.stdout,
        /Certificate rotation is successful! Your new certificate is valid through \w{3}, \d\d \w{3} \d{4} [\d:]{8} UTC/,
      )
      assert.notEqual(work.read('certs/ca.crt'), oldRoot)
      assert.match(work.openssl('verify', '-CAfile', 'certs/ca.crt', 'certs/issuer.crt'), /OK/)
      const [backup] = readdirSync(backupsOf())
      assert.equal(readFileSync(path.join(backupsOf(), backup!, 'ca.crt'), 'utf8'), oldRoot)
      const notAfter = work.openssl('x509', '-in', 'certs/ca.crt', '-noout', '-enddate').trim().replace('notAfter=', '')
      const days = (new Date(notAfter).getTime() - Date.now()) / 86_400_000
      assert.ok(days > 99 && days <= 100, `root valid for ${days} days`)
    })

    it('renews with the existing root key without changing the root public key; the new issuer verifies against the OLD root', async () => {
      work.write('old-ca.crt', work.read('certs/ca.crt'))
      const result = await dapr(['mtls', 'rnc', ...at(), '--private-key', work.path('root.key')])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(work.publicKeyOf('certs/ca.crt'), work.publicKeyOf('old-ca.crt'))
      assert.notEqual(work.read('certs/ca.crt'), work.read('old-ca.crt'))
      assert.match(work.openssl('verify', '-CAfile', 'old-ca.crt', 'certs/issuer.crt'), /OK/)
    })

    it('installs certificates you bring when they are valid', async () => {
      work.ecKey('byo-root.key')
      work.root('byo-ca.crt', {key: 'byo-root.key', subject: '/O=example.com', days: 800})
      work.ecKey('byo-issuer.key')
      work.signed('byo-issuer.crt', {
        key: 'byo-issuer.key',
        subject: String.raw`/O=spiffe:\/\/example.com\/ns\/default\/dapr-sentry`,
        days: 400,
        caCert: 'byo-ca.crt',
        caKey: 'byo-root.key',
      })
      const result = await dapr([
        'mtls',
        'renew-cert',
        ...at(),
        '--ca-root-certificate',
        work.path('byo-ca.crt'),
        '--issuer-public-certificate',
        work.path('byo-issuer.crt'),
        '--issuer-private-key',
        work.path('byo-issuer.key'),
      ])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(work.read('certs/ca.crt'), work.read('byo-ca.crt'))
      assert.equal(work.read('certs/issuer.crt'), work.read('byo-issuer.crt'))
      assert.equal(work.publicKeyOf('certs/issuer.key'), work.publicKeyOf('byo-issuer.key'))
    })

    it('replaces a bundle whose ca.crt is truncated, keeping the damaged file in the backup', async () => {
      const damaged = work.read('certs/ca.crt').slice(0, 200)
      work.write('certs/ca.crt', damaged)
      const result = await dapr(['mtls', 'renew-certificate', ...at()])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stderr, /current bundle unreadable: .*ca\.crt.*; it is backed up and replaced/)
      const [backup] = readdirSync(backupsOf())
      assert.equal(readFileSync(path.join(backupsOf(), backup!, 'ca.crt'), 'utf8'), damaged)
      assert.match(work.openssl('verify', '-CAfile', 'certs/ca.crt', 'certs/issuer.crt'), /certs\/issuer.crt: OK/)
    })

    it('replaces a garbage issuer.crt with the existing root key, keeping the root', async () => {
      work.write('old-ca.crt', work.read('certs/ca.crt'))
      work.write('certs/issuer.crt', 'garbage\n')
      const result = await dapr(['mtls', 'renew-certificate', ...at(), '--private-key', work.path('root.key')])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stderr, /current bundle unreadable: .*issuer\.crt/)
      assert.equal(work.publicKeyOf('certs/ca.crt'), work.publicKeyOf('old-ca.crt'))
      assert.match(work.openssl('verify', '-CAfile', 'old-ca.crt', 'certs/issuer.crt'), /OK/)
    })

    it('--dry-run prints the plan and changes nothing', async () => {
      const before = snapshot(certs)
      const result = await dapr(['mtls', 'renew-certificate', ...at(), '--dry-run'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /Renewal plan \(fresh\)/)
      assert.match(result.stdout, /current\s+root/)
      assert.deepEqual(snapshot(certs), before)
    })

    describe('refuses bad input with one line, the right exit code, and the directory unchanged', () => {
      const cases: {name: string; exit: number; stderr: RegExp; args: () => Promise<string[]> | string[]}[] = [
        {
          name: 'a root file that is not PEM',
          exit: 1,
          stderr: /not-pem\.crt/,
          args: () => {
            work.bundle('a-')
            work.write('not-pem.crt', 'hello, I am not a certificate\n')
            return work.byoFlags('not-pem.crt', 'a-issuer.crt', 'a-issuer.key')
          },
        },
        {
          name: 'an issuer key that does not match the issuer certificate',
          exit: 1,
          stderr: /other\.key/,
          args: () => {
            work.bundle('b-')
            work.ecKey('other.key')
            return work.byoFlags('b-ca.crt', 'b-issuer.crt', 'other.key')
          },
        },
        {
          name: 'an issuer signed by another root',
          exit: 1,
          stderr: /c-issuer\.crt/,
          args: () => {
            work.bundle('c-')
            work.bundle('d-')
            return work.byoFlags('d-ca.crt', 'c-issuer.crt', 'c-issuer.key')
          },
        },
        {
          name: 'an expired root',
          exit: 1,
          stderr: /expired/,
          args: async () => {
            const old = await expiredBundle()
            work.writeBundle(old.bundle, 'e-')
            return work.byoFlags('e-ca.crt', 'e-issuer.crt', 'e-issuer.key')
          },
        },
        {
          name: 'an issuer that is not a CA',
          exit: 1,
          stderr: /f-issuer\.crt.*CA/i,
          args: () => {
            work.bundle('f-', {issuerExtensions: 'not_ca'})
            return work.byoFlags('f-ca.crt', 'f-issuer.crt', 'f-issuer.key')
          },
        },
        {
          name: 'a missing file',
          exit: 1,
          stderr: /missing\.key.*no such file/,
          args: () => ['--private-key', work.path('missing.key')],
        },
        {
          name: 'mixed flag modes',
          exit: 2,
          stderr: /--private-key cannot be combined/,
          args: () => {
            work.bundle('g-')
            return [
              ...work.byoFlags('g-ca.crt', 'g-issuer.crt', 'g-issuer.key'),
              '--private-key',
              work.path('root.key'),
            ]
          },
        },
        {
          name: 'only one of the three certificate flags',
          exit: 2,
          stderr: /needs all three/,
          args: () => ['--ca-root-certificate', work.path('root.key')],
        },
        {
          name: '--valid-until with certificates you bring',
          exit: 2,
          stderr: /--valid-until cannot be combined/,
          args: () => {
            work.bundle('h-')
            return [...work.byoFlags('h-ca.crt', 'h-issuer.crt', 'h-issuer.key'), '--valid-until', '10']
          },
        },
        {name: '--valid-until 0', exit: 2, stderr: /valid-until/, args: () => ['--valid-until', '0']},
      ]
      for (const c of cases) {
        it(`${c.name}: exit ${c.exit}`, async () => {
          const args = await c.args()
          const before = snapshot(certs)
          const result = await dapr(['mtls', 'renew-certificate', ...at(), ...args])
          assert.equal(result.exitCode, c.exit, result.stderr)
          assertCleanFailure(result)
          assert.match(result.stderr, c.stderr)
          assert.equal(result.stdout, '')
          assert.deepEqual(snapshot(certs), before)
        })
      }
    })
  })

  describe('dapr mtls expiry', () => {
    const expiry = (...extra: string[]) => dapr(['mtls', 'expiry', ...at(), ...extra])
    const renewFor = async (days: number) => {
      assert.equal((await dapr(['mtls', 'renew-certificate', ...at(), '--valid-until', String(days)])).exitCode, 0)
    }

    beforeEach(async () => {
      assert.equal((await init()).exitCode, 0)
    })

    it('exits 0 for a 365-day bundle and prints the official first line', async () => {
      const result = await expiry()
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(
        result.stdout.split('\n')[0]!,
        /^Root certificate expires in 87\d\d hours\. Expiry date: \d{4}-\d\d-\d\d [\d:]{8} \+0000 UTC$/,
      )
      const wide = await expiry('-o', 'wide')
      assert.match(wide.stdout, /issuer\s+O=spiffe:\/\/cluster.local\/ns\/default\/dapr-sentry/)
    })

    it('exits 3 for a 10-day bundle', async () => {
      await renewFor(10)
      const result = await expiry()
      assert.equal(result.exitCode, 3, result.stdout)
      assert.match(result.stdout, /expiring/)
    })

    it('exits 4 for an expired bundle, also under -o json', async () => {
      const old = await expiredBundle()
      work.writeBundle(old.bundle, 'certs/')
      const result = await expiry('-o', 'json')
      assert.equal(result.exitCode, 4)
      const report = JSON.parse(result.stdout) as {status: string; certificates: {role: string; daysLeft: number}[]}
      assert.equal(report.status, 'critical')
      assert.deepEqual(
        report.certificates.map((c) => c.role),
        ['root', 'issuer'],
      )
      assert.ok(report.certificates.every((c) => c.daysLeft < 0))
      const json = await expiry('--json')
      assert.equal(json.exitCode, 4)
    })

    it('without a certificates directory says so and points at -k', async () => {
      const result = await dapr(['mtls', 'expiry', '--certs-dir', work.path('nowhere')])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /no certificates directory.*\n.*add -k/)
    })
  })

  describe('dapr mtls env', () => {
    it('prints lines that load the files into the shell without printing the key', async () => {
      assert.equal((await init()).exitCode, 0)
      const result = await dapr(['mtls', 'env', ...at()])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.doesNotMatch(result.stdout, /PRIVATE KEY/)
      const script = `eval "$1"; printf '%s\\n---\\n%s\\n---\\n%s' "$DAPR_TRUST_ANCHORS" "$DAPR_CONTROLPLANE_TRUST_DOMAIN" "$NAMESPACE"`
      const shell = await execa('bash', ['-c', script, 'bash', result.stdout])
      const [anchors, trustDomain, namespace] = shell.stdout.split('\n---\n')
      assert.equal(anchors, work.read('certs/ca.crt').trimEnd())
      assert.equal(trustDomain, 'cluster.local')
      assert.equal(namespace, 'default')
    })
  })
})
