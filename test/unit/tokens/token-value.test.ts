// Token values: new ones are 32 random bytes in base64; given ones must be one line of visible ASCII.
import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {checkGivenToken, newToken, tokenFingerprint} from '../../../src/lib/tokens/token-value.js'

describe('token values', () => {
  it('makes 32 random bytes, base64, different every time', () => {
    const tokens = new Set(Array.from({length: 50}, () => newToken()))
    assert.equal(tokens.size, 50)
    for (const token of tokens) assert.equal(Buffer.from(token, 'base64').length, 32)
  })

  it('refuses a given token with spaces, line breaks or non-ASCII, and warns about a short one', () => {
    for (const bad of ['two words', 'a\nb', 'tökén', 'tab\there']) {
      assert.throws(() => checkGivenToken(bad, 'token.txt'), UsageError, bad)
    }
    assert.deepEqual(checkGivenToken('x'.repeat(44), 'token.txt'), [])
    assert.match(checkGivenToken('short-token', 'token.txt')[0] ?? '', /only 11 characters/)
  })

  it('fingerprints a token without revealing it', () => {
    assert.equal(tokenFingerprint('abc'), tokenFingerprint('abc'))
    assert.notEqual(tokenFingerprint('abc'), tokenFingerprint('abd'))
    assert.match(tokenFingerprint('abc'), /^[0-9a-f]{16}$/)
  })
})
