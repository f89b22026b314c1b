import assert from 'node:assert/strict'

import {generateBundle, parseCertificates} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {OpenSslDir} from '../../helpers/openssl.js'

describe('parseCertificates', () => {
  let dir: OpenSslDir
  let rootPem: string
  let issuerPem: string
  before(async () => {
    dir = new OpenSslDir()
    const {bundle} = await generateBundle({namespace: 'dapr-system', validityDays: 30})
    rootPem = bundle.rootCertPem
    issuerPem = bundle.issuerCertPem
    dir.writeBundle(bundle)
  })
  after(() => {
    dir.cleanup()
  })

  it('reads every certificate of a file, in order, labelled by position', () => {
    const certs = parseCertificates(issuerPem + rootPem, 'chain.pem')
    assert.deepEqual(
      certs.map((c) => [c.label, c.position, c.subject]),
      [
        ['chain.pem certificate 1', 1, 'O=spiffe://cluster.local/ns/dapr-system/dapr-sentry'],
        ['chain.pem certificate 2', 2, 'O=cluster.local'],
      ],
    )
    assert.equal(parseCertificates(rootPem, 'ca.crt')[0]?.label, 'ca.crt')
  })

  it('ignores text around the blocks and accepts CRLF line ends', () => {
    const withText = dir.openssl('x509', '-in', 'ca.crt', '-text')
    assert.match(withText, /^Certificate:/)
    const certs = parseCertificates(`${withText}\n${issuerPem.replace(/\n/g, '\r\n')}`, 'ca.crt')
    assert.equal(certs.length, 2)
    assert.equal(certs[0]?.pem, rootPem)
  })

  const der = (): string => {
    dir.openssl('x509', '-in', 'ca.crt', '-outform', 'DER', '-out', 'ca.der')
    return dir.readBinary('ca.der').toString('latin1')
  }
  const broken: [string, (pem: string) => string, RegExp][] = [
    ['an empty file', () => '', /^x\.pem holds no PEM certificate/],
    ['a DER file', () => der(), /^x\.pem holds no PEM certificate/],
    [
      'a block without its END line',
      (pem) => pem.replace(/-----END CERTIFICATE-----\n$/, ''),
      /has no matching END line/,
    ],
    ['a second block cut short', (pem) => pem + pem.slice(0, 100), /x\.pem: PEM block 2 has no matching END line/],
    [
      'mismatched BEGIN and END labels',
      (pem) => pem.replace('END CERTIFICATE', 'END X509 CRL'),
      /ends with "END X509 CRL"/,
    ],
  ]
  for (const [name, damage, pattern] of broken) {
    it(`refuses ${name}, naming the file`, () => {
      assert.throws(
        () => parseCertificates(damage(rootPem), 'x.pem'),
        (error: unknown) => error instanceof UserError && pattern.test(error.message),
      )
    })
  }
})
