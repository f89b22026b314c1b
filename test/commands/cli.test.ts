// The CLI around the commands, as a platform engineer meets it: errors for pipelines, typos, version, help,
// completion, durations, the expiry table, and the package's executables.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {execa} from 'execa'

import {generateBundle} from '../../src/lib/certs/index.js'
import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'

const root = path.resolve(import.meta.dirname, '..', '..')

describe('the CLI around the commands', function () {
  this.timeout(60_000)

  describe('errors under -o json and -o yaml (item 7)', () => {
    for (const [format, parse] of [
      ['json', (text: string) => JSON.parse(text) as unknown],
      ['yaml', (text: string) => text],
    ] as const) {
      it(`a failure under -o ${format} prints the error object on stdout and the line on stderr`, async () => {
        const result = await dapr(['mtls', 'expiry', '--certs-dir', '/nowhere', '-o', format])
        assert.equal(result.exitCode, 1)
        assertCleanFailure(result)
        assert.match(result.stderr, /no certificates directory at \/nowhere/)
        if (format === 'json') {
          assert.deepEqual(parse(result.stdout), {
            error: {
              message: 'no certificates directory at /nowhere',
              hint: 'Create one with `dapr init --enable-mtls`, or pass --certs-dir. To check a Kubernetes cluster, add -k.',
              exitCode: 1,
            },
          })
        } else {
          assert.match(
            result.stdout,
            /^error:\n {2}message: no certificates directory at \/nowhere\n[\s\S]*exitCode: 1$/,
          )
        }
      })
    }

    it('a usage error under -o json (an unknown flag) still gives JSON on stdout, exit 2', async () => {
      const result = await dapr(['mtls', 'expiry', '-o', 'json', '--bogus'])
      assert.equal(result.exitCode, 2)
      assert.equal((JSON.parse(result.stdout) as {error: {exitCode: number}}).error.exitCode, 2)
    })

    it('--json with -o yaml is a usage error, not JSON printed silently', async () => {
      const result = await dapr(['mtls', 'expiry', '--json', '-o', 'yaml'])
      assert.equal(result.exitCode, 2)
      assertCleanFailure(result)
      assert.match(result.stderr, /--json and -o yaml ask for different output formats/)
    })
  })

  describe('typos, version, help and completion', () => {
    it('an unknown command gets "did you mean" in the tool’s own error style, exit 2', async () => {
      const result = await dapr(['mtls', 'expirey'])
      assert.equal(result.exitCode, 2)
      assertCleanFailure(result)
      assert.match(result.stderr, /^unknown command "mtls expirey"\n {3}Did you mean `dapr mtls expiry`\?/)
      assert.doesNotMatch(result.stderr, /mtls:expirey|Error:/)
    })

    it('an unknown flag gets the closest flag as its hint', async () => {
      const result = await dapr(['mtls', 'expiry', '--certs-dr', '/x'])
      assert.equal(result.exitCode, 2)
      assertCleanFailure(result)
      assert.match(result.stderr, /Nonexistent flag: --certs-dr\n.*Did you mean --certs-dir\?/)
    })

    it('dapr version prints what dapr --version prints', async () => {
      const [version, flag] = await Promise.all([dapr(['version']), dapr(['--version'])])
      assert.equal(version.exitCode, 0)
      assert.equal(version.stdout, flag.stdout)
      assert.match(version.stdout, /^dapr-mtls\/\d+\.\d+\.\d+ /)
    })

    it('dapr --help lists the mtls subcommands', async () => {
      const {stdout} = await dapr(['--help'])
      for (const command of ['mtls env', 'mtls expiry', 'mtls export', 'mtls renew-certificate', 'version']) {
        assert.match(stdout, new RegExp(`^ {2}${command} `, 'm'), command)
      }
      assert.doesNotMatch(stdout, /^ {2}mtls rnc /m, 'aliases stay out of the list')
    })

    it('every command’s --help shows examples for both modes where it has both', () => {
      const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
        commands: Record<string, {flags: Record<string, unknown>; examples?: string[]}>
      }
      const dualMode = Object.entries(manifest.commands).filter(
        ([, c]) => 'kubernetes' in c.flags && ('certs-dir' in c.flags || 'config-file' in c.flags),
      )
      assert.ok(dualMode.length >= 4, 'init, mtls, mtls expiry and renew-certificate work in both modes')
      for (const [id, command] of dualMode) {
        const examples = command.examples ?? []
        assert.ok(
          examples.some((e) => / -k\b/.test(e)),
          `${id} has a cluster example`,
        )
        assert.ok(
          examples.some((e) => !/ -k\b/.test(e)),
          `${id} has a self-hosted example`,
        )
      }
    })

    // The plugin's line for @oclif/core 4 and Node 20 (v3) knows bash, zsh and PowerShell; fish came with v4.
    for (const shell of ['bash', 'zsh', 'powershell']) {
      it(`offers shell completion for ${shell}`, async () => {
        const home = mkdtempSync(path.join(tmpdir(), 'dapr-completion-'))
        try {
          const result = await dapr(['autocomplete', 'script', shell], {env: {HOME: home}})
          assert.equal(result.exitCode, 0, result.stderr)
          assert.match(result.stdout, /dapr/i)
        } finally {
          rmSync(home, {recursive: true, force: true})
        }
      })
    }
  })

  describe('durations', () => {
    for (const value of ['30s', '5m', '45']) {
      it(`--request-timeout ${value} is accepted`, async () => {
        const result = await dapr(['mtls', 'expiry', '-k', '--request-timeout', value, '--kubeconfig', '/nowhere'])
        assert.equal(result.exitCode, 1, result.stderr)
        assert.match(result.stderr, /kubeconfig \/nowhere does not exist/)
      })
    }

    it('--timeout 5x is a usage error naming the forms it takes', async () => {
      const result = await dapr(['mtls', 'renew-certificate', '-k', '--timeout', '5x'])
      assert.equal(result.exitCode, 2)
      assertCleanFailure(result)
      assert.match(result.stderr, /^--timeout "5x" is not a duration\n.*30s, 5m/)
    })
  })

  describe('the expiry table', () => {
    let work: OpenSslDir
    beforeEach(() => {
      work = new OpenSslDir()
      mkdirSync(work.path('certs'))
    })
    afterEach(() => {
      work.cleanup()
    })

    it('fits 80 columns, tells two roots with one subject apart, and moves the subject to -o wide', async () => {
      const [a, b] = await Promise.all(
        [400, 500].map((validityDays) => generateBundle({namespace: 'default', validityDays})),
      )
      work.write('certs/ca.crt', a!.bundle.rootCertPem + b!.bundle.rootCertPem)
      work.write('certs/issuer.crt', a!.bundle.issuerCertPem)
      const result = await dapr(['mtls', 'expiry', '--certs-dir', work.path('certs')])
      assert.equal(result.exitCode, 0, result.stderr)
      const table = result.stdout.split('\n').slice(2)
      for (const line of table) assert.ok(line.length <= 80, `${line.length} columns: ${line}`)
      const roots = table.filter((line) => line.startsWith('root'))
      assert.equal(roots.length, 2)
      assert.notEqual(roots[0]!.split(/\s+/)[1], roots[1]!.split(/\s+/)[1], 'the fingerprint prefixes differ')
      assert.doesNotMatch(result.stdout, /O=cluster\.local/)
      const wide = await dapr(['mtls', 'expiry', '--certs-dir', work.path('certs'), '-o', 'wide'])
      assert.match(wide.stdout, /SUBJECT/)
      assert.match(wide.stdout, /root\s+O=cluster\.local/)
    })

    it('words time left the same in the table and the JSON: "in 9 days", "expired 1 day ago"', async () => {
      const old = await generateBundle({
        namespace: 'default',
        validityDays: 1,
        clockSkewMs: 0,
        now: new Date(Date.now() - 49 * 3_600_000),
      })
      const fresh = await generateBundle({namespace: 'default', validityDays: 10})
      work.write('certs/ca.crt', fresh.bundle.rootCertPem + old.bundle.rootCertPem)
      work.write('certs/issuer.crt', fresh.bundle.issuerCertPem)
      const table = await dapr(['mtls', 'expiry', '--certs-dir', work.path('certs')])
      // The expired root is an extra one the issuer does not chain to: a warning that it can be pruned.
      assert.equal(table.exitCode, 3)
      assert.match(table.stdout, /^Root certificate expires in 23\d hours\./)
      assert.match(table.stdout, /root .* in 9 days +expiring/)
      assert.match(table.stdout, /root \(extra\) .* expired 1 day ago +expired/)
      const json = await dapr(['mtls', 'expiry', '--certs-dir', work.path('certs'), '-o', 'json'])
      const report = JSON.parse(json.stdout) as {certificates: {timeLeft: string; daysLeft: number}[]}
      assert.deepEqual(
        report.certificates.map((c) => c.timeLeft),
        ['in 9 days', 'expired 1 day ago', 'in 9 days'],
      )
    })
  })

  it('the package offers both dapr and dapr-mtls, and dapr-mtls runs the same CLI', async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {bin: Record<string, string>}
    assert.equal(pkg.bin.dapr, pkg.bin['dapr-mtls'])
    const dir = mkdtempSync(path.join(tmpdir(), 'dapr-bin-'))
    try {
      symlinkSync(path.join(root, pkg.bin['dapr-mtls']!), path.join(dir, 'dapr-mtls'))
      const result = await execa(path.join(dir, 'dapr-mtls'), ['version'], {reject: false})
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /^dapr-mtls\//)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
