import assert from 'node:assert/strict'
import {createPrivateKey} from 'node:crypto'

import {generateBundle, type GeneratedBundle, parsePrivateKey} from '../../../src/lib/certs/index.js'
import {UsageError, UserError} from '../../../src/lib/errors.js'
import {OpenSslDir, rawSubject} from '../../helpers/openssl.js'

const minuteMs = 60 * 1000
const dayMs = 24 * 60 * minuteMs

function extensionsOf(dir: OpenSslDir, file: string): string {
  return dir.openssl('x509', '-in', file, '-noout', '-text')
}

/** The value line under an extension heading in `openssl x509 -text`, e.g. "CA:TRUE, pathlen:0". */
function extension(text: string, heading: string): {critical: boolean; value: string} {
  const match = new RegExp(`${heading}:( critical)?\\s*\\n\\s*(.+)`).exec(text)
  assert.ok(match, `no ${heading} in\n${text}`)
  return {critical: match[1] !== undefined, value: (match[2] ?? '').trim()}
}

function dates(dir: OpenSslDir, file: string): {notBefore: Date; notAfter: Date} {
  const output = dir.openssl('x509', '-in', file, '-noout', '-startdate', '-enddate', '-dateopt', 'iso_8601')
  const field = (name: string): Date => new Date((new RegExp(`${name}=(.+)`).exec(output)?.[1] ?? '').replace(' ', 'T'))
  return {notBefore: field('notBefore'), notAfter: field('notAfter')}
}

describe('generateBundle', () => {
  let dir: OpenSslDir
  beforeEach(() => {
    dir = new OpenSslDir()
  })
  afterEach(() => {
    dir.cleanup()
  })

  describe('with a new root key', () => {
    const now = new Date()
    let generated: GeneratedBundle
    let text: {root: string; issuer: string}
    beforeEach(async () => {
      generated = await generateBundle({
        trustDomain: 'example.org',
        namespace: 'dapr-prod',
        validityDays: 90,
        clockSkewMs: 5 * minuteMs,
        now,
      })
      dir.writeBundle(generated.bundle)
      text = {root: extensionsOf(dir, 'ca.crt'), issuer: extensionsOf(dir, 'issuer.crt')}
    })

    it('makes an issuer that OpenSSL verifies against the root', () => {
      assert.match(dir.openssl('verify', '-CAfile', 'ca.crt', 'issuer.crt'), /issuer\.crt: OK/)
    })

    it('makes the root a CA without a path length and the issuer a CA with pathlen 0, both critical', () => {
      assert.deepEqual(extension(text.root, 'X509v3 Basic Constraints'), {critical: true, value: 'CA:TRUE'})
      assert.deepEqual(extension(text.issuer, 'X509v3 Basic Constraints'), {
        critical: true,
        value: 'CA:TRUE, pathlen:0',
      })
    })

    it('allows both to sign certificates and CRLs, with a critical keyUsage', () => {
      for (const cert of [text.root, text.issuer]) {
        assert.deepEqual(extension(cert, 'X509v3 Key Usage'), {
          critical: true,
          value: 'Digital Signature, Certificate Sign, CRL Sign',
        })
      }
    })

    it("gives both a key identifier and points the issuer's authority key identifier at the root", () => {
      const rootSki = extension(text.root, 'X509v3 Subject Key Identifier').value
      const issuerSki = extension(text.issuer, 'X509v3 Subject Key Identifier').value
      assert.match(rootSki, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/)
      assert.notEqual(issuerSki, rootSki)
      assert.equal(extension(text.issuer, 'X509v3 Authority Key Identifier').value, rootSki)
      assert.doesNotMatch(text.root, /Authority Key Identifier/)
    })

    it('names the root after the trust domain and the issuer after the Sentry SPIFFE ID', () => {
      const subject = (file: string): string =>
        dir.openssl('x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253')
      assert.equal(subject('ca.crt').trim(), 'subject=O=example.org')
      assert.equal(subject('issuer.crt').trim(), 'subject=O=spiffe://example.org/ns/dapr-prod/dapr-sentry')
    })

    it('backdates notBefore by the clock skew and ends validity the given number of days from now', () => {
      for (const file of ['ca.crt', 'issuer.crt']) {
        const {notBefore, notAfter} = dates(dir, file)
        assert.ok(
          Math.abs(notBefore.getTime() - (now.getTime() - 5 * minuteMs)) < 1500,
          `${file} ${notBefore.toISOString()}`,
        )
        assert.ok(
          Math.abs(notAfter.getTime() - (now.getTime() + 90 * dayMs)) < 1500,
          `${file} ${notAfter.toISOString()}`,
        )
      }
    })

    it('gives each certificate its own random, positive 128-bit serial number', async () => {
      const serial = (file: string): string => dir.openssl('x509', '-in', file, '-noout', '-serial').trim().slice(7)
      const again = await generateBundle({namespace: 'dapr-prod', validityDays: 90})
      dir.writeBundle(again.bundle, 'again-')
      const serials = ['ca.crt', 'issuer.crt', 'again-ca.crt', 'again-issuer.crt'].map(serial)
      for (const value of serials) assert.match(value, /^[89A-F][0-9A-F]{31}$/)
      assert.equal(new Set(serials).size, 4)
      assert.match(dir.openssl('asn1parse', '-in', 'ca.crt'), /INTEGER\s+:[89A-F][0-9A-F]{31}\n/)
    })

    it('writes the issuer key as PKCS#8 matching the issuer certificate', () => {
      assert.match(generated.bundle.issuerKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
      assert.equal(dir.publicKeyOf('issuer.key'), dir.publicKeyOf('issuer.crt'))
      assert.notEqual(dir.publicKeyOf('issuer.key'), dir.publicKeyOf('ca.crt'))
    })

    it('returns the new root key as PKCS#8 so it can be saved', () => {
      assert.ok(generated.rootKeyPem)
      assert.match(generated.rootKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
      dir.write('root.key', generated.rootKeyPem)
      assert.equal(dir.publicKeyOf('root.key'), dir.publicKeyOf('ca.crt'))
    })

    it('ends every PEM with exactly one newline', () => {
      const {bundle, rootKeyPem} = generated
      for (const pem of [bundle.rootCertPem, bundle.issuerCertPem, bundle.issuerKeyPem, rootKeyPem ?? '']) {
        assert.match(pem, /-----\n$/)
        assert.doesNotMatch(pem, /\n\n$|\r/)
      }
    })
  })

  it('defaults to the cluster.local trust domain', async () => {
    const {bundle} = await generateBundle({namespace: 'dapr-system', validityDays: 365})
    dir.writeBundle(bundle)
    assert.equal(
      dir.openssl('x509', '-in', 'ca.crt', '-noout', '-subject', '-nameopt', 'RFC2253').trim(),
      'subject=O=cluster.local',
    )
    const issuerSubject = dir.openssl('x509', '-in', 'issuer.crt', '-noout', '-subject', '-nameopt', 'RFC2253').trim()
    assert.equal(issuerSubject, 'subject=O=spiffe://cluster.local/ns/dapr-system/dapr-sentry')
  })

  describe('reusing a root key', () => {
    it('keeps the root public key of a SEC1 key made by OpenSSL and returns no root key', async () => {
      const rootKey = parsePrivateKey(dir.ecKey('root.key'), 'root.key')
      const generated = await generateBundle({namespace: 'dapr-system', validityDays: 30, rootKey})
      dir.writeBundle(generated.bundle)
      assert.equal(dir.publicKeyOf('ca.crt'), dir.publicKeyOf('root.key'))
      assert.equal(generated.rootKeyPem, undefined)
      assert.match(dir.openssl('verify', '-CAfile', 'ca.crt', 'issuer.crt'), /OK/)
    })

    it("keeps the current root's subject and key identifier so old and new chains verify against either root", async () => {
      dir.ecKey('root.key')
      const oldRoot = dir.root('old-ca.crt', {
        key: 'root.key',
        subject: '/C=US/O=dapr.io/sentry/CN=cluster.local',
        days: 30,
      })
      dir.ecKey('old-issuer.key')
      dir.signed('old-issuer.crt', {
        key: 'old-issuer.key',
        subject: '/O=spiffe://cluster.local/ns/dapr-system/dapr-sentry',
        days: 20,
        caCert: 'old-ca.crt',
        caKey: 'root.key',
      })
      const rootKey = parsePrivateKey(dir.read('root.key'), 'root.key')
      const otherRoot = (await generateBundle({namespace: 'dapr-system', validityDays: 30})).bundle.rootCertPem

      const {bundle} = await generateBundle({
        namespace: 'dapr-system',
        validityDays: 365,
        rootKey,
        currentRoots: otherRoot + oldRoot,
      })
      dir.writeBundle(bundle)

      assert.deepEqual(rawSubject(bundle.rootCertPem), rawSubject(oldRoot))
      const subject = dir.openssl('x509', '-in', 'ca.crt', '-noout', '-subject', '-nameopt', 'RFC2253').trim()
      assert.equal(subject, 'subject=CN=cluster.local,O=dapr.io/sentry,C=US')
      const ski = (file: string): string => extension(extensionsOf(dir, file), 'X509v3 Subject Key Identifier').value
      assert.equal(ski('ca.crt'), ski('old-ca.crt'))
      assert.match(dir.openssl('verify', '-CAfile', 'old-ca.crt', 'issuer.crt'), /issuer\.crt: OK/)
      assert.match(dir.openssl('verify', '-CAfile', 'ca.crt', 'old-issuer.crt'), /old-issuer\.crt: OK/)
    })

    it('names the root after the trust domain when no current root has that key', async () => {
      const current = await generateBundle({namespace: 'dapr-system', validityDays: 30})
      const rootKey = parsePrivateKey(dir.ecKey('root.key'), 'root.key')
      const {bundle} = await generateBundle({
        trustDomain: 'example.org',
        namespace: 'dapr-system',
        validityDays: 30,
        rootKey,
        currentRoots: current.bundle.rootCertPem,
      })
      dir.writeBundle(bundle)
      assert.equal(
        dir.openssl('x509', '-in', 'ca.crt', '-noout', '-subject', '-nameopt', 'RFC2253').trim(),
        'subject=O=example.org',
      )
    })

    const otherKeys: [string, string[], RegExp][] = [
      ['EC P-384', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], /ecdsa-with-SHA384/],
      ['RSA 2048', ['genrsa', '-traditional', '2048'], /sha256WithRSAEncryption/],
      ['Ed25519', ['genpkey', '-algorithm', 'ED25519'], /ED25519/],
    ]
    for (const [name, command, signature] of otherKeys) {
      it(`signs with a matching algorithm when the root key is ${name}`, async () => {
        dir.write('root.key', dir.openssl(...command))
        const rootKey = parsePrivateKey(dir.read('root.key'), 'root.key')
        const {bundle} = await generateBundle({namespace: 'dapr-system', validityDays: 30, rootKey})
        dir.writeBundle(bundle)
        assert.match(dir.openssl('verify', '-CAfile', 'ca.crt', 'issuer.crt'), /issuer\.crt: OK/)
        assert.match(extensionsOf(dir, 'issuer.crt'), new RegExp(`Signature Algorithm: ${signature.source}`))
        assert.match(extensionsOf(dir, 'issuer.crt'), /NIST CURVE: P-256/)
        assert.equal(dir.publicKeyOf('ca.crt'), dir.publicKeyOf('root.key'))
      })
    }
  })

  describe('refuses bad settings', () => {
    it('refuses a validity under one day as a usage error', async () => {
      await assert.rejects(generateBundle({namespace: 'dapr-system', validityDays: 0}), (error: unknown) => {
        assert.ok(error instanceof UsageError)
        assert.equal(error.exitCode, 2)
        assert.match(error.message, /at least 1/)
        return true
      })
    })

    it('refuses a trust domain that is not a SPIFFE trust domain', async () => {
      await assert.rejects(
        generateBundle({trustDomain: 'Example.org/x', namespace: 'dapr-system', validityDays: 1}),
        (error: unknown) => error instanceof UserError && /trust domain "Example.org\/x"/.test(error.message),
      )
    })

    it('refuses a root key it cannot sign with', async () => {
      const rootKey = createPrivateKey(dir.openssl('genpkey', '-algorithm', 'X25519'))
      await assert.rejects(
        generateBundle({namespace: 'dapr-system', validityDays: 1, rootKey}),
        (error: unknown) => error instanceof UserError && /x25519/.test(error.message),
      )
    })
  })
})
