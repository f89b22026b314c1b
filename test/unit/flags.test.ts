// Timeout flags take plain seconds or a duration, through one parser.
import assert from 'node:assert/strict'

import {UsageError} from '../../src/lib/errors.js'
import {parseSeconds} from '../../src/lib/flags.js'

describe('timeout flag values', () => {
  for (const [text, seconds] of [
    ['30', 30],
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['1500ms', 1.5],
  ] as const) {
    it(`reads ${text} as ${seconds} seconds`, () => {
      assert.equal(parseSeconds(text, 'timeout'), seconds)
    })
  }

  for (const text of ['5x', 'soon', '0', '0.5s', '-5m', '']) {
    it(`refuses "${text}" as a usage error naming the flag`, () => {
      assert.throws(
        () => parseSeconds(text, 'timeout'),
        (error: unknown) => error instanceof UsageError && /--timeout/.test(error.message),
      )
    })
  }
})
