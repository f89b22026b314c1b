// `dapr mtls`, `mtls set` and `mtls token-validator` on a self-hosted Configuration file, through the built executable:
// what is written (and what not), the consequences said before it, and every refusal as one line with its exit code
// and the file byte for byte as it was.
import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {parse} from 'yaml'

import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {generateSigningKey, publicJwk} from '../helpers/jwt.js'

const initial = `# Sentry reads this file (--config)
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: daprConfig
spec:
  mtls:
    enabled: true
    workloadCertTTL: 24h # one day
    allowedClockSkew: 15m
`

describe('Sentry settings, self-hosted', function () {
  this.timeout(30_000)
  let dir: string
  let config: string
  const at = () => ['--config-file', config]
  const mtlsOf = () => (parse(readFileSync(config, 'utf8')) as {spec: {mtls: Record<string, unknown>}}).spec.mtls

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-settings-'))
    config = path.join(dir, 'config.yaml')
    writeFileSync(config, initial)
  })
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  describe('dapr mtls', () => {
    it('shows every setting of the file, in words and as JSON', async () => {
      const shown = await dapr(['mtls', ...at()])
      assert.equal(shown.exitCode, 0, shown.stderr)
      assert.equal(
        shown.stdout,
        [
          `spec.mtls.enabled is true in the self-hosted configuration ${config}`,
          "Self-hosted, daprd turns mTLS on with its --enable-mtls flag, not with this file (Sentry reads the file's workloadCertTTL, allowedClockSkew and tokenValidators).",
          'Workload certificate TTL  24h',
          'Allowed clock skew        15m',
          "Token validators          none (Sentry's insecure validator signs for anyone)",
        ].join('\n'),
      )
      const json = JSON.parse((await dapr(['mtls', ...at(), '-o', 'json'])).stdout) as unknown
      assert.deepEqual(json, {
        mtlsEnabled: true,
        location: config,
        allowedClockSkew: '15m',
        workloadCertTTL: '24h',
        tokenValidators: [],
      })
    })
  })

  describe('dapr mtls set', () => {
    it('writes the TTL and skew in place, comments kept, and says to restart Sentry', async () => {
      const result = await dapr(['mtls', 'set', '--workload-cert-ttl', '1h30m', '--allowed-clock-skew', '5m', ...at()])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(
        result.stdout,
        `Updated spec.mtls of ${config}:\n  workloadCertTTL: 24h → 1h30m\n  allowedClockSkew: 15m → 5m`,
      )
      assert.match(result.stderr, /reads .*config.yaml \(its --config\) only when it starts: restart Sentry/)
      assert.deepEqual(mtlsOf(), {enabled: true, workloadCertTTL: '1h30m', allowedClockSkew: '5m'})
      assert.match(
        readFileSync(config, 'utf8'),
        /^# Sentry reads this file \(--config\)\n[^]*workloadCertTTL: 1h30m # one day/,
      )
    })

    it('warns about a TTL that is not longer than the skew, and still writes it', async () => {
      const result = await dapr(['mtls', 'set', '--workload-cert-ttl', '2m', ...at()])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stderr, /allowedClockSkew 15m is not shorter than workloadCertTTL 2m/)
      assert.equal(mtlsOf().workloadCertTTL, '2m')
    })

    it('--dry-run prints the change and what it means, and writes nothing', async () => {
      const result = await dapr(['mtls', 'set', '--workload-cert-ttl', '12h', '--dry-run', ...at()])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /^spec\.mtls of .*config\.yaml:\n {2}workloadCertTTL: 24h → 12h\nNote: Sentry reads/)
      assert.equal(readFileSync(config, 'utf8'), initial)
      assert.deepEqual(readdirSync(dir), ['config.yaml'])
    })

    it('--json gives the result object; the same value again writes nothing', async () => {
      const result = await dapr(['mtls', 'set', '--allowed-clock-skew', '15m', ...at(), '--json'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.deepEqual(JSON.parse(result.stdout), {
        location: config,
        changes: [],
        written: false,
        warnings: [],
        consequences: [],
        restarts: [],
        appRestarts: [],
        nextSteps: [],
      })
      assert.equal(readFileSync(config, 'utf8'), initial)
    })

    for (const [args, exitCode, message] of [
      [['--workload-cert-ttl', '0s'], 2, /^--workload-cert-ttl 0s is not positive\n/],
      [['--allowed-clock-skew', '-1m'], 2, /^--allowed-clock-skew -1m is not positive\n/],
      [['--workload-cert-ttl', '10'], 2, /^--workload-cert-ttl "10" is not a Go duration\n {3}Write it as Go does/],
      [['--workload-cert-ttl', '1 h'], 2, /^--workload-cert-ttl "1 h" is not a Go duration/],
      [
        ['--enabled', 'false'],
        2,
        /^--enabled does not apply self-hosted: daprd turns mTLS on with its own --enable-mtls flag/,
      ],
      [['--enabled', 'maybe'], 2, /Expected --enabled=maybe to be one of: true, false/],
      [[], 2, /^nothing to set\n {3}Give --workload-cert-ttl or --allowed-clock-skew\./],
      [['--workload-cert-ttl', '1h', '--restart'], 2, /^--restart is only valid with -k/],
      [['--workload-cert-ttl', '1h', '--restart-apps'], 2, /^--restart-apps is only valid with -k/],
    ] as const) {
      it(`refuses ${args.join(' ') || 'no setting'}: exit ${exitCode}, one line, the file unchanged`, async () => {
        const result = await dapr(['mtls', 'set', ...args, ...at()])
        assert.equal(result.exitCode, exitCode, result.stderr)
        assertCleanFailure(result)
        assert.match(result.stderr, message)
        assert.equal(readFileSync(config, 'utf8'), initial)
        assert.deepEqual(readdirSync(dir), ['config.yaml'])
      })
    }

    it('refuses a file that is not a Configuration, and a missing one, writing nothing (exit 1)', async () => {
      writeFileSync(config, 'kind: Component\nspec:\n  type: state.redis\n')
      const component = await dapr(['mtls', 'set', '--workload-cert-ttl', '1h', ...at()])
      assert.equal(component.exitCode, 1)
      assertCleanFailure(component)
      assert.match(component.stderr, /is not a Dapr Configuration: it is a Component, not a Configuration/)
      assert.equal(readFileSync(config, 'utf8'), 'kind: Component\nspec:\n  type: state.redis\n')
      const missing = await dapr([
        'mtls',
        'set',
        '--workload-cert-ttl',
        '1h',
        '--config-file',
        path.join(dir, 'no.yaml'),
      ])
      assert.equal(missing.exitCode, 1)
      assertCleanFailure(missing)
      assert.match(
        missing.stderr,
        /^cannot read .*no\.yaml \(--config-file\): no such file or directory\n.*dapr init --enable-mtls/,
      )
      assert.deepEqual(readdirSync(dir), ['config.yaml'])
    })
  })

  describe('dapr mtls token-validator', () => {
    const jwksFile = () => {
      const file = path.join(dir, 'jwks.json')
      writeFileSync(file, JSON.stringify({keys: [publicJwk(generateSigningKey('ec').publicKey, 'k1')]}))
      return file
    }

    it('add writes an https URL as it is, says the insecure validator goes off, and list shows it', async () => {
      const url = 'https://issuer.example/.well-known/jwks.json?tenant=a&x=1'
      const added = await dapr([
        'mtls',
        'token-validator',
        'add',
        'jwks',
        '--source',
        url,
        '--jwks-request-timeout',
        '10s',
        ...at(),
      ])
      assert.equal(added.exitCode, 0, added.stderr)
      assert.match(
        added.stderr,
        /Sentry turns off its insecure validator: daprd, placement and scheduler must then send a token/,
      )
      assert.match(added.stderr, /DAPR_SENTRY_TOKEN_FILE/)
      assert.deepEqual(mtlsOf().tokenValidators, [{name: 'jwks', options: {source: url, requestTimeout: '10s'}}])
      const listed = await dapr(['mtls', 'token-validator', 'list', ...at()])
      assert.equal(listed.stdout, `Token validators of ${config}:\n  jwks: ${url} (request timeout 10s)`)
    })

    it('add writes a JWKS file as inline content, so Sentry need not see this machine', async () => {
      const file = jwksFile()
      const added = await dapr(['mtls', 'token-validator', 'add', 'jwks', '--source', file, ...at()])
      assert.equal(added.exitCode, 0, added.stderr)
      assert.deepEqual(mtlsOf().tokenValidators, [{name: 'jwks', options: {source: readFileSync(file, 'utf8')}}])
      assert.match(added.stdout, /tokenValidators: none → jwks: inline JWKS, 1 key \(kid k1\)/)
    })

    it('plain http only with --insecure-source, and then with a warning', async () => {
      const addHttp = (...extra: string[]) =>
        dapr(['mtls', 'token-validator', 'add', 'jwks', '--source', 'http://127.0.0.1:9000/jwks', ...extra, ...at()])
      const refused = await addHttp()
      assert.equal(refused.exitCode, 2)
      assertCleanFailure(refused)
      assert.match(refused.stderr, /^--source http:\/\/127\.0\.0\.1:9000\/jwks is plain http/)
      assert.equal(readFileSync(config, 'utf8'), initial)
      const allowed = await addHttp('--insecure-source')
      assert.equal(allowed.exitCode, 0, allowed.stderr)
      assert.match(allowed.stderr, /comes over plain http/)
    })

    it('remove takes it out and says the insecure validator is back; a second remove changes nothing', async () => {
      assert.equal(
        (await dapr(['mtls', 'token-validator', 'add', 'jwks', '--source', jwksFile(), ...at()])).exitCode,
        0,
      )
      const removed = await dapr(['mtls', 'token-validator', 'remove', 'jwks', ...at()])
      assert.equal(removed.exitCode, 0, removed.stderr)
      assert.match(removed.stderr, /turns its insecure validator back on/)
      assert.deepEqual(mtlsOf(), {enabled: true, workloadCertTTL: '24h', allowedClockSkew: '15m'})
      const removedText = readFileSync(config, 'utf8')
      const again = await dapr(['mtls', 'token-validator', 'remove', 'jwks', ...at()])
      assert.equal(again.exitCode, 0, again.stderr)
      assert.equal(again.stdout, `spec.mtls of ${config} already has these settings; nothing was written.`)
      assert.equal(readFileSync(config, 'utf8'), removedText)
      const builtIn = await dapr(['mtls', 'token-validator', 'remove', 'kubernetes', ...at()])
      assert.equal(builtIn.exitCode, 2)
      assertCleanFailure(builtIn)
    })

    it('refuses a second jwks validator: Sentry keeps one per name', async () => {
      assert.equal(
        (await dapr(['mtls', 'token-validator', 'add', 'jwks', '--source', jwksFile(), ...at()])).exitCode,
        0,
      )
      const before = readFileSync(config, 'utf8')
      const second = await dapr([
        'mtls',
        'token-validator',
        'add',
        'jwks',
        '--source',
        'https://other.example/jwks',
        ...at(),
      ])
      assert.equal(second.exitCode, 1)
      assertCleanFailure(second)
      assert.match(second.stderr, /a jwks validator is already configured.*\n.*token-validator remove jwks/)
      assert.equal(readFileSync(config, 'utf8'), before)
    })

    it('refuses a JWKS that publishes a private key, and the built-in validators, writing nothing', async () => {
      const leaked = path.join(dir, 'leaked.json')
      writeFileSync(
        leaked,
        JSON.stringify({keys: [{...generateSigningKey('ec').privateKey.export({format: 'jwk'}), kid: 'k'}]}),
      )
      const privateKey = await dapr(['mtls', 'token-validator', 'add', 'jwks', '--source', leaked, ...at()])
      assert.equal(privateKey.exitCode, 1)
      assertCleanFailure(privateKey)
      assert.match(privateKey.stderr, /key 1 \(kid k\) holds private or secret key material \("d"\)/)
      const builtIn = await dapr(['mtls', 'token-validator', 'add', 'kubernetes', '--source', leaked, ...at()])
      assert.equal(builtIn.exitCode, 2)
      assertCleanFailure(builtIn)
      assert.match(builtIn.stderr, /^the kubernetes validator is built into Sentry and cannot be configured/)
      assert.equal(readFileSync(config, 'utf8'), initial)
      assert.deepEqual(readdirSync(dir).sort(), ['config.yaml', 'leaked.json'])
    })
  })

  describe('with -k, refusals that need no cluster', () => {
    // No kubeconfig exists: a command that reached for the cluster would fail on that instead.
    const noCluster = () => ['-k', '--kubeconfig', path.join(dir, 'missing.kubeconfig')]

    for (const args of [
      ['mtls', 'set', '--workload-cert-ttl', '0s'],
      ['mtls', 'set'],
      ['mtls', 'set', '--workload-cert-ttl', '1h', '--force'],
      ['mtls', 'token-validator', 'add', 'insecure', '--source', 'https://x.example/j'],
      ['mtls', 'token-validator', 'add', 'jwks', '--source', 'http://x.example/j'],
      [
        'mtls',
        'token-validator',
        'add',
        'jwks',
        '--source',
        'https://x.example/j',
        '--jwks-min-refresh-interval',
        '500ms',
      ],
      ['mtls', 'set', '--workload-cert-ttl', '1h', '--config-file', '/tmp/config.yaml'],
    ]) {
      it(`refuses \`dapr ${args.join(' ')} -k\` before reaching the cluster (exit 2)`, async () => {
        const result = await dapr([...args, ...noCluster()])
        assert.equal(result.exitCode, 2, result.stderr)
        assertCleanFailure(result)
        assert.doesNotMatch(result.stderr, /kubeconfig/)
      })
    }
  })
})
