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

describe('expiry report of the chain in use', () => {
  const day = 86_400_000
  const fresh = () => generateBundle({namespace: 'dapr-system', validityDays: 365, clockSkewMs: 0})
  const expired = () =>
    generateBundle({namespace: 'dapr-system', validityDays: 30, clockSkewMs: 0, now: new Date(Date.now() - 60 * day)})
  const report = (bundle: Parameters<typeof buildExpiryReport>[0]) =>
    buildExpiryReport(bundle, {source: 'self-hosted', location: 'x', warnDays: 30, clockSkewMs: 15 * minute})

  it('reports an expired extra root beside the valid one as a warning that it can be pruned, not as critical', async () => {
    const [current, old] = await Promise.all([fresh(), expired()])
    const result = report({...current.bundle, rootCertPem: old.bundle.rootCertPem + current.bundle.rootCertPem})
    assert.equal(result.status, 'warning')
    assert.deepEqual(
      result.certificates.map((c) => [c.role, c.inUse, c.state]),
      [
        ['root', false, 'expired'],
        ['root', true, 'valid'],
        ['issuer', true, 'valid'],
      ],
    )
    assert.match(result.notes.join('\n'), /can be pruned/)
    assert.match(renderExpiryReport(result), /^Root certificate expires in 87\d\d hours/)
  })

  it('negative control: the same expired root in use is critical', async () => {
    assert.equal(report((await expired()).bundle).status, 'critical')
  })

  it('calls a bundle Sentry would refuse critical whatever its dates, naming the rule', async () => {
    const [one, other] = await Promise.all([fresh(), fresh()])
    const swapped = report({...other.bundle, rootCertPem: one.bundle.rootCertPem})
    assert.equal(swapped.status, 'critical')
    assert.deepEqual(
      swapped.problems.map((p) => p.rule),
      ['issuer-chains-to-anchor'],
    )
    const wrongKey = report({...one.bundle, issuerKeyPem: other.bundle.issuerKeyPem})
    assert.deepEqual(
      wrongKey.problems.map((p) => p.rule),
      ['issuer-key-matches'],
    )
    assert.match(renderExpiryReport(wrongKey), /Broken: issuer.key: .*\n {2}Fix: /)
  })

  it('checks the key only when it could be read', async () => {
    const {bundle} = await fresh()
    assert.equal(report({...bundle, issuerKeyPem: ''}).status, 'ok')
  })
})
