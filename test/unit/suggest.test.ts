// "Did you mean": the command or flag meant by a typo.
import assert from 'node:assert/strict'

import {closest} from '../../src/lib/suggest.js'

const commands = ['init', 'mtls', 'mtls env', 'mtls expiry', 'mtls export', 'mtls renew-certificate', 'status']

describe('did you mean', () => {
  it('finds a mistyped command, a command by its last word and by its beginning', () => {
    assert.equal(closest('mtls expirey', commands), 'mtls expiry')
    assert.equal(closest('expiry', commands), 'mtls expiry')
    assert.equal(closest('mtls renew', commands), 'mtls renew-certificate')
    assert.equal(closest('certs-dr', ['certs-dir', 'warn-days']), 'certs-dir')
  })

  it('suggests nothing for a word that is nowhere near', () => {
    assert.equal(closest('kubectl', commands), undefined)
  })
})
