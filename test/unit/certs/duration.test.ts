import assert from 'node:assert/strict'

import {parseGoDuration} from '../../../src/lib/certs/index.js'
import {UserError} from '../../../src/lib/errors.js'

describe('parseGoDuration', () => {
  const valid: [string, number][] = [
    ['15m', 15 * 60 * 1000],
    ['1h30m', 90 * 60 * 1000],
    ['300ms', 300],
    ['1.5h', 90 * 60 * 1000],
    ['0', 0],
    ['0s', 0],
    ['90s', 90 * 1000],
    ['2h45m30.5s', (2 * 3600 + 45 * 60 + 30.5) * 1000],
    ['.5m', 30 * 1000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['+5m', 5 * 60 * 1000],
    ['-5m', -5 * 60 * 1000],
  ]
  for (const [text, ms] of valid) {
    it(`reads ${text} as ${ms} ms`, () => {
      assert.equal(parseGoDuration(text), ms)
    })
  }

  for (const text of ['', '15', 'm', '1x', '1h 30m', '.m', '15 minutes', '1d', '--5m']) {
    it(`refuses ${JSON.stringify(text)}, naming where it came from`, () => {
      assert.throws(
        () => parseGoDuration(text, 'spec.mtls.allowedClockSkew'),
        (error: unknown) =>
          error instanceof UserError &&
          error.message === `spec.mtls.allowedClockSkew: "${text}" is not a duration` &&
          /15m/.test(error.hint ?? ''),
      )
    })
  }
})
