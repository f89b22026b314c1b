// Which renewal mode a set of flags asks for, and which sets are usage errors.
import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {resolveRenewalMode} from '../../../src/lib/renewal/mode.js'

const byo = {
  'ca-root-certificate': 'ca.crt',
  'issuer-public-certificate': 'issuer.crt',
  'issuer-private-key': 'issuer.key',
}

describe('renewal mode', () => {
  it('is fresh by default, for 365 days', () => {
    assert.deepEqual(resolveRenewalMode({}), {kind: 'fresh', validityDays: 365})
  })

  it('uses the root key with --private-key', () => {
    assert.deepEqual(resolveRenewalMode({'private-key': 'k.pem', 'valid-until': 30}), {
      kind: 'root-key',
      rootKeyFile: 'k.pem',
      validityDays: 30,
    })
  })

  it('takes certificates you bring when all three flags are given', () => {
    assert.deepEqual(resolveRenewalMode(byo), {
      kind: 'provided',
      rootCertFile: 'ca.crt',
      issuerCertFile: 'issuer.crt',
      issuerKeyFile: 'issuer.key',
    })
  })

  for (const [name, flags, message] of [
    [
      'a partial set of certificate flags',
      {'ca-root-certificate': 'ca.crt'},
      /needs all three.*missing --issuer-public-certificate, --issuer-private-key/,
    ],
    ['certificates mixed with --private-key', {...byo, 'private-key': 'k.pem'}, /--private-key cannot be combined/],
    ['certificates with --valid-until', {...byo, 'valid-until': 10}, /--valid-until cannot be combined/],
    ['an empty --private-key', {'private-key': ' '}, /--private-key is empty/],
    ['--valid-until above 100 years', {'valid-until': 36_501}, /1 to 36500/],
  ] as const) {
    it(`refuses ${name} as a usage error`, () => {
      assert.throws(
        () => resolveRenewalMode(flags),
        (error: unknown) => error instanceof UsageError && error.exitCode === 2 && message.test(error.message),
      )
    })
  }
})
