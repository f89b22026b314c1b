import assert from 'node:assert/strict'
import {createPublicKey, type KeyObject} from 'node:crypto'

import {EncryptedKeyError, isEncryptedKey, parsePrivateKey, privateKeyToPem} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'
import {OpenSslDir} from '../../helpers/openssl.js'

function publicPem(key: KeyObject): string {
  return createPublicKey(key).export({type: 'spki', format: 'pem'}).toString()
}

function rejectsWith(action: () => unknown, pattern: RegExp): UserError {
  try {
    action()
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`)
    assert.match(error.message, pattern)
    return error
  }
  assert.fail('expected an error')
}

describe('parsePrivateKey', () => {
  let dir: OpenSslDir
  before(() => {
    dir = new OpenSslDir()
  })
  after(() => {
    dir.cleanup()
  })

  const accepted: [string, string[], string, string][] = [
    ['a SEC1 EC key', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], 'EC PRIVATE KEY', 'ec'],
    [
      'a SEC1 EC key after an EC PARAMETERS block',
      ['ecparam', '-name', 'prime256v1', '-genkey'],
      'EC PARAMETERS',
      'ec',
    ],
    ['a PKCS#8 EC key', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'PRIVATE KEY', 'ec'],
    ['a PKCS#8 RSA key', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'PRIVATE KEY', 'rsa'],
    ['a PKCS#1 RSA key', ['genrsa', '-traditional', '2048'], 'RSA PRIVATE KEY', 'rsa'],
    ['a PKCS#8 Ed25519 key', ['genpkey', '-algorithm', 'ED25519'], 'PRIVATE KEY', 'ed25519'],
  ]
  for (const [name, command, firstBlock, type] of accepted) {
    it(`reads ${name} made by OpenSSL`, () => {
      const file = `${name.replace(/\W+/g, '-')}.key`
      const pem = dir.openssl(...command)
      dir.write(file, pem)
      assert.ok(pem.startsWith(`-----BEGIN ${firstBlock}-----`), pem)
      const key = parsePrivateKey(pem, file)
      assert.equal(key.type, 'private')
      assert.equal(key.asymmetricKeyType, type)
      assert.equal(publicPem(key), dir.publicKeyOf(file))
      assert.equal(isEncryptedKey(pem), false)
    })
  }

  describe('encrypted keys', () => {
    let encrypted: string
    before(() => {
      dir.write('plain.key', dir.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'))
      encrypted = dir.openssl('pkcs8', '-topk8', '-in', 'plain.key', '-v2', 'aes-256-cbc', '-passout', 'pass:s3cret')
    })

    it('asks for a passphrase with an EncryptedKeyError when none is given', () => {
      assert.ok(encrypted.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----'))
      assert.equal(isEncryptedKey(encrypted), true)
      const error = rejectsWith(() => parsePrivateKey(encrypted, 'root.key'), /^root\.key is encrypted/)
      assert.ok(error instanceof EncryptedKeyError)
      assert.equal(error.exitCode, 1)
    })

    it('decrypts it with the right passphrase', () => {
      const key = parsePrivateKey(encrypted, 'root.key', 's3cret')
      assert.equal(publicPem(key), dir.publicKeyOf('plain.key'))
    })

    it('says the passphrase is wrong, without asking again', () => {
      const error = rejectsWith(
        () => parsePrivateKey(encrypted, 'root.key', 'guess'),
        /cannot decrypt root\.key: wrong passphrase/,
      )
      assert.ok(!(error instanceof EncryptedKeyError))
    })

    it('handles legacy encrypted PEM (Proc-Type: 4,ENCRYPTED) the same way', () => {
      const legacy = dir.openssl('ec', '-in', 'plain.key', '-aes256', '-passout', 'pass:s3cret')
      assert.match(legacy, /Proc-Type: 4,ENCRYPTED/)
      assert.equal(isEncryptedKey(legacy), true)
      assert.ok(rejectsWith(() => parsePrivateKey(legacy, 'legacy.key'), /encrypted/) instanceof EncryptedKeyError)
      assert.equal(publicPem(parsePrivateKey(legacy, 'legacy.key', 's3cret')), dir.publicKeyOf('plain.key'))
      rejectsWith(() => parsePrivateKey(legacy, 'legacy.key', 'guess'), /wrong passphrase/)
    })
  })

  describe('refusals', () => {
    it('names the source when the input is not PEM', () => {
      rejectsWith(() => parsePrivateKey('just some text\n', 'my-root.key'), /^my-root\.key is not a PEM private key/)
    })

    it('names the source when the input is DER', () => {
      dir.openssl('genpkey', '-algorithm', 'ED25519', '-outform', 'DER', '-out', 'der.key')
      rejectsWith(
        () => parsePrivateKey(dir.readBinary('der.key').toString('latin1'), 'der.key'),
        /^der\.key is not a PEM/,
      )
    })

    it('says what it found when the file holds a certificate instead of a key', () => {
      dir.ecKey('k.pem')
      const cert = dir.root('c.pem', {key: 'k.pem', subject: '/O=x', days: 1})
      rejectsWith(() => parsePrivateKey(cert, 'c.pem'), /^c\.pem holds no private key \(found CERTIFICATE\)/)
    })

    it('refuses a damaged key block', () => {
      const pem = dir.ecKey('damaged.key').replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA')
      rejectsWith(
        () => parsePrivateKey(pem, 'damaged.key'),
        /^damaged\.key: the EC PRIVATE KEY block is not a valid private key/,
      )
    })

    it('refuses keys that cannot sign certificates', () => {
      rejectsWith(
        () => parsePrivateKey(dir.openssl('genpkey', '-algorithm', 'X25519'), 'x.key'),
        /x\.key: x25519 keys are not supported/,
      )
      const p224 = dir.openssl('ecparam', '-name', 'secp224r1', '-genkey', '-noout')
      rejectsWith(() => parsePrivateKey(p224, 'p224.key'), /p224\.key: EC secp224r1 keys are not supported/)
    })
  })

  it('writes any accepted key back as unencrypted PKCS#8', () => {
    const key = parsePrivateKey(dir.openssl('genrsa', '-traditional', '2048'), 'rsa.key')
    const pem = privateKeyToPem(key)
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/)
    assert.equal(publicPem(parsePrivateKey(pem, 'again')), publicPem(key))
  })
})
