// The chart values of `dapr init -k` as plain data: official order, --set parsing, certificate values file.
import assert from 'node:assert/strict'

import YAML from 'yaml'

import {generateBundle} from '../../../src/lib/certs/index.js'
import {UsageError} from '../../../src/lib/errors.js'
import {
  assertNoCertificateOverride,
  certificateValuesFile,
  certificateValueSummary,
  effectiveValue,
  flagValues,
  parseSetEntry,
} from '../../../src/lib/helm/values.js'
import {describeBundle} from '../../../src/lib/certs/index.js'

const bundle = async () =>
  (await generateBundle({trustDomain: 'cluster.local', namespace: 'dapr-system', validityDays: 30, clockSkewMs: 0}))
    .bundle

describe('chart values of init -k', () => {
  describe('flagValues', () => {
    it('sets global.ha.enabled, then global.mtls.enabled, then global.tag, as the official CLI does', () => {
      const values = flagValues({haEnabled: true, mtlsEnabled: false, runtimeVersion: '1.16.2'})
      assert.deepEqual(
        values.map((v) => `${v.key}=${v.value}`),
        ['global.ha.enabled=true', 'global.mtls.enabled=false', 'global.tag=1.16.2'],
      )
    })

    it('leaves global.tag to the chart when the version is latest', () => {
      const values = flagValues({haEnabled: false, mtlsEnabled: true, runtimeVersion: 'latest'})
      assert.deepEqual(
        values.map((v) => v.key),
        ['global.ha.enabled', 'global.mtls.enabled'],
      )
    })
  })

  describe('parseSetEntry', () => {
    const keys = (entry: string) => parseSetEntry(entry).map((v) => [v.key, v.value])

    it('reads one key=value', () => {
      assert.deepEqual(keys('global.logAsJson=true'), [['global.logAsJson', 'true']])
    })

    it('splits k1=v1,k2=v2 into two values, as Helm does', () => {
      assert.deepEqual(keys('a=1,b.c=2'), [
        ['a', '1'],
        ['b.c', '2'],
      ])
    })

    it('keeps an escaped comma and a {list,value} inside one value', () => {
      assert.deepEqual(keys('a=x\\,y,list={p,q},z=1'), [
        ['a', 'x,y'],
        ['list', '{p,q}'],
        ['z', '1'],
      ])
    })

    it('accepts an empty value and a value holding =', () => {
      assert.deepEqual(keys('a=,b=c=d'), [
        ['a', ''],
        ['b', 'c=d'],
      ])
    })

    for (const entry of ['foo', '=1', 'a=1,b', '']) {
      it(`refuses ${JSON.stringify(entry)} as a usage error`, () => {
        assert.throws(() => parseSetEntry(entry), UsageError)
      })
    }
  })

  it('effectiveValue lets the last entry for a key win, as Helm merges repeated --set', () => {
    const values = [
      ...flagValues({haEnabled: false, mtlsEnabled: true, runtimeVersion: 'latest'}),
      ...parseSetEntry('global.mtls.enabled=false'),
    ]
    assert.equal(effectiveValue(values, 'global.mtls.enabled'), 'false')
    assert.equal(effectiveValue(values, 'global.ha.enabled'), 'false')
    assert.equal(effectiveValue(values, 'global.tag'), undefined)
  })

  it('refuses a --set of dapr_sentry.tls values next to certificate flags, which Helm would let win', () => {
    assert.throws(() => {
      assertNoCertificateOverride(parseSetEntry('dapr_sentry.tls.issuer.keyPEM=x'))
    }, UsageError)
    assert.throws(() => {
      assertNoCertificateOverride(parseSetEntry('a=1,dapr_sentry=null'))
    }, UsageError)
    assert.doesNotThrow(() => {
      assertNoCertificateOverride(parseSetEntry('dapr_sentry.replicaCount=2'))
    })
  })

  it('writes the three PEMs byte for byte under dapr_sentry.tls in the values file', async () => {
    const pems = await bundle()
    const parsed = YAML.parse(certificateValuesFile(pems)) as {
      dapr_sentry: {tls: {root: {certPEM: string}; issuer: {certPEM: string; keyPEM: string}}}
    }
    assert.equal(parsed.dapr_sentry.tls.root.certPEM, pems.rootCertPem)
    assert.equal(parsed.dapr_sentry.tls.issuer.certPEM, pems.issuerCertPem)
    assert.equal(parsed.dapr_sentry.tls.issuer.keyPEM, pems.issuerKeyPem)
    assert.deepEqual(Object.keys(parsed), ['dapr_sentry'])
  })

  it('summarises the certificate values as fingerprints, never as PEM', async () => {
    const pems = await bundle()
    const summary = certificateValueSummary(describeBundle(pems))
    assert.deepEqual(
      summary.map((v) => v.key),
      ['dapr_sentry.tls.root.certPEM', 'dapr_sentry.tls.issuer.certPEM', 'dapr_sentry.tls.issuer.keyPEM'],
    )
    assert.match(summary[0]!.value, /^SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    assert.doesNotMatch(JSON.stringify(summary), /BEGIN|PRIVATE/)
  })
})
