// The expiry report decides each certificate's state and the overall status by one rule, clock skew included.
import assert from 'node:assert/strict'

import {generateBundle} from '../../src/lib/certs/index.js'
import {buildExpiryReport, expiryExitCode, renderExpiryReport} from '../../src/lib/expiry.js'

const minute = 60_000

async function bundleStarting(inMinutes: number) {
  // clockSkewMs 0 puts notBefore exactly at `now`, here in the future.
  const {bundle} = await generateBundle({
    namespace: 'default',
    validityDays: 365,
    clockSkewMs: 0,
    now: new Date(Date.now() + inMinutes * minute),
  })
  return bundle
}

/** The report of a bundle whose notBefore is `inMinutes` ahead, with Dapr's default 15-minute clock skew. */
async function reportForBundleStarting(inMinutes: number) {
  return buildExpiryReport(await bundleStarting(inMinutes), {
    source: 'self-hosted',
    location: 'x',
    warnDays: 30,
    clockSkewMs: 15 * minute,
  })
}

describe('expiry report', () => {
  it('treats a notBefore within the clock skew as valid, in the table as in the exit code', async () => {
    const report = await reportForBundleStarting(10)
    assert.equal(report.status, 'ok')
    assert.equal(expiryExitCode(report.status), 0)
    assert.deepEqual(
      report.certificates.map((c) => c.state),
      ['valid', 'valid'],
    )
    assert.doesNotMatch(renderExpiryReport(report), /not yet valid/)
  })

  it('marks a notBefore beyond the clock skew as not yet valid, exit 4', async () => {
    const report = await reportForBundleStarting(30)
    assert.equal(report.status, 'critical')
    assert.equal(expiryExitCode(report.status), 4)
    assert.match(renderExpiryReport(report), /root .* not yet valid/)
  })
})
