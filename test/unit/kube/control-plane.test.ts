// One description of the control plane: which namespace, and what Sentry and daprsystem say there.
import assert from 'node:assert/strict'

import {chooseNamespace, describeControlPlane} from '../../../src/lib/kube/control-plane.js'

describe('control-plane discovery', () => {
  it('prefers the namespace that runs dapr-sentry over a stray daprsystem Configuration elsewhere', () => {
    assert.deepEqual(chooseNamespace(['dapr-system'], ['dapr-system', 'team-a']), {namespace: 'dapr-system'})
  })

  it('asks for -n when two namespaces run dapr-sentry', () => {
    assert.deepEqual(chooseNamespace(['a', 'b'], ['a']), {several: ['a', 'b']})
  })

  it('falls back to the Configuration when no dapr-sentry is found, or the Deployments could not be listed', () => {
    assert.deepEqual(chooseNamespace([], ['dapr-system']), {namespace: 'dapr-system'})
    assert.deepEqual(chooseNamespace(undefined, ['dapr-system']), {namespace: 'dapr-system'})
    assert.deepEqual(chooseNamespace(['dapr-system'], undefined), {namespace: 'dapr-system'})
    assert.deepEqual(chooseNamespace([], []), {none: true})
  })

  it("takes the trust domain from Sentry's --trust-domain, not from the Configuration Sentry ignores", () => {
    const controlPlane = describeControlPlane(
      'dapr-system',
      {
        spec: {
          selector: {},
          template: {
            spec: {
              containers: [
                {name: 'dapr-sentry', image: 'daprio/dapr:1.18.0', args: ['--trust-domain', 'real.example']},
              ],
            },
          },
        },
      },
      {spec: {mtls: {enabled: true, controlPlaneTrustDomain: 'ignored.example', allowedClockSkew: '5m'}}},
    )
    assert.equal(controlPlane.trustDomain, 'real.example')
    assert.equal(controlPlane.config.controlPlaneTrustDomain, 'ignored.example')
    assert.equal(controlPlane.sentryVersion, '1.18.0')
    assert.equal(controlPlane.config.clockSkewMs, 5 * 60_000)
  })

  it('without a readable dapr-sentry Deployment, uses the Configuration, then cluster.local, and says why', () => {
    const withConfig = describeControlPlane('ns', undefined, {spec: {mtls: {controlPlaneTrustDomain: 'x.example'}}})
    assert.equal(withConfig.trustDomain, 'x.example')
    assert.equal(withConfig.sentryVersion, undefined)
    assert.match(withConfig.sentryNote ?? '', /no dapr-sentry Deployment in namespace ns/)
    assert.equal(describeControlPlane('ns', undefined, undefined).trustDomain, 'cluster.local')
    assert.deepEqual(describeControlPlane('ns', undefined, undefined).keys, {
      rootCert: 'ca.crt',
      issuerCert: 'issuer.crt',
      issuerKey: 'issuer.key',
    })
  })
})
