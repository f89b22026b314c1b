// The expiry banner's decision and wording.
import assert from 'node:assert/strict'

import type {CertificateInfo} from '../../../src/lib/certs/index.js'
import {expiryBanner} from '../../../src/lib/output/banner.js'

const now = new Date('2026-03-01T12:00:00Z')
const cert = (role: 'root' | 'issuer', hoursLeft: number, inUse = true): CertificateInfo =>
  ({role, inUse, notAfter: new Date(now.getTime() + hoursLeft * 3_600_000)}) as CertificateInfo

describe('expiry banner', () => {
  it('is absent with 30 whole days or more left', () => {
    assert.equal(expiryBanner([cert('root', 30 * 24), cert('issuer', 365 * 24)], now), undefined)
  })

  it('counts whole days down and names the earliest certificate', () => {
    const text = expiryBanner([cert('root', 365 * 24), cert('issuer', 29 * 24 + 23)], now)
    assert.match(
      text ?? '',
      /^Dapr issuer certificate of your Kubernetes cluster expires in 29 days\. Expiry date: \w{3}, \d\d \w{3} 2026 [\d:]{8} UTC\.\n Please see docs\.dapr\.io/,
    )
  })

  it('says "expires today." under a day and "expired today." once just past', () => {
    assert.match(
      expiryBanner([cert('root', 5)], now) ?? '',
      /root certificate of your Kubernetes cluster expires today\./,
    )
    assert.match(expiryBanner([cert('root', -1)], now) ?? '', /expired today\./)
  })

  it('follows the chain in use: an expired extra root beside a valid one does not raise it', () => {
    assert.equal(
      expiryBanner([cert('root', -48, false), cert('root', 365 * 24), cert('issuer', 300 * 24)], now),
      undefined,
    )
    assert.match(
      expiryBanner([cert('root', 48, true), cert('issuer', 300 * 24)], now) ?? '',
      /root certificate .* expires in 2 days/,
    )
  })
})
