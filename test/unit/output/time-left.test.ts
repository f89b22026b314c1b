// Time left in words, one rule for the expiry table, the JSON and the banner: whole days floor(hours / 24) ahead,
// and time past as a person says it.
import assert from 'node:assert/strict'

import {type CertificateInfo, hoursPhrase, timeLeft} from '../../../src/lib/certs/index.js'
import {expiryBanner} from '../../../src/lib/output/banner.js'

const now = new Date('2026-03-01T12:00:00Z')
const hours = (n: number) => new Date(now.getTime() + n * 3_600_000)

describe('time left in words', () => {
  for (const [offsetHours, words] of [
    [365 * 24, 'in 365 days'],
    [48, 'in 2 days'],
    [47, 'in 1 day'],
    [24, 'in 1 day'],
    [23.9, 'today'],
    [0.1, 'today'],
    [-0.1, 'expired today'],
    [-23.9, 'expired today'],
    [-25, 'expired 1 day ago'],
    [-49, 'expired 2 days ago'],
  ] as const) {
    it(`${offsetHours} hours from now reads "${words}"`, () => {
      assert.equal(timeLeft(hours(offsetHours), now), words)
    })
  }

  it('says hours in the singular and the plural', () => {
    assert.equal(hoursPhrase(hours(1.5), now), 'expires in 1 hour')
    assert.equal(hoursPhrase(hours(2.5), now), 'expires in 2 hours')
    assert.equal(hoursPhrase(hours(0.5), now), 'expires in less than an hour')
    assert.equal(hoursPhrase(hours(-25), now), 'expired 25 hours ago')
    assert.equal(hoursPhrase(hours(-1), now), 'expired 1 hour ago')
  })

  it('the banner uses the same words as the table: an expiry 25 hours ago is "expired 1 day ago", not -2 days', () => {
    const cert = {role: 'root', inUse: true, notAfter: hours(-25)} as CertificateInfo
    assert.match(expiryBanner([cert], now) ?? '', /root certificate of your Kubernetes cluster expired 1 day ago\./)
    const tomorrow = {role: 'issuer', inUse: true, notAfter: hours(30)} as CertificateInfo
    assert.match(expiryBanner([tomorrow], now) ?? '', /issuer certificate .* expires in 1 day\./)
  })
})
