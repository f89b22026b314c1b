// The daprsystem Configuration's fields and Dapr's defaults.
import assert from 'node:assert/strict'

import {droppedFields, parseDaprSystemConfig} from '../../../src/lib/kube/configuration.js'

describe('daprsystem Configuration', () => {
  it('reads mTLS, the written trust domain, clock skew and workload TTL', () => {
    const config = parseDaprSystemConfig('dapr-system', {
      spec: {
        mtls: {
          enabled: true,
          controlPlaneTrustDomain: 'example.org',
          allowedClockSkew: '1h30m',
          workloadCertTTL: '12h',
        },
      },
    })
    assert.deepEqual(config, {
      namespace: 'dapr-system',
      found: true,
      mtlsEnabled: true,
      controlPlaneTrustDomain: 'example.org',
      allowedClockSkew: '1h30m',
      clockSkewMs: 5_400_000,
      workloadCertTTL: '12h',
      tokenValidators: [],
      resourceVersion: undefined,
    })
  })

  it('applies Dapr defaults to unset fields and treats an unset enabled as off', () => {
    const config = parseDaprSystemConfig('x', {spec: {}})
    assert.equal(config.mtlsEnabled, false)
    assert.equal(config.controlPlaneTrustDomain, undefined)
    assert.equal(config.clockSkewMs, 15 * 60_000)
    assert.equal(parseDaprSystemConfig('x', undefined).found, false)
  })

  it('reads the token validators as written', () => {
    const validators = [{name: 'jwks', options: {source: 'https://issuer.example/jwks.json'}}]
    assert.deepEqual(
      parseDaprSystemConfig('x', {spec: {mtls: {tokenValidators: validators}}}).tokenValidators,
      validators,
    )
  })

  it('tells which edited fields the API server did not keep, whatever its key order', () => {
    const validators = [{name: 'jwks', options: {source: 's', requestTimeout: '1m'}}]
    const written = {
      spec: {
        mtls: {workloadCertTTL: '2m', tokenValidators: [{options: {requestTimeout: '1m', source: 's'}, name: 'jwks'}]},
      },
    }
    assert.deepEqual(
      droppedFields({workloadCertTTL: '2m', tokenValidators: validators, allowedClockSkew: null}, written),
      [],
    )
    assert.deepEqual(droppedFields({tokenValidators: validators}, {spec: {mtls: {workloadCertTTL: '2m'}}}), [
      'tokenValidators',
    ])
  })
})
