// Doctor during a root rotation: two roots are expected; sidecars that do not trust the new root yet are a warning
// (the switch waits for them); a bundle changed behind the rotation fails.
import assert from 'node:assert/strict'

import {generateBundle} from '../../../src/lib/certs/index.js'
import {rotationCheck} from '../../../src/lib/doctor/rotation-check.js'
import {nextBundle, type RotationState} from '../../../src/lib/rotation/phases.js'

describe('doctor: root rotation', () => {
  it('is OK with no rotation, and OK with two roots while one is in progress', async () => {
    const [{bundle}, {bundle: next}] = await Promise.all([
      generateBundle({namespace: 'dapr-system', validityDays: 365}),
      generateBundle({namespace: 'dapr-system', validityDays: 365}),
    ])
    assert.equal(rotationCheck(bundle, undefined, [], 'dapr mtls rotate -k').status, 'ok')
    const state: RotationState = {
      startedAt: '2026-11-29T10:00:00Z',
      rootAddedAt: '2026-11-29T10:00:01Z',
      rootAddCompletedAt: '2026-11-29T10:00:05Z',
      newRootCertPem: next.rootCertPem,
      pendingIssuerCertPem: next.issuerCertPem,
      pendingIssuerKeyPem: next.issuerKeyPem,
      oldRootsCertPem: bundle.rootCertPem,
    }
    const added = nextBundle('add-root', bundle, state)
    const both = added.rootCertPem
    const ok = rotationCheck(
      added,
      state,
      [{name: 'a/p', owner: 'a/deployment/p', replaceable: true, trustAnchorsPem: both}],
      'r',
    )
    assert.equal(ok.status, 'ok')
    assert.match(ok.detail, /two roots are expected.*next phase switch-issuer/)

    const waiting = rotationCheck(
      added,
      state,
      [{name: 'a/q', owner: 'a/deployment/q', replaceable: true, trustAnchorsPem: bundle.rootCertPem}],
      'dapr mtls rotate -k',
    )
    assert.equal(waiting.status, 'warn')
    assert.deepEqual(waiting.items, ['a/deployment/q'])
    assert.match(waiting.hint ?? '', /--phase switch-issuer --restart-apps/)

    const renewedBehind = (await generateBundle({namespace: 'dapr-system', validityDays: 365})).bundle
    assert.equal(rotationCheck(renewedBehind, state, [], 'r').status, 'fail')
  })
})
