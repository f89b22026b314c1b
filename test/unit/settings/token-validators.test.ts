// Sentry's JWKS validator as the CLI writes it: the JWKS checked key by key with node:crypto, the source written as
// inline content or as the URL given, and the refusals that keep a validator Sentry could not use from being written.
import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {generateBundle} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {checkJwks} from '../../../src/lib/settings/jwks.js'
import {describeJwksSource, describeValidator, settingsOf} from '../../../src/lib/settings/mtls-settings.js'
import {
  assertValidatorName,
  classifySource,
  jwksValidator,
  withoutValidator,
  withValidator,
} from '../../../src/lib/settings/token-validators.js'
import {generateSigningKey, publicJwk} from '../../helpers/jwt.js'

const jwksText = (...keys: unknown[]) => JSON.stringify({keys})
const refused = (fn: () => unknown, message: RegExp, exitCode = 1) => {
  assert.throws(
    fn,
    (error: unknown) => error instanceof UserError && error.exitCode === exitCode && message.test(error.message),
  )
}

describe('JWKS token validator', () => {
  describe('the JWKS', () => {
    it('accepts RSA 2048, EC P-256 and P-384, and Ed25519 public keys with a kid', () => {
      const keys = [
        publicJwk(generateSigningKey('rsa').publicKey, 'rsa'),
        publicJwk(generateSigningKey('ec').publicKey, 'p256'),
        publicJwk(generateKeyPairSync('ec', {namedCurve: 'P-384'}).publicKey, 'p384'),
        publicJwk(generateSigningKey('ed25519').publicKey, 'ed'),
      ]
      const checked = checkJwks(jwksText(...keys), 'jwks.json')
      assert.deepEqual(checked.usable, [
        {kid: 'rsa', type: 'RSA 2048'},
        {kid: 'p256', type: 'EC P-256'},
        {kid: 'p384', type: 'EC P-384'},
        {kid: 'ed', type: 'OKP Ed25519'},
      ])
      assert.deepEqual(checked.unusable, [])
      assert.deepEqual(JSON.parse(checked.json), {keys})
    })

    it('refuses a key with private members, naming them (it would publish the signing key)', () => {
      const {privateKey} = generateSigningKey('rsa')
      const leaked = {...privateKey.export({format: 'jwk'}), kid: 'k1'}
      refused(
        () => checkJwks(jwksText(leaked), 'jwks.json'),
        /^jwks.json: key 1 \(kid k1\) holds private or secret key material \("d", "p", "q", "dp", "dq", "qi"\)$/,
      )
      refused(
        () => checkJwks(jwksText({kty: 'oct', kid: 'h', k: 'c2VjcmV0'}), 'x'),
        /key 1 \(kid h\) holds private or secret key material \("k"\)/,
      )
    })

    it('refuses an RSA key under 2048 bits anywhere in the set', () => {
      const weak = publicJwk(generateKeyPairSync('rsa', {modulusLength: 1024}).publicKey, 'weak')
      const good = publicJwk(generateSigningKey('ec').publicKey, 'good')
      refused(
        () => checkJwks(jwksText(good, weak), 'jwks.json'),
        /key 2 \(kid weak\) is a 1024-bit RSA key, too weak to trust/,
      )
    })

    it('writes keys Sentry cannot use beside a usable one, with a reason each', () => {
      const good = publicJwk(generateSigningKey('ed25519').publicKey, 'good')
      const noKid = {...publicJwk(generateSigningKey('ec').publicKey, 'x'), kid: undefined}
      const p521 = publicJwk(generateKeyPairSync('ec', {namedCurve: 'P-521'}).publicKey, 'big')
      const encryption = {...publicJwk(generateSigningKey('rsa').publicKey, 'enc'), use: 'enc'}
      const checked = checkJwks(jwksText(good, noKid, p521, encryption, 'nonsense'), 'jwks.json')
      assert.deepEqual(checked.usable, [{kid: 'good', type: 'OKP Ed25519'}])
      assert.deepEqual(checked.unusable, [
        'key 2 has no kid, so no token can name it',
        'key 3 (kid big) is EC P-521: the usable types are RSA, EC P-256/P-384 and Ed25519',
        'key 4 (kid enc) is for use "enc", not signatures',
        'key 5 is not a JSON object',
      ])
    })

    it('refuses a set with no usable key, not JSON, no keys list, or two keys with one kid', () => {
      const noKid = {...publicJwk(generateSigningKey('ec').publicKey, 'x'), kid: undefined}
      refused(
        () => checkJwks(jwksText(noKid), 'j'),
        /^j holds no public key Sentry can verify tokens with: key 1 has no kid/,
      )
      refused(() => checkJwks(jwksText(), 'j'), /\(the keys list is empty\)/)
      refused(() => checkJwks('{"keys": [', 'j'), /^j is not JSON/)
      refused(() => checkJwks('{"kty": "EC"}', 'j'), /^j is not a JWKS: it has no "keys" list/)
      const key = publicJwk(generateSigningKey('ec').publicKey, 'same')
      const other = publicJwk(generateSigningKey('ec').publicKey, 'same')
      refused(() => checkJwks(jwksText(key, other), 'j'), /two keys with kid same/)
    })
  })

  describe('the source', () => {
    it('an https URL is a URL; plain http only with --insecure-source; other schemes never', () => {
      assert.deepEqual(classifySource('https://issuer.example/jwks.json', false), {
        kind: 'url',
        url: 'https://issuer.example/jwks.json',
      })
      refused(() => classifySource('http://issuer.example/jwks.json', false), /is plain http/, 2)
      assert.equal(classifySource('http://localhost:8080/jwks', true).kind, 'url')
      refused(() => classifySource('file:///etc/jwks.json', true), /Sentry fetches only https \(or http\) URLs/, 2)
      refused(() => classifySource('  ', false), /--source is empty/, 2)
    })

    it('JSON is inline; anything else is a file on this machine', () => {
      assert.deepEqual(classifySource(' {"keys": []}', false), {kind: 'inline', text: '{"keys": []}'})
      assert.deepEqual(classifySource('./jwks.json', false), {kind: 'file', path: './jwks.json'})
    })
  })

  describe('the validator written', () => {
    let dir: string
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'dapr-jwks-'))
    })
    afterEach(() => {
      rmSync(dir, {recursive: true, force: true})
    })

    it('an https URL as it is, with the CA bundle inline and the durations as given', async () => {
      const {rootCertPem} = (await generateBundle({namespace: 'default', validityDays: 30})).bundle
      const ca = path.join(dir, 'ca.pem')
      writeFileSync(ca, rootCertPem)
      const validator = await jwksValidator({
        source: 'https://issuer.example/.well-known/jwks.json',
        caCertificate: ca,
        minRefreshInterval: '2m',
        requestTimeout: '1m',
      })
      assert.deepEqual(validator, {
        spec: {
          name: 'jwks',
          options: {
            source: 'https://issuer.example/.well-known/jwks.json',
            caCertificate: rootCertPem,
            minRefreshInterval: '2m',
            requestTimeout: '1m',
          },
        },
        warnings: [],
      })
    })

    it('a JWKS file as its content, compact, with a warning for each unusable key', async () => {
      const key = publicJwk(generateSigningKey('rsa').publicKey, 'k1')
      const file = path.join(dir, 'jwks.json')
      writeFileSync(file, JSON.stringify({keys: [key, {...key, kid: ''}]}, null, 2))
      const validator = await jwksValidator({source: file})
      assert.equal(validator.spec.options?.source, JSON.stringify({keys: [key, {...key, kid: ''}]}))
      assert.deepEqual(validator.warnings, [
        `${file} (--source): key 2 has no kid, so no token can name it; it is written but verifies no token.`,
      ])
    })

    it('refuses URL-only flags with a static JWKS, a CA file that is not a certificate, and durations Sentry ignores', async () => {
      const inline = jwksText(publicJwk(generateSigningKey('ec').publicKey, 'k'))
      await assert.rejects(
        jwksValidator({source: inline, caCertificate: 'ca.pem'}),
        /--ca-certificate only applies to a JWKS that Sentry fetches from a URL/,
      )
      await assert.rejects(
        jwksValidator({source: inline, minRefreshInterval: '5m'}),
        /--jwks-min-refresh-interval only applies/,
      )
      const notPem = path.join(dir, 'ca.pem')
      writeFileSync(notPem, 'hello')
      await assert.rejects(
        jwksValidator({source: 'https://i.example/j', caCertificate: notPem}),
        (error: unknown) => error instanceof UserError && error.exitCode === 1,
      )
      await assert.rejects(
        jwksValidator({source: 'https://i.example/j', minRefreshInterval: '1s'}),
        /--jwks-min-refresh-interval 1s is not above 1s: Sentry ignores such a value and keeps its default of 10m/,
      )
      await assert.rejects(
        jwksValidator({source: 'https://i.example/j', requestTimeout: '0s'}),
        /--jwks-request-timeout 0s is not positive/,
      )
      await assert.rejects(
        jwksValidator({source: path.join(dir, 'missing.json')}),
        /cannot read .*missing.json \(--source\): no such file/,
      )
    })
  })

  describe('the list of validators', () => {
    const jwks = {name: 'jwks', options: {source: 'https://i.example/j'}}

    it('only jwks can be configured; the built-in ones are named as such (exit 2)', () => {
      assertValidatorName('jwks')
      assertValidatorName('JWKS')
      refused(
        () => {
          assertValidatorName('kubernetes')
        },
        /the kubernetes validator is built into Sentry/,
        2,
      )
      refused(
        () => {
          assertValidatorName('insecure')
        },
        /the insecure validator is built into Sentry/,
        2,
      )
      refused(
        () => {
          assertValidatorName('oidc')
        },
        /unknown token validator oidc/,
        2,
      )
    })

    it('one jwks at most (Sentry keeps one per name); removing one that is not there changes nothing', () => {
      assert.deepEqual(withValidator([], jwks), [jwks])
      refused(() => withValidator([jwks], jwks), /a jwks validator is already configured/)
      assert.deepEqual(withoutValidator([jwks], 'JWKS'), [])
      assert.deepEqual(withoutValidator([], 'jwks'), [])
    })

    it('is read from spec.mtls with defaults, and described in one line each', () => {
      const settings = settingsOf({
        tokenValidators: [jwks, {name: 'jwks', options: {source: jwksText({kid: 'a'}, {})}}],
      })
      assert.deepEqual(settings, {
        mtlsEnabled: false,
        workloadCertTTL: '24h',
        allowedClockSkew: '15m',
        tokenValidators: settings.tokenValidators,
      })
      assert.deepEqual(settings.tokenValidators.map(describeValidator), [
        'jwks: https://i.example/j',
        'jwks: inline JWKS, 2 keys (kid a, (no kid))',
      ])
      assert.equal(
        describeValidator({
          name: 'jwks',
          options: {source: '/etc/jwks.json', caCertificate: 'x', minRefreshInterval: 120},
        }),
        "jwks: /etc/jwks.json on Sentry's filesystem (CA certificate given, refresh at most every 120)",
      )
      assert.equal(
        describeJwksSource(Buffer.from(jwksText({kid: 'a', kty: 'EC'}).repeat(3)).toString('base64')),
        'inline JWKS (base64)',
      )
    })
  })
})
