import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'

import {
  type CertificateInfo,
  describeBundle,
  expiryLevel,
  generateBundle,
  type TrustBundle,
} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {OpenSslDir} from '../../helpers/openssl.js'

const minuteMs = 60 * 1000
const hourMs = 60 * minuteMs
const dayMs = 24 * hourMs

describe('describeBundle', () => {
  let dir: OpenSslDir
  const now = new Date('2031-03-04T05:06:07Z')
  let bundle: TrustBundle
  before(async () => {
    dir = new OpenSslDir()
    bundle = (await generateBundle({namespace: 'dapr-system', validityDays: 10, clockSkewMs: 15 * minuteMs, now}))
      .bundle
    dir.writeBundle(bundle)
  })
  after(() => {
    dir.cleanup()
  })

  it('lists the root, then the issuer, with their names, dates and keys', () => {
    const [root, issuer, ...rest] = describeBundle(bundle, now)
    assert.deepEqual(rest, [])
    assert.ok(root && issuer)
    assert.deepEqual(
      [root.role, root.subject, root.issuer, root.selfSigned, root.keyAlgorithm],
      ['root', 'O=cluster.local', 'O=cluster.local', true, 'ECDSA P-256'],
    )
    assert.deepEqual(
      [issuer.role, issuer.subject, issuer.issuer, issuer.selfSigned],
      ['issuer', 'O=spiffe://cluster.local/ns/dapr-system/dapr-sentry', 'O=cluster.local', false],
    )
    assert.equal(root.notBefore.toISOString(), '2031-03-04T04:51:07.000Z')
    assert.equal(root.notAfter.toISOString(), '2031-03-14T05:06:07.000Z')
  })

  it('gives the SHA-256 fingerprint and serial number as OpenSSL prints them', () => {
    const [root, issuer] = describeBundle(bundle, now)
    for (const [info, file] of [
      [root, 'ca.crt'],
      [issuer, 'issuer.crt'],
    ] as const) {
      const fingerprint = dir.openssl('x509', '-in', file, '-noout', '-fingerprint', '-sha256').trim()
      assert.equal(`sha256 Fingerprint=${info?.sha256Fingerprint ?? ''}`, fingerprint)
      const serial = dir.openssl('x509', '-in', file, '-noout', '-serial').trim()
      assert.equal(`serial=${(info?.serialNumber ?? '').toUpperCase()}`, serial)
    }
  })

  it('hashes the public key so callers can tell whether a root kept its key', () => {
    const [root] = describeBundle(bundle, now)
    dir.openssl('x509', '-in', 'ca.crt', '-noout', '-pubkey', '-out', 'root.pub')
    dir.openssl('pkey', '-pubin', '-in', 'root.pub', '-outform', 'DER', '-out', 'root.pub.der')
    assert.equal(root?.spkiSha256, createHash('sha256').update(dir.readBinary('root.pub.der')).digest('hex'))
  })

  it('counts whole hours and days left, rounding down', () => {
    const left = (at: Date): [number, number] => {
      const [root] = describeBundle(bundle, at)
      return [root?.hoursLeft ?? NaN, root?.daysLeft ?? NaN]
    }
    assert.deepEqual(left(now), [240, 10])
    assert.deepEqual(left(new Date(now.getTime() + 36 * hourMs + 30 * minuteMs)), [203, 8])
    assert.deepEqual(left(new Date(now.getTime() + 10 * dayMs - 30 * minuteMs)), [0, 0])
    assert.deepEqual(left(new Date(now.getTime() + 10 * dayMs + 10 * minuteMs)), [-1, -1])
    assert.deepEqual(left(new Date(now.getTime() + 12 * dayMs)), [-48, -2])
  })

  it('lists every root of a ca.crt that holds several', async () => {
    const next = (await generateBundle({trustDomain: 'next.example', namespace: 'dapr-system', validityDays: 20, now}))
      .bundle
    const infos = describeBundle({...bundle, rootCertPem: next.rootCertPem + bundle.rootCertPem}, now)
    assert.deepEqual(
      infos.map((info) => [info.role, info.subject, info.daysLeft]),
      [
        ['root', 'O=next.example', 20],
        ['root', 'O=cluster.local', 10],
        ['issuer', 'O=spiffe://cluster.local/ns/dapr-system/dapr-sentry', 10],
      ],
    )
  })

  it('describes an RSA root and an Ed25519 issuer made with OpenSSL, as the official CLI now makes them', () => {
    dir.write('rsa-root.key', dir.openssl('genrsa', '-traditional', '2048'))
    const rootCertPem = dir.root('rsa-ca.crt', {key: 'rsa-root.key', subject: '/O=cluster.local', days: 30})
    dir.write('ed.key', dir.openssl('genpkey', '-algorithm', 'ED25519'))
    const issuerCertPem = dir.signed('ed-issuer.crt', {
      key: 'ed.key',
      subject: '/O=spiffe://cluster.local/ns/dapr-system/dapr-sentry',
      days: 30,
      caCert: 'rsa-ca.crt',
      caKey: 'rsa-root.key',
    })
    const [root, issuer] = describeBundle({rootCertPem, issuerCertPem})
    assert.equal(root?.keyAlgorithm, 'RSA 2048')
    assert.equal(issuer?.keyAlgorithm, 'Ed25519')
    assert.equal(issuer?.daysLeft, 29)
  })

  it('names the file it cannot read', () => {
    assert.throws(
      () => describeBundle({rootCertPem: bundle.rootCertPem, issuerCertPem: 'oops'}),
      (error: unknown) => error instanceof UserError && error.message.startsWith('issuer.crt holds no PEM certificate'),
    )
    assert.throws(
      () =>
        describeBundle({rootCertPem: '', issuerCertPem: bundle.issuerCertPem}, now, {
          rootCert: 'cm/ca.crt',
          issuerCert: 'x',
        }),
      /^UserError: cm\/ca\.crt holds no PEM certificate/,
    )
  })
})

describe('expiryLevel', () => {
  const now = new Date('2030-06-01T00:00:00Z')
  const cert = (notBefore: number, notAfter: number): Pick<CertificateInfo, 'notBefore' | 'notAfter'> => ({
    notBefore: new Date(now.getTime() + notBefore),
    notAfter: new Date(now.getTime() + notAfter),
  })
  const healthy = cert(-dayMs, 365 * dayMs)

  it('is ok when every certificate has at least warnDays whole days left', () => {
    assert.equal(expiryLevel([healthy, cert(-dayMs, 30 * dayMs)], 30, now), 'ok')
  })

  it('warns when a certificate has fewer whole days left than warnDays', () => {
    assert.equal(expiryLevel([healthy, cert(-dayMs, 30 * dayMs - minuteMs)], 30, now), 'warning')
  })

  it('is critical when a certificate has expired', () => {
    assert.equal(expiryLevel([healthy, cert(-dayMs, -minuteMs)], 30, now), 'critical')
    assert.equal(expiryLevel([cert(-dayMs, 0)], 30, now), 'critical')
  })

  it('is critical when a certificate is not valid yet beyond the clock skew, and not within it', () => {
    assert.equal(expiryLevel([cert(20 * minuteMs, 365 * dayMs)], 30, now, 15 * minuteMs), 'critical')
    assert.equal(expiryLevel([cert(10 * minuteMs, 365 * dayMs)], 30, now, 15 * minuteMs), 'ok')
    assert.equal(expiryLevel([cert(10 * minuteMs, 365 * dayMs)], 30, now, 0), 'critical')
  })
})
