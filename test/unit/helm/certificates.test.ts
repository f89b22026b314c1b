// The bundle an install starts with: generated for the install namespace, or brought and checked by Sentry's rules.
import assert from 'node:assert/strict'
import {X509Certificate} from 'node:crypto'

import {UserError} from '../../../src/lib/errors.js'
import {installBundle} from '../../../src/lib/helm/certificates.js'
import {type InitKubernetesFlags, installOptions} from '../../../src/lib/helm/options.js'
import {OpenSslDir} from '../../helpers/openssl.js'

const options = (more: Partial<InitKubernetesFlags>) => installOptions({'enable-mtls': true, ...more}, {})

describe('install certificates', () => {
  it('makes none when Sentry is to generate its own', async () => {
    assert.equal(await installBundle(options({})), undefined)
  })

  it('generates a root and an issuer for the install namespace, with the root key kept for --root-key-out', async () => {
    const next = await installBundle(options({'generate-certs': true, namespace: 'dapr-a', 'valid-until': 90}))
    assert.ok(next)
    assert.equal(
      new X509Certificate(next.bundle.issuerCertPem).subject,
      'O=spiffe://cluster.local/ns/dapr-a/dapr-sentry',
    )
    assert.match(next.rootKeyPem ?? '', /BEGIN PRIVATE KEY/)
    const root = next.certificates.find((c) => c.role === 'root')
    assert.equal(root?.subject, 'O=cluster.local')
    assert.ok(root && Math.round((root.notAfter.getTime() - Date.now()) / 86_400_000) === 90)
  })

  it('names the trust domain a --set gives the chart in the generated certificates', async () => {
    const next = await installBundle(
      options({'generate-certs': true, set: ['global.mtls.controlPlaneTrustDomain=example.org']}),
    )
    assert.equal(next?.certificates[0]?.subject, 'O=example.org')
  })

  it('refuses certificates you bring whose key does not belong to the issuer, naming the file', async () => {
    const work = new OpenSslDir()
    try {
      work.bundle('a-')
      work.bundle('b-')
      const byo = {
        'ca-root-certificate': work.path('a-ca.crt'),
        'issuer-public-certificate': work.path('a-issuer.crt'),
        'issuer-private-key': work.path('b-issuer.key'),
      }
      await assert.rejects(
        installBundle(options(byo)),
        (error: unknown) => error instanceof UserError && error.message.includes('b-issuer.key'),
      )
      const good = await installBundle(options({...byo, 'issuer-private-key': work.path('a-issuer.key')}))
      assert.equal(good?.bundle.rootCertPem, work.read('a-ca.crt'))
    } finally {
      work.cleanup()
    }
  })
})
