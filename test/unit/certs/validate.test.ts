import assert from 'node:assert/strict'

import {
  assertValidBundle,
  generateBundle,
  type TrustBundle,
  validateBundle,
  type ValidationProblem,
} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {OpenSslDir} from '../../helpers/openssl.js'

const minuteMs = 60 * 1000
const dayMs = 24 * 60 * minuteMs
const clockSkewMs = 15 * minuteMs

/** [rule, source] pairs: what a user reads first. */
function rulesOf(problems: ValidationProblem[]): [string, string][] {
  return problems.map((problem) => [problem.rule, problem.source])
}

function messageOf(problems: ValidationProblem[], rule: string): string {
  return problems.find((problem) => problem.rule === rule)?.message ?? `(no ${rule} problem)`
}

async function engineBundle(options: {validityDays?: number; now?: Date} = {}): Promise<TrustBundle> {
  const generated = await generateBundle({namespace: 'dapr-system', validityDays: 365, ...options})
  return generated.bundle
}

describe('validateBundle', () => {
  let dir: OpenSslDir
  beforeEach(() => {
    dir = new OpenSslDir()
  })
  afterEach(() => {
    dir.cleanup()
  })

  /** A root and issuer made with OpenSSL the way Dapr's docs show (SEC1 keys), with knobs to break them. */
  function opensslBundle(
    options: {
      prefix?: string
      rootDays?: number
      issuerDays?: number
      rootExtensions?: string
      issuerExtensions?: string
    } = {},
  ): TrustBundle {
    const p = options.prefix ?? ''
    dir.ecKey(`${p}root.key`)
    dir.root(`${p}ca.crt`, {
      key: `${p}root.key`,
      subject: '/O=dapr.io/sentry/CN=cluster.local',
      days: options.rootDays ?? 365,
      extensions: options.rootExtensions,
    })
    dir.ecKey(`${p}issuer.key`)
    dir.signed(`${p}issuer.crt`, {
      key: `${p}issuer.key`,
      subject: '/O=dapr.io/sentry/CN=cluster.local',
      days: options.issuerDays ?? 300,
      caCert: `${p}ca.crt`,
      caKey: `${p}root.key`,
      extensions: options.issuerExtensions,
    })
    return {
      rootCertPem: dir.read(`${p}ca.crt`),
      issuerCertPem: dir.read(`${p}issuer.crt`),
      issuerKeyPem: dir.read(`${p}issuer.key`),
    }
  }

  describe('accepts', () => {
    it('a bundle it generated, warning only that root and issuer expire together', async () => {
      const report = validateBundle(await engineBundle(), {clockSkewMs})
      assert.deepEqual(report.errors, [])
      assert.deepEqual(rulesOf(report.warnings), [['expiry-overlap', 'issuer.crt']])
      assert.match(messageOf(report.warnings, 'expiry-overlap'), /expires within a day of ca\.crt/)
    })

    it('a bundle made with OpenSSL as the Dapr docs show, with SEC1 keys', () => {
      assert.deepEqual(validateBundle(opensslBundle(), {clockSkewMs}), {errors: [], warnings: []})
    })

    it('a ca.crt with several roots, during a root rotation', async () => {
      const current = opensslBundle()
      const next = await engineBundle()
      const report = validateBundle({...current, rootCertPem: next.rootCertPem + current.rootCertPem}, {clockSkewMs})
      assert.deepEqual(report.errors, [])
    })

    it('an issuer.crt that ends with its root, which Sentry drops', () => {
      const bundle = opensslBundle()
      assert.deepEqual(
        validateBundle({...bundle, issuerCertPem: bundle.issuerCertPem + bundle.rootCertPem}, {clockSkewMs}).errors,
        [],
      )
    })

    it('an issuer signed by an intermediate CA listed after it in issuer.crt', () => {
      const bundle = opensslBundle({issuerExtensions: 'root'})
      dir.ecKey('leaf-ca.key')
      const leafCa = dir.signed('leaf-ca.crt', {
        key: 'leaf-ca.key',
        subject: '/O=leaf',
        days: 200,
        caCert: 'issuer.crt',
        caKey: 'issuer.key',
      })
      const report = validateBundle(
        {
          rootCertPem: bundle.rootCertPem,
          issuerCertPem: leafCa + bundle.issuerCertPem,
          issuerKeyPem: dir.read('leaf-ca.key'),
        },
        {clockSkewMs},
      )
      assert.deepEqual(report.errors, [])
    })
  })

  describe('refuses', () => {
    it('a ca.crt that is not PEM', async () => {
      const report = validateBundle({...(await engineBundle()), rootCertPem: 'hello\n'}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'ca.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /^holds no PEM certificate/)
    })

    it('a PEM block whose base64 is damaged', async () => {
      const bundle = await engineBundle()
      const damaged = bundle.issuerCertPem.replace(/\n(.{10})/, '\n!!!!!!!!!!')
      const report = validateBundle({...bundle, issuerCertPem: damaged}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'issuer.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /PEM block 1 \(CERTIFICATE\) is not valid base64/)
    })

    it('a CERTIFICATE block that does not hold a certificate', async () => {
      const bundle = await engineBundle()
      const report = validateBundle(
        {...bundle, rootCertPem: bundle.issuerKeyPem.replace(/PRIVATE KEY/g, 'CERTIFICATE')},
        {clockSkewMs},
      )
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'ca.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /^is not a valid X\.509 certificate/)
    })

    it('a private key pasted into ca.crt, which would be published in the ConfigMap', () => {
      const bundle = opensslBundle()
      const report = validateBundle({...bundle, rootCertPem: bundle.rootCertPem + bundle.issuerKeyPem}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'ca.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /PEM block 2 is an EC PRIVATE KEY, not a CERTIFICATE/)
    })

    it('an issuer key that does not match the issuer certificate', async () => {
      const bundle = await engineBundle()
      const other = await engineBundle()
      const report = validateBundle({...bundle, issuerKeyPem: other.issuerKeyPem}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-key-matches', 'issuer.key']])
    })

    it('an issuer signed by another root', () => {
      const first = opensslBundle({prefix: 'a-'})
      const second = opensslBundle({prefix: 'b-'})
      const report = validateBundle({...second, rootCertPem: first.rootCertPem}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-chains-to-anchor', 'issuer.crt']])
      assert.match(messageOf(report.errors, 'issuer-chains-to-anchor'), /is not signed by any certificate in ca\.crt/)
    })

    it('an issuer signed by the root key under a different root name', () => {
      const bundle = opensslBundle()
      const renamed = dir.root('renamed.crt', {key: 'root.key', subject: '/O=renamed', days: 365})
      const report = validateBundle({...bundle, rootCertPem: renamed}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-chains-to-anchor', 'issuer.crt']])
      assert.match(
        messageOf(report.errors, 'issuer-chains-to-anchor'),
        /signed by the key of ca\.crt but names its issuer/,
      )
    })

    it('a trust anchor that is not self-signed', () => {
      const bundle = opensslBundle()
      const report = validateBundle({...bundle, rootCertPem: bundle.rootCertPem + bundle.issuerCertPem}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['anchor-self-signed', 'ca.crt certificate 2']])
    })

    it('certificates that have expired', async () => {
      const bundle = await engineBundle({validityDays: 30, now: new Date(Date.now() - 31 * dayMs)})
      const report = validateBundle(bundle, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [
        ['validity-period', 'ca.crt'],
        ['validity-period', 'issuer.crt'],
      ])
      assert.match(messageOf(report.errors, 'validity-period'), /expired on \d{4}-\d\d-\d\dT/)
    })

    it('an expired root made by OpenSSL, checked at a later date', () => {
      const bundle = opensslBundle({rootDays: 2, issuerDays: 1})
      const report = validateBundle(bundle, {clockSkewMs, now: new Date(Date.now() + 3 * dayMs)})
      assert.deepEqual(rulesOf(report.errors), [
        ['validity-period', 'ca.crt'],
        ['validity-period', 'issuer.crt'],
      ])
    })

    it('certificates not valid yet beyond the clock skew, but not within it', async () => {
      const future = await engineBundle({now: new Date(Date.now() + 2 * 60 * minuteMs)})
      const report = validateBundle(future, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [
        ['validity-period', 'ca.crt'],
        ['validity-period', 'issuer.crt'],
      ])
      assert.match(messageOf(report.errors, 'validity-period'), /is not valid until .* beyond the allowed clock skew/)

      const nearFuture = await engineBundle({now: new Date(Date.now() + 20 * minuteMs)}) // notBefore = now + 5 min
      assert.deepEqual(validateBundle(nearFuture, {clockSkewMs: 10 * minuteMs}).errors, [])
      assert.equal(validateBundle(nearFuture, {clockSkewMs: 0}).errors.length, 2)
    })

    it('an issuer that is not a CA', () => {
      const report = validateBundle(opensslBundle({issuerExtensions: 'not_ca'}), {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [
        ['issuer-is-ca', 'issuer.crt'],
        ['issuer-is-ca', 'issuer.crt'],
      ])
      assert.match(report.errors[0]?.message ?? '', /not a CA certificate/)
      assert.match(report.errors[1]?.message ?? '', /keyUsage lacks keyCertSign/)
    })

    it('an issuer CA whose keyUsage does not allow signing certificates', () => {
      const report = validateBundle(opensslBundle({issuerExtensions: 'no_cert_sign'}), {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-is-ca', 'issuer.crt']])
    })

    it('a root whose path length leaves no room for the issuer', () => {
      const report = validateBundle(opensslBundle({rootExtensions: 'root_pathlen0'}), {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['anchor-path-length', 'ca.crt']])
    })

    it('an issuer that outlives its root', () => {
      const report = validateBundle(opensslBundle({rootDays: 10, issuerDays: 100}), {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-within-anchor', 'issuer.crt']])
      assert.deepEqual(rulesOf(report.warnings), [['short-validity', 'ca.crt']])
    })

    it('an encrypted issuer key, which Sentry cannot read', () => {
      const bundle = opensslBundle()
      const encrypted = dir.openssl('pkcs8', '-topk8', '-in', 'issuer.key', '-passout', 'pass:x')
      const report = validateBundle({...bundle, issuerKeyPem: encrypted}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-key-format', 'issuer.key']])
    })

    it('an issuer key behind an EC PARAMETERS block, since Sentry reads only the first block', () => {
      const bundle = opensslBundle()
      const withParameters = dir.openssl('ecparam', '-name', 'prime256v1') + bundle.issuerKeyPem
      const report = validateBundle({...bundle, issuerKeyPem: withParameters}, {clockSkewMs})
      assert.deepEqual(rulesOf(report.errors), [['issuer-key-format', 'issuer.key']])
      assert.match(messageOf(report.errors, 'issuer-key-format'), /starts with EC PARAMETERS/)
    })
  })

  describe('warns', () => {
    it('when certificates are valid for under 30 more days', async () => {
      const report = validateBundle(await engineBundle({validityDays: 29}), {clockSkewMs})
      assert.deepEqual(report.errors, [])
      assert.deepEqual(rulesOf(report.warnings), [
        ['short-validity', 'ca.crt'],
        ['short-validity', 'issuer.crt'],
        ['expiry-overlap', 'issuer.crt'],
      ])
      assert.match(messageOf(report.warnings, 'short-validity'), /expires in 28 days/)
    })

    it('when the issuer expires within a day of its root, and not when a day or more before', () => {
      const report = validateBundle(opensslBundle({rootDays: 100, issuerDays: 98}), {clockSkewMs})
      assert.deepEqual(report, {errors: [], warnings: []})
      const close = validateBundle(opensslBundle({prefix: 'close-', rootDays: 100, issuerDays: 99}), {clockSkewMs})
      assert.deepEqual(rulesOf(close.warnings), [['expiry-overlap', 'issuer.crt']])
    })
  })
})

describe('assertValidBundle', () => {
  it('throws the first error as one line naming the file and the rule, with a hint', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const other = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const sources = {rootCert: 'certs/ca.pem', issuerCert: 'certs/issuer.pem', issuerKey: 'certs/issuer-key.pem'}
    assert.throws(
      () => assertValidBundle({...bundle, issuerKeyPem: other.issuerKeyPem}, {clockSkewMs, sources}),
      (error: unknown) => {
        assert.ok(error instanceof UserError)
        assert.equal(error.exitCode, 1)
        assert.match(
          error.message,
          /^certs\/issuer-key\.pem: this key does not belong to certs\/issuer\.pem .* \(issuer-key-matches\)$/,
        )
        assert.doesNotMatch(error.message, /\n/)
        assert.ok(error.hint && error.hint.length > 0)
        return true
      },
    )
  })

  it('names an unreadable file once', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    assert.throws(
      () => assertValidBundle({...bundle, issuerKeyPem: 'not a key'}, {clockSkewMs}),
      /^UserError: issuer\.key: is not a PEM private key .*\(pem-format\)$/,
    )
  })

  it('counts the other errors', async () => {
    const bundle = (
      await generateBundle({namespace: 'dapr-system', validityDays: 1, now: new Date(Date.now() - 2 * dayMs)})
    ).bundle
    assert.throws(
      () => assertValidBundle(bundle, {clockSkewMs}),
      /^UserError: ca\.crt: .*\(validity-period\) \(and 1 more\)$/,
    )
  })

  it('returns the warnings of a valid bundle', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 20})).bundle
    const report = assertValidBundle(bundle, {clockSkewMs})
    assert.equal(report.errors.length, 0)
    assert.equal(report.warnings.length, 3)
  })
})

describe('validation hints', () => {
  it('name the files the user gave, not the default file names', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const other = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const sources = {rootCert: 'byo/root.pem', issuerCert: 'byo/intermediate.pem', issuerKey: 'byo/key.pem'}
    assert.throws(
      () => assertValidBundle({...bundle, issuerKeyPem: other.issuerKeyPem}, {clockSkewMs, sources}),
      (error: unknown) =>
        error instanceof UserError && error.hint === 'Give the private key that belongs to byo/intermediate.pem.',
    )
  })
})
