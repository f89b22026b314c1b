import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'

import {
  assertValidBundle,
  generateBundle,
  privateKeyToPem,
  type TrustBundle,
  validateBundle,
  type ValidationProblem,
} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {type KeyType, OpenSslDir} from '../../helpers/openssl.js'

const minuteMs = 60 * 1000
const dayMs = 24 * 60 * minuteMs

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
      rootDigest?: string
      issuerDigest?: string
      rootKeyType?: KeyType
      issuerKeyType?: KeyType
    } = {},
  ): TrustBundle {
    const p = options.prefix ?? ''
    dir.key(`${p}root.key`, options.rootKeyType ?? 'ec-p256')
    dir.root(`${p}ca.crt`, {
      key: `${p}root.key`,
      subject: '/O=dapr.io/sentry/CN=cluster.local',
      days: options.rootDays ?? 365,
      extensions: options.rootExtensions,
      digest: options.rootDigest,
    })
    dir.key(`${p}issuer.key`, options.issuerKeyType ?? 'ec-p256')
    dir.signed(`${p}issuer.crt`, {
      key: `${p}issuer.key`,
      subject: '/O=dapr.io/sentry/CN=cluster.local',
      days: options.issuerDays ?? 300,
      caCert: `${p}ca.crt`,
      caKey: `${p}root.key`,
      extensions: options.issuerExtensions,
      digest: options.issuerDigest,
    })
    return {
      rootCertPem: dir.read(`${p}ca.crt`),
      issuerCertPem: dir.read(`${p}issuer.crt`),
      issuerKeyPem: dir.read(`${p}issuer.key`),
    }
  }

  /** root -> intermediate (issuer.crt of opensslBundle, made a CA) -> issuer (leaf-ca.crt): the PEM of each. */
  function chain(rootExtensions?: string): {root: string; intermediate: string; issuer: string; issuerKey: string} {
    const bundle = opensslBundle({rootExtensions, issuerExtensions: 'root'})
    dir.ecKey('leaf-ca.key')
    const issuer = dir.signed('leaf-ca.crt', {
      key: 'leaf-ca.key',
      subject: '/O=leaf',
      days: 200,
      caCert: 'issuer.crt',
      caKey: 'issuer.key',
    })
    return {root: bundle.rootCertPem, intermediate: bundle.issuerCertPem, issuer, issuerKey: dir.read('leaf-ca.key')}
  }

  describe('accepts', () => {
    it('a bundle it generated, warning only that root and issuer expire together', async () => {
      const report = validateBundle(await engineBundle())
      assert.deepEqual(report.errors, [])
      assert.deepEqual(rulesOf(report.warnings), [['expiry-overlap', 'issuer.crt']])
      assert.match(messageOf(report.warnings, 'expiry-overlap'), /expires within a day of ca\.crt/)
    })

    it('a bundle made with OpenSSL as the Dapr docs show, with SEC1 keys', () => {
      assert.deepEqual(validateBundle(opensslBundle()), {errors: [], warnings: []})
    })

    it('a ca.crt with several roots, during a root rotation', async () => {
      const current = opensslBundle()
      const next = await engineBundle()
      const report = validateBundle({...current, rootCertPem: next.rootCertPem + current.rootCertPem})
      assert.deepEqual(report.errors, [])
    })

    it('an issuer.crt that ends with its root, which Sentry drops', () => {
      const bundle = opensslBundle()
      assert.deepEqual(validateBundle({...bundle, issuerCertPem: bundle.issuerCertPem + bundle.rootCertPem}).errors, [])
    })

    it('an issuer signed by an intermediate CA listed after it in issuer.crt', () => {
      const {root, intermediate, issuer, issuerKey} = chain()
      const report = validateBundle({rootCertPem: root, issuerCertPem: issuer + intermediate, issuerKeyPem: issuerKey})
      assert.deepEqual(report.errors, [])
    })
  })

  describe('refuses', () => {
    it('a ca.crt that is not PEM', async () => {
      const report = validateBundle({...(await engineBundle()), rootCertPem: 'hello\n'})
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'ca.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /^holds no PEM certificate/)
    })

    it('a PEM block whose base64 is damaged', async () => {
      const bundle = await engineBundle()
      const damaged = bundle.issuerCertPem.replace(/\n(.{10})/, '\n!!!!!!!!!!')
      const report = validateBundle({...bundle, issuerCertPem: damaged})
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'issuer.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /PEM block 1 \(CERTIFICATE\) is not valid base64/)
    })

    it('a CERTIFICATE block that does not hold a certificate', async () => {
      const bundle = await engineBundle()
      const report = validateBundle(
        {...bundle, rootCertPem: bundle.issuerKeyPem.replace(/PRIVATE KEY/g, 'CERTIFICATE')},
        {},
      )
      assert.deepEqual(rulesOf(report.errors), [['pem-format', 'ca.crt']])
      assert.match(messageOf(report.errors, 'pem-format'), /^is not a valid X\.509 certificate/)
    })

    it('a private key pasted into ca.crt, which would be published in the ConfigMap', () => {
      const bundle = opensslBundle()
      const report = validateBundle({...bundle, rootCertPem: bundle.rootCertPem + bundle.issuerKeyPem})
      assert.deepEqual(rulesOf(report.errors), [['non-certificate-block', 'ca.crt']])
      assert.match(
        messageOf(report.errors, 'non-certificate-block'),
        /PEM block 2 is an EC PRIVATE KEY, not a CERTIFICATE; Sentry ignores it and every block after it/,
      )
    })

    it('an issuer key that does not match the issuer certificate', async () => {
      const bundle = await engineBundle()
      const other = await engineBundle()
      const report = validateBundle({...bundle, issuerKeyPem: other.issuerKeyPem})
      assert.deepEqual(rulesOf(report.errors), [['issuer-key-matches', 'issuer.key']])
    })

    it('an issuer signed by another root', () => {
      const first = opensslBundle({prefix: 'a-'})
      const second = opensslBundle({prefix: 'b-'})
      const report = validateBundle({...second, rootCertPem: first.rootCertPem})
      assert.deepEqual(rulesOf(report.errors), [['issuer-chains-to-anchor', 'issuer.crt']])
      assert.match(messageOf(report.errors, 'issuer-chains-to-anchor'), /is not signed by any certificate in ca\.crt/)
    })

    it('an issuer signed by the root key under a different root name', () => {
      const bundle = opensslBundle()
      const renamed = dir.root('renamed.crt', {key: 'root.key', subject: '/O=renamed', days: 365})
      const report = validateBundle({...bundle, rootCertPem: renamed})
      assert.deepEqual(rulesOf(report.errors), [['issuer-chains-to-anchor', 'issuer.crt']])
      assert.match(
        messageOf(report.errors, 'issuer-chains-to-anchor'),
        /signed by the key of ca\.crt but names its issuer/,
      )
    })

    it('a trust anchor that is not self-signed', () => {
      const bundle = opensslBundle()
      const report = validateBundle({...bundle, rootCertPem: bundle.rootCertPem + bundle.issuerCertPem})
      assert.deepEqual(rulesOf(report.errors), [['anchor-self-signed', 'ca.crt certificate 2']])
    })

    it('certificates that have expired', async () => {
      const bundle = await engineBundle({validityDays: 30, now: new Date(Date.now() - 31 * dayMs)})
      const report = validateBundle(bundle)
      assert.deepEqual(rulesOf(report.errors), [
        ['validity-period', 'ca.crt'],
        ['validity-period', 'issuer.crt'],
      ])
      assert.match(messageOf(report.errors, 'validity-period'), /expired on \d{4}-\d\d-\d\dT/)
    })

    it('an expired root made by OpenSSL, checked at a later date', () => {
      const bundle = opensslBundle({rootDays: 2, issuerDays: 1})
      const report = validateBundle(bundle, {now: new Date(Date.now() + 3 * dayMs)})
      assert.deepEqual(rulesOf(report.errors), [
        ['validity-period', 'ca.crt'],
        ['validity-period', 'issuer.crt'],
      ])
    })

    it('certificates not valid yet, even by minutes: Sentry verifies at its own clock, with no skew', async () => {
      const nearFuture = await engineBundle({now: new Date(Date.now() + 20 * minuteMs)}) // notBefore = now + 5 min
      const report = validateBundle(nearFuture)
      assert.deepEqual(rulesOf(report.errors), [
        ['validity-period', 'ca.crt'],
        ['validity-period', 'issuer.crt'],
      ])
      assert.match(messageOf(report.errors, 'validity-period'), /is not valid until \d{4}-/)
      // Negative control: the same bundle once its notBefore has passed.
      assert.deepEqual(validateBundle(nearFuture, {now: new Date(Date.now() + 6 * minuteMs)}).errors, [])
    })

    it('an issuer that is not a CA', () => {
      const report = validateBundle(opensslBundle({issuerExtensions: 'not_ca'}))
      assert.deepEqual(rulesOf(report.errors), [
        ['issuer-is-ca', 'issuer.crt'],
        ['issuer-is-ca', 'issuer.crt'],
      ])
      assert.match(report.errors[0]?.message ?? '', /not a CA certificate/)
      assert.match(report.errors[1]?.message ?? '', /keyUsage lacks keyCertSign/)
    })

    it('an issuer CA whose keyUsage does not allow signing certificates', () => {
      const report = validateBundle(opensslBundle({issuerExtensions: 'no_cert_sign'}))
      assert.deepEqual(rulesOf(report.errors), [['issuer-is-ca', 'issuer.crt']])
    })

    it('a root whose path length leaves no room for the issuer', () => {
      const report = validateBundle(opensslBundle({rootExtensions: 'root_pathlen0'}))
      assert.deepEqual(rulesOf(report.errors), [['anchor-path-length', 'ca.crt']])
    })

    it('an issuer that outlives its root', () => {
      const report = validateBundle(opensslBundle({rootDays: 10, issuerDays: 100}))
      assert.deepEqual(rulesOf(report.errors), [['issuer-within-anchor', 'issuer.crt']])
      assert.deepEqual(rulesOf(report.warnings), [['short-validity', 'ca.crt']])
    })

    it('an encrypted issuer key, which Sentry cannot read', () => {
      const bundle = opensslBundle()
      const encrypted = dir.openssl('pkcs8', '-topk8', '-in', 'issuer.key', '-passout', 'pass:x')
      const report = validateBundle({...bundle, issuerKeyPem: encrypted})
      assert.deepEqual(rulesOf(report.errors), [['issuer-key-format', 'issuer.key']])
    })

    it('an issuer key behind an EC PARAMETERS block, since Sentry reads only the first block', () => {
      const bundle = opensslBundle()
      const withParameters = dir.openssl('ecparam', '-name', 'prime256v1') + bundle.issuerKeyPem
      const report = validateBundle({...bundle, issuerKeyPem: withParameters})
      assert.deepEqual(rulesOf(report.errors), [['issuer-key-format', 'issuer.key']])
      assert.match(messageOf(report.errors, 'issuer-key-format'), /starts with EC PARAMETERS/)
    })
  })

  describe('extended key usage, as Go checks serverAuth along the chain', () => {
    beforeEach(() => {
      dir.profile('eku_client', ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = clientAuth'])
      dir.profile('eku_server_client', [
        'basicConstraints = critical,CA:TRUE',
        'extendedKeyUsage = serverAuth,clientAuth',
      ])
      dir.profile('eku_any', ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = anyExtendedKeyUsage'])
    })

    it('refuses an issuer whose EKU is clientAuth only, and accepts serverAuth or anyExtendedKeyUsage', () => {
      const report = validateBundle(opensslBundle({issuerExtensions: 'eku_client'}))
      assert.deepEqual(rulesOf(report.errors), [['extended-key-usage', 'issuer.crt']])
      assert.match(messageOf(report.errors, 'extended-key-usage'), /extendedKeyUsage clientAuth; .* serverAuth/)
      assert.deepEqual(validateBundle(opensslBundle({prefix: 'sc-', issuerExtensions: 'eku_server_client'})).errors, [])
      assert.deepEqual(validateBundle(opensslBundle({prefix: 'any-', issuerExtensions: 'eku_any'})).errors, [])
    })

    it('counts the root too, as Go does', () => {
      const report = validateBundle(opensslBundle({rootExtensions: 'eku_client'}))
      assert.deepEqual(rulesOf(report.errors), [['extended-key-usage', 'ca.crt']])
      assert.deepEqual(validateBundle(opensslBundle({prefix: 'ok-', rootExtensions: 'eku_any'})).errors, [])
    })

    it('passes when one of two roots with the same name and key allows serverAuth, as Go tries both', () => {
      const bundle = opensslBundle({rootExtensions: 'eku_client'})
      const twin = dir.root('twin.crt', {key: 'root.key', subject: '/O=dapr.io/sentry/CN=cluster.local', days: 365})
      assert.deepEqual(validateBundle({...bundle, rootCertPem: bundle.rootCertPem + twin}).errors, [])
    })
  })

  describe('signature algorithms Go refuses', () => {
    it('refuses an issuer signed with ecdsa-with-SHA1, and accepts SHA-384', () => {
      const report = validateBundle(opensslBundle({issuerDigest: 'sha1'}))
      assert.deepEqual(rulesOf(report.errors), [['insecure-signature', 'issuer.crt']])
      assert.match(messageOf(report.errors, 'insecure-signature'), /signed with ECDSA-SHA1, an insecure algorithm/)
      assert.deepEqual(validateBundle(opensslBundle({prefix: 'sha384-', issuerDigest: 'sha384'})).errors, [])
    })

    it("refuses a root whose self-signature is SHA-1 or MD5, since Sentry's anchor check fails", () => {
      const sha1 = validateBundle(opensslBundle({rootDigest: 'sha1'}))
      assert.deepEqual(rulesOf(sha1.errors), [['insecure-signature', 'ca.crt']])
      const md5 = validateBundle(opensslBundle({prefix: 'md5-', rootKeyType: 'rsa-2048', rootDigest: 'md5'}))
      assert.match(messageOf(md5.errors, 'insecure-signature'), /signed with MD5-RSA/)
      const sha256 = validateBundle(opensslBundle({prefix: 'rsa-', rootKeyType: 'rsa-2048', rootDigest: 'sha256'}))
      assert.deepEqual(sha256.errors, [])
    })
  })

  describe('trust anchors', () => {
    /** A root valid from `from` to `to` days from now (dated by `openssl ca`), with its own key. */
    function datedRoot(name: string, from: number, to: number): string {
      dir.ecKey(`${name}.key`)
      const date = (days: number) =>
        new Date(Date.now() + days * dayMs)
          .toISOString()
          .replace(/[-:T]/g, '')
          .replace(/\.\d{3}Z$/, 'Z')
      return dir.root(`${name}.crt`, {
        key: `${name}.key`,
        subject: `/O=${name}`,
        startDate: date(from),
        endDate: date(to),
      })
    }

    it('accept an expired extra root with a warning that it can be pruned', () => {
      const bundle = opensslBundle()
      const report = validateBundle({...bundle, rootCertPem: datedRoot('old', -400, -2) + bundle.rootCertPem})
      assert.deepEqual(report.errors, [])
      assert.deepEqual(rulesOf(report.warnings), [['anchor-expired', 'ca.crt certificate 1']])
      assert.match(
        messageOf(report.warnings, 'anchor-expired'),
        /expired on .*; the issuer chains to another root, so it can be pruned/,
      )
    })

    it('refuse an expired root when it is the only one the issuer chains to', () => {
      const old = datedRoot('only', -400, -2)
      dir.ecKey('under-old.key')
      const issuer = dir.signed('under-old.crt', {
        key: 'under-old.key',
        subject: '/O=under-old',
        days: 30,
        caCert: 'only.crt',
        caKey: 'only.key',
      })
      const report = validateBundle({rootCertPem: old, issuerCertPem: issuer, issuerKeyPem: dir.read('under-old.key')})
      assert.deepEqual(rulesOf(report.errors), [['validity-period', 'ca.crt']])
      assert.match(
        messageOf(report.errors, 'validity-period'),
        /expired on .*, and no other root in ca\.crt verifies issuer\.crt/,
      )
      assert.deepEqual(
        report.warnings.filter((w) => w.rule === 'anchor-expired'),
        [],
      )
    })

    it('accept a root that is not valid yet with a warning, as Sentry checks only its self-signature', () => {
      const bundle = opensslBundle()
      const report = validateBundle({...bundle, rootCertPem: bundle.rootCertPem + datedRoot('next', 10, 400)})
      assert.deepEqual(report.errors, [])
      assert.deepEqual(rulesOf(report.warnings), [['anchor-not-yet-valid', 'ca.crt certificate 2']])
    })

    it('refuse a root that may not sign certificates', () => {
      const report = validateBundle(opensslBundle({rootExtensions: 'no_cert_sign'}))
      assert.deepEqual(rulesOf(report.errors), [['anchor-is-ca', 'ca.crt']])
      assert.match(messageOf(report.errors, 'anchor-is-ca'), /keyUsage lacks keyCertSign/)
    })

    it('stop where Sentry stops reading: a root after another kind of block is not an anchor', () => {
      const first = opensslBundle({prefix: 'a-'})
      const second = opensslBundle({prefix: 'b-'})
      const publicKey = dir.publicKeyOf('a-root.key')
      const anchors = first.rootCertPem + publicKey + second.rootCertPem
      const before = validateBundle({...second, rootCertPem: anchors})
      assert.deepEqual(rulesOf(before.errors), [
        ['non-certificate-block', 'ca.crt'],
        ['issuer-chains-to-anchor', 'issuer.crt'],
      ])
      const after = validateBundle({...first, rootCertPem: anchors})
      assert.deepEqual(rulesOf(after.errors), [['non-certificate-block', 'ca.crt']])
    })
  })

  describe('the issuer chain, as Sentry reads issuer.crt', () => {
    it('refuses intermediates listed before the issuer', () => {
      const {root, intermediate, issuer, issuerKey} = chain()
      const report = validateBundle({rootCertPem: root, issuerCertPem: intermediate + issuer, issuerKeyPem: issuerKey})
      assert.deepEqual(rulesOf(report.errors), [['issuer-chain-order', 'issuer.crt certificate 1']])
      const leafFirst = validateBundle({
        rootCertPem: root,
        issuerCertPem: issuer + intermediate,
        issuerKeyPem: issuerKey,
      })
      assert.deepEqual(leafFirst.errors, [])
    })

    it('refuses a root pathlen:0 above an intermediate, as Go does', () => {
      const {root, intermediate, issuer, issuerKey} = chain('root_pathlen0')
      const report = validateBundle({rootCertPem: root, issuerCertPem: issuer + intermediate, issuerKeyPem: issuerKey})
      assert.deepEqual(rulesOf(report.errors), [['anchor-path-length', 'ca.crt']])
      assert.match(messageOf(report.errors, 'anchor-path-length'), /too short for this chain; Sentry refuses it/)
    })

    it('refuses an issuer that is itself the root', () => {
      const bundle = opensslBundle()
      const report = validateBundle({
        rootCertPem: bundle.rootCertPem,
        issuerCertPem: bundle.rootCertPem,
        issuerKeyPem: dir.read('root.key'),
      })
      assert.deepEqual(rulesOf(report.errors), [['issuer-is-root', 'issuer.crt']])
    })

    it('accepts the Dapr docs recipe, whose root and issuer share one subject', () => {
      dir.profile('docs', [
        'basicConstraints = critical,CA:true',
        'keyUsage = critical,digitalSignature,cRLSign,keyCertSign',
        'extendedKeyUsage = serverAuth,clientAuth',
      ])
      const bundle = opensslBundle({rootExtensions: 'docs', issuerExtensions: 'docs'})
      assert.equal(bundle.rootCertPem === bundle.issuerCertPem, false)
      assert.deepEqual(validateBundle(bundle).errors, [])
      // Negative control: the same subject, signed by a key that is not the root's.
      dir.ecKey('impostor.key')
      const impostor = dir.root('impostor.crt', {
        key: 'impostor.key',
        subject: '/O=dapr.io/sentry/CN=cluster.local',
        days: 365,
        extensions: 'docs',
      })
      const report = validateBundle({...bundle, rootCertPem: impostor})
      assert.deepEqual(rulesOf(report.errors), [['issuer-chains-to-anchor', 'issuer.crt']])
    })

    it('refuses a critical extension Go does not know, and accepts it when not critical', () => {
      dir.profile('unknown_critical', [
        'basicConstraints = critical,CA:TRUE',
        '1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:x',
      ])
      dir.profile('unknown_plain', ['basicConstraints = critical,CA:TRUE', '1.3.6.1.4.1.55555.1 = ASN1:UTF8String:x'])
      const report = validateBundle(opensslBundle({issuerExtensions: 'unknown_critical'}))
      assert.deepEqual(rulesOf(report.errors), [['critical-extension', 'issuer.crt']])
      assert.deepEqual(validateBundle(opensslBundle({prefix: 'plain-', issuerExtensions: 'unknown_plain'})).errors, [])
    })
  })

  describe('issuer key types, by Sentry version', () => {
    it('refuses an Ed25519 issuer key for 1.16.2 and for an unknown version, and accepts it for 1.18.0', () => {
      const bundle = opensslBundle({issuerKeyType: 'ed25519'})
      const unknown = validateBundle(bundle)
      assert.deepEqual(rulesOf(unknown.errors), [['issuer-key-type', 'issuer.key']])
      assert.match(
        messageOf(unknown.errors, 'issuer-key-type'),
        /Ed25519, and an unknown Sentry version is taken to sign only with ECDSA issuer keys/,
      )
      assert.match(
        messageOf(validateBundle(bundle, {sentryVersion: '1.16.2'}).errors, 'issuer-key-type'),
        /Sentry 1\.16\.2 signs only/,
      )
      assert.deepEqual(validateBundle(bundle, {sentryVersion: '1.18.0'}).errors, [])
    })

    it('refuses an RSA issuer key before 1.18, and accepts a P-384 key everywhere', () => {
      const rsa = opensslBundle({issuerKeyType: 'rsa-2048'})
      assert.deepEqual(rulesOf(validateBundle(rsa, {sentryVersion: '1.17.0'}).errors), [
        ['issuer-key-type', 'issuer.key'],
      ])
      assert.deepEqual(validateBundle(rsa, {sentryVersion: '1.18.0'}).errors, [])
      assert.deepEqual(validateBundle(opensslBundle({prefix: 'p384-', issuerKeyType: 'ec-p384'})).errors, [])
    })
  })

  describe('RSA key size (ours)', () => {
    it('refuses a 1024-bit RSA root, which Go accepts, and accepts 2048 bits', () => {
      const report = validateBundle(opensslBundle({rootKeyType: 'rsa-1024', rootDigest: 'sha256'}))
      assert.deepEqual(rulesOf(report.errors), [['rsa-key-size', 'ca.crt']])
      assert.match(messageOf(report.errors, 'rsa-key-size'), /1024-bit RSA key/)
      assert.deepEqual(
        validateBundle(opensslBundle({prefix: '2048-', rootKeyType: 'rsa-2048', rootDigest: 'sha256'})).errors,
        [],
      )
    })
  })

  describe('warns', () => {
    it('when certificates are valid for under 30 more days', async () => {
      const report = validateBundle(await engineBundle({validityDays: 29}))
      assert.deepEqual(report.errors, [])
      assert.deepEqual(rulesOf(report.warnings), [
        ['short-validity', 'ca.crt'],
        ['short-validity', 'issuer.crt'],
        ['expiry-overlap', 'issuer.crt'],
      ])
      assert.match(messageOf(report.warnings, 'short-validity'), /expires in 28 days/)
    })

    it('when the issuer expires within a day of its root, and not when a day or more before', () => {
      const report = validateBundle(opensslBundle({rootDays: 100, issuerDays: 98}))
      assert.deepEqual(report, {errors: [], warnings: []})
      const close = validateBundle(opensslBundle({prefix: 'close-', rootDays: 100, issuerDays: 99}))
      assert.deepEqual(rulesOf(close.warnings), [['expiry-overlap', 'issuer.crt']])
    })

    it('when the issuer outlives its root by seconds, as two certificates made one after the other do', () => {
      // OpenSSL's YYYYMMDDHHMMSSZ, `ms` from a fixed end 100 days away.
      const end = Date.now() + 100 * 86_400_000
      const at = (ms: number) =>
        new Date(Math.floor((end + ms) / 1000) * 1000).toISOString().replace(/[-:T]|\.\d{3}/g, '')
      const start = at(-200 * 86_400_000)
      const bundle = (prefix: string, issuerOutlivesBy: number): TrustBundle => {
        dir.key(`${prefix}root.key`, 'ec-p256')
        dir.root(`${prefix}ca.crt`, {key: `${prefix}root.key`, subject: '/O=root', startDate: start, endDate: at(0)})
        dir.key(`${prefix}issuer.key`, 'ec-p256')
        dir.signed(`${prefix}issuer.crt`, {
          key: `${prefix}issuer.key`,
          subject: '/O=issuer',
          startDate: start,
          endDate: at(issuerOutlivesBy),
          caCert: `${prefix}ca.crt`,
          caKey: `${prefix}root.key`,
        })
        const read = (file: string) => dir.read(`${prefix}${file}`)
        return {rootCertPem: read('ca.crt'), issuerCertPem: read('issuer.crt'), issuerKeyPem: read('issuer.key')}
      }
      const seconds = validateBundle(bundle('seconds-', 2000))
      assert.deepEqual(seconds.errors, [])
      assert.deepEqual(rulesOf(seconds.warnings), [['expiry-overlap', 'issuer.crt']])
      // Negative control: two hours later is an issuer that outlives its root.
      const hours = validateBundle(bundle('hours-', 2 * 3_600_000))
      assert.deepEqual(rulesOf(hours.errors), [['issuer-within-anchor', 'issuer.crt']])
    })
  })
})

describe('assertValidBundle', () => {
  it('throws the first error as one line naming the file and the rule, with a hint', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const other = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const sources = {rootCert: 'certs/ca.pem', issuerCert: 'certs/issuer.pem', issuerKey: 'certs/issuer-key.pem'}
    assert.throws(
      () => assertValidBundle({...bundle, issuerKeyPem: other.issuerKeyPem}, {sources}),
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
      () => assertValidBundle({...bundle, issuerKeyPem: 'not a key'}),
      /^UserError: issuer\.key: is not a PEM private key .*\(pem-format\)$/,
    )
  })

  it('counts the other errors', async () => {
    const bundle = (
      await generateBundle({namespace: 'dapr-system', validityDays: 1, now: new Date(Date.now() - 2 * dayMs)})
    ).bundle
    assert.throws(() => assertValidBundle(bundle), /^UserError: ca\.crt: .*\(validity-period\) \(and 1 more\)$/)
  })

  it('returns the warnings of a valid bundle', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 20})).bundle
    const report = assertValidBundle(bundle)
    assert.equal(report.errors.length, 0)
    assert.equal(report.warnings.length, 3)
  })
})

describe('validation hints', () => {
  it('for the issuer key type, offer --sentry-version only when the version is unknown', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const ed25519 = privateKeyToPem(generateKeyPairSync('ed25519').privateKey)
    const hintFor = (sentryVersion?: string) => {
      try {
        assertValidBundle({...bundle, issuerKeyPem: ed25519}, {sentryVersion})
      } catch (error) {
        if (error instanceof UserError) return error.hint ?? ''
      }
      return '(accepted)'
    }
    assert.match(hintFor(), /add --sentry-version 1\.18\.0 if your Sentry is 1\.18\.0 or later/)
    assert.match(hintFor('1.16.2'), /upgrade Dapr to 1\.18\.0/)
    assert.doesNotMatch(hintFor('1.16.2'), /--sentry-version/)
  })

  it('name the files the user gave, not the default file names', async () => {
    const bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const other = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    const sources = {rootCert: 'byo/root.pem', issuerCert: 'byo/intermediate.pem', issuerKey: 'byo/key.pem'}
    assert.throws(
      () => assertValidBundle({...bundle, issuerKeyPem: other.issuerKeyPem}, {sources}),
      (error: unknown) =>
        error instanceof UserError && error.hint === 'Give the private key that belongs to byo/intermediate.pem.',
    )
  })
})
