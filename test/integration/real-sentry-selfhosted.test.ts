// Every bundle the CLI writes to a certificates directory, judged by real Sentry 1.16.2 and 1.18.0: `init`,
// `renew-certificate` fresh, with `--private-key` in every key format the CLI reads, and with certificates brought
// by the user. Sentry must start on the directory, leave the three files byte-identical, and issue a workload
// certificate that verifies against the ca.crt the CLI wrote.
import assert from 'node:assert/strict'
import {cpSync, readFileSync} from 'node:fs'

import {SENTRY_VERSIONS} from '../dapr/binaries.js'
import {sentryVerdict} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'
import {type KeyFormat, type KeyType, OpenSslDir} from '../helpers/openssl.js'

describe('real Sentry on every bundle the CLI writes (self-hosted)', function () {
  this.timeout(180_000)
  let work: OpenSslDir

  before(() => {
    work = new OpenSslDir()
  })
  after(() => {
    work.cleanup()
  })

  /** A fresh directory made by `dapr init --enable-mtls`, copied to `name`. */
  let initCount = 0
  async function initDir(): Promise<string> {
    const dir = work.path(`init-${++initCount}`)
    const result = await dapr(['init', '--enable-mtls', '--certs-dir', dir, '--config-file', `${dir}.yaml`], {
      env: {HOME: work.dir},
    })
    assert.equal(result.exitCode, 0, result.stderr)
    return dir
  }

  async function judge(dir: string, what: string): Promise<void> {
    for (const version of SENTRY_VERSIONS) {
      const verdict = await sentryVerdict(version, dir)
      assert.ok(verdict.accepted, `Sentry ${version} refused ${what}: ${verdict.accepted ? '' : verdict.reason}`)
      assert.equal(verdict.signed.verified, true, `Sentry ${version}, ${what}: ${verdict.signed.error ?? ''}`)
      assert.deepEqual(verdict.changedFiles, [], `Sentry ${version} rewrote ${what}`)
    }
  }

  it('accepts what `dapr init --enable-mtls` writes', async () => {
    await judge(await initDir(), 'the init bundle')
  })

  it('accepts what a fresh `renew-certificate` writes', async () => {
    const dir = await initDir()
    const result = await dapr(['mtls', 'renew-certificate', '--certs-dir', dir], {env: {HOME: work.dir}})
    assert.equal(result.exitCode, 0, result.stderr)
    await judge(dir, 'the renewed bundle')
  })

  const keyForms: [string, KeyType, KeyFormat | undefined, (file: string) => void][] = [
    ['SEC1 P-256', 'ec-p256', 'sec1', () => undefined],
    [
      'SEC1 P-256 after an EC PARAMETERS block',
      'ec-p256',
      'sec1',
      (file) => {
        const params = work.openssl('ecparam', '-name', 'prime256v1')
        work.write(file, params + readFileSync(work.path(file), 'utf8'))
      },
    ],
    ['PKCS#8 P-384', 'ec-p384', 'pkcs8', () => undefined],
    ['PKCS#8 RSA-2048', 'rsa-2048', 'pkcs8', () => undefined],
    ['PKCS#1 RSA-2048', 'rsa-2048', 'pkcs1', () => undefined],
    ['PKCS#8 Ed25519', 'ed25519', 'pkcs8', () => undefined],
    [
      'encrypted PKCS#8 P-256',
      'ec-p256',
      'pkcs8',
      (file) => {
        work.openssl('pkcs8', '-topk8', '-in', file, '-out', `${file}.enc`, '-passout', 'pass:s3cret')
        cpSync(work.path(`${file}.enc`), work.path(file))
      },
    ],
    [
      'legacy encrypted SEC1 (Proc-Type: 4,ENCRYPTED)',
      'ec-p256',
      'sec1',
      (file) => {
        work.openssl('ec', '-in', file, '-out', `${file}.enc`, '-aes256', '-passout', 'pass:s3cret')
        assert.match(readFileSync(work.path(`${file}.enc`), 'utf8'), /Proc-Type: 4,ENCRYPTED/)
        cpSync(work.path(`${file}.enc`), work.path(file))
      },
    ],
  ]
  for (const [form, type, format, adjust] of keyForms) {
    it(`accepts a renewal with --private-key as ${form}`, async () => {
      const dir = await initDir()
      const file = `root-${type}-${format ?? 'default'}-${form.length}.key`
      work.key(file, type, format)
      adjust(file)
      const result = await dapr(['mtls', 'renew-certificate', '--certs-dir', dir, '--private-key', work.path(file)], {
        env: {HOME: work.dir, DAPR_MTLS_KEY_PASSPHRASE: 's3cret'},
      })
      assert.equal(result.exitCode, 0, result.stderr)
      await judge(dir, `the bundle renewed with a ${form} root key`)
    })
  }

  it('accepts certificates the user brings (made by openssl), as the CLI writes them', async () => {
    const dir = await initDir()
    work.key('byo-root.key', 'ec-p384', 'sec1')
    work.root('byo-ca.crt', {key: 'byo-root.key', subject: '/O=cluster.local', days: 400})
    work.key('byo-issuer.key', 'ec-p256', 'sec1')
    work.signed('byo-issuer.crt', {
      key: 'byo-issuer.key',
      subject: '/O=spiffe://cluster.local/ns/default/dapr-sentry',
      caCert: 'byo-ca.crt',
      caKey: 'byo-root.key',
      days: 300,
    })
    const result = await dapr(
      [
        'mtls',
        'renew-certificate',
        '--certs-dir',
        dir,
        ...work.byoFlags('byo-ca.crt', 'byo-issuer.crt', 'byo-issuer.key'),
      ],
      {env: {HOME: work.dir}},
    )
    assert.equal(result.exitCode, 0, result.stderr)
    await judge(dir, 'the brought bundle')
  })

  it('negative control: a directory whose key belongs to another issuer is refused by both versions', async () => {
    const [one, other] = [await initDir(), await initDir()]
    cpSync(`${other}/issuer.key`, `${one}/issuer.key`)
    for (const version of SENTRY_VERSIONS) {
      const verdict = await sentryVerdict(version, one)
      assert.equal(verdict.accepted, false)
      assert.match(verdict.accepted ? '' : verdict.reason, /issuer key does not match issuer certificate/)
    }
  })
})
