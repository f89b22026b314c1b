import assert from 'node:assert/strict'

import {parityMark, parityProblem, type SentryOutcome} from '../helpers/parity.js'

// The rule the Sentry parity test applies, checked on plain verdicts (the real ones need real Sentry).
describe('the Sentry parity rule', () => {
  const started: SentryOutcome = {accepted: true, verified: true, changedFiles: []}
  const exited: SentryOutcome = {accepted: false, reason: 'x509: certificate specifies an incompatible key usage'}

  it('holds when both accept or both refuse, whatever the rule', () => {
    assert.equal(parityProblem({cli: 'accepts', refusedBy: [], sentry: started}), undefined)
    assert.equal(
      parityProblem({cli: 'extended-key-usage', refusedBy: ['extended-key-usage'], sentry: exited}),
      undefined,
    )
    assert.equal(parityMark({cli: 'accepts', refusedBy: [], sentry: started}), 'same')
  })

  it('fails when the CLI accepts what Sentry refuses', () => {
    assert.match(
      parityProblem({cli: 'accepts', refusedBy: [], sentry: exited}) ?? '',
      /accepts a bundle Sentry refuses/,
    )
    assert.equal(parityMark({cli: 'accepts', refusedBy: [], sentry: exited}), 'MISMATCH')
  })

  it('allows the CLI to refuse what Sentry accepts only by a deliberate stricter rule', () => {
    const stricter = {cli: 'issuer-is-ca', refusedBy: ['issuer-is-ca', 'rsa-key-size'], sentry: started}
    assert.equal(parityProblem(stricter), undefined)
    assert.equal(parityMark(stricter), 'stricter')
    assert.match(
      parityProblem({cli: 'extended-key-usage', refusedBy: ['extended-key-usage'], sentry: started}) ?? '',
      /refuses by extended-key-usage, not a deliberate stricter rule/,
    )
  })

  it('looks past the first rule: a Sentry rule behind a stricter one is a mismatch when Sentry starts', () => {
    const hidden = {cli: 'non-certificate-block', refusedBy: ['non-certificate-block', 'issuer-chains-to-anchor']}
    assert.match(parityProblem({...hidden, sentry: started}) ?? '', /issuer-chains-to-anchor/)
    assert.equal(parityProblem({...hidden, sentry: exited}), undefined)
  })

  it('fails when the CLI accepts a bundle Sentry starts with but whose workload certificates do not verify', () => {
    assert.match(
      parityProblem({cli: 'accepts', refusedBy: [], sentry: {accepted: true, verified: false, changedFiles: []}}) ?? '',
      /do not verify/,
    )
    assert.match(
      parityProblem({
        cli: 'accepts',
        refusedBy: [],
        sentry: {accepted: true, verified: true, changedFiles: ['ca.crt']},
      }) ?? '',
      /rewrites \(ca.crt\)/,
    )
  })
})
