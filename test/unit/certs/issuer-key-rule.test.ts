import assert from 'node:assert/strict'
import {generateKeyPairSync} from 'node:crypto'

import {issuerKeyRule, issuerKeyType} from '../../../src/lib/certs/index.js'

describe('issuerKeyRule', () => {
  const all = ['ECDSA', 'Ed25519', 'RSA']
  const ecdsaOnly = ['ECDSA']

  for (const [version, keyTypes] of [
    ['1.16.2', ecdsaOnly],
    ['1.17.9', ecdsaOnly],
    ['1.16.2-msft.1', ecdsaOnly],
    ['1.18.0-rc.1', ecdsaOnly],
    ['1.18.0', all],
    ['v1.18.3', all],
    ['1.18', all],
    ['1.18.0-mariner', all],
    ['1.19.0', all],
    ['2.0.0', all],
  ] as const) {
    it(`gives Sentry ${version} the key types ${keyTypes.join(', ')}`, () => {
      const rule = issuerKeyRule(version)
      assert.deepEqual(rule.keyTypes, keyTypes)
      assert.equal(rule.version, version)
      assert.equal(rule.sentry, `Sentry ${version}`)
    })
  }

  for (const version of [undefined, '', ' ', 'latest', 'edge', 'sha256:5f3c4e0b', 'nightly-2026-11-01']) {
    it(`treats ${JSON.stringify(version)} as an unknown version, with the ECDSA-only rule every Sentry accepts`, () => {
      assert.deepEqual(issuerKeyRule(version), {
        version: undefined,
        sentry: 'an unknown Sentry version',
        keyTypes: ecdsaOnly,
      })
    })
  }
})

describe('issuerKeyType', () => {
  it('names the key types Sentry distinguishes', () => {
    assert.equal(issuerKeyType(generateKeyPairSync('ec', {namedCurve: 'P-384'}).privateKey), 'ECDSA')
    assert.equal(issuerKeyType(generateKeyPairSync('ed25519').privateKey), 'Ed25519')
    assert.equal(issuerKeyType(generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey), 'RSA')
    assert.equal(issuerKeyType(generateKeyPairSync('x25519').privateKey), undefined)
  })
})
