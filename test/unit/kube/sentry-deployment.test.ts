// What the dapr-sentry Deployment tells about the Sentry that runs: version, trust domain and the Secret keys it reads.
import assert from 'node:assert/strict'

import type {V1Deployment} from '@kubernetes/client-node'

import {flagValue, imageTag, sentryFromDeployment, versionOfTag} from '../../../src/lib/kube/sentry-deployment.js'

function sentry(args: string[], image = 'daprio/sentry:1.16.2', command = ['/sentry']): V1Deployment {
  return {
    metadata: {name: 'dapr-sentry', namespace: 'dapr-system'},
    spec: {
      selector: {},
      template: {spec: {containers: [{name: 'dapr-sentry', image, command, args}]}},
    },
  }
}

describe('the dapr-sentry Deployment', () => {
  it('reads the image tag, also behind a registry port and beside a digest', () => {
    assert.equal(imageTag('daprio/dapr:1.16.2'), '1.16.2')
    assert.equal(imageTag('registry.local:8000/dapr/dapr:1.14.4-msft.5'), '1.14.4-msft.5')
    assert.equal(imageTag('registry.local:8000/dapr/dapr'), 'latest')
    assert.equal(imageTag('daprio/dapr:1.16.2@sha256:abc'), '1.16.2')
    assert.equal(imageTag('daprio/dapr@sha256:abc'), 'digest')
  })

  it('takes a version only from a tag that names one', () => {
    assert.equal(versionOfTag('1.16.2'), '1.16.2')
    assert.equal(versionOfTag('v1.18.0'), '1.18.0')
    assert.equal(versionOfTag('1.16.2-mariner'), '1.16.2')
    assert.equal(versionOfTag('latest'), undefined)
    assert.equal(versionOfTag('digest'), undefined)
    assert.equal(versionOfTag('stable-2024'), undefined)
  })

  it('reads Go flags in every form Go accepts, the last one winning', () => {
    const args = ['--mode', 'kubernetes', '-trust-domain=a.example', '--enable-metrics', '--trust-domain', 'b.example']
    assert.equal(flagValue(args, 'trust-domain'), 'b.example')
    assert.equal(flagValue(args, 'mode'), 'kubernetes')
    assert.equal(flagValue(args, 'enable-metrics'), 'true')
    assert.equal(flagValue(args, 'jwt-enabled'), undefined)
  })

  it('uses the chart defaults: ca.crt, issuer.crt, issuer.key and the --trust-domain arg', () => {
    const found = sentryFromDeployment(
      sentry(['--mode', 'kubernetes', '--log-level', 'info', '--trust-domain', 'cluster.local']),
    )
    assert.deepEqual(found.keys, {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'})
    assert.equal(found.trustDomain, 'cluster.local')
    assert.equal(found.version, '1.16.2')
    assert.equal(found.jwtEnabled, false)
  })

  it('follows global.issuerFilenames (cert-manager keys) and keys the Secret by base name', () => {
    const found = sentryFromDeployment(
      sentry([
        '--trust-domain',
        'prod.example',
        '--issuer-ca-filename',
        'ca.crt',
        '--issuer-certificate-filename',
        'tls.crt',
        '--issuer-key-filename=/var/run/secrets/dapr.io/credentials/tls.key',
        '--jwt-enabled=true',
      ]),
    )
    assert.deepEqual(found.keys, {rootCert: 'ca.crt', issuerCert: 'tls.crt', issuerKey: 'tls.key'})
    assert.equal(found.trustDomain, 'prod.example')
    assert.equal(found.jwtEnabled, true)
  })

  it("says 'localhost' when the Deployment passes no --trust-domain, as Sentry itself does", () => {
    assert.equal(sentryFromDeployment(sentry(['--mode', 'kubernetes'])).trustDomain, 'localhost')
  })

  it("reads Sentry's own flags after the '--' of the chart's debug mode (dlv)", () => {
    const found = sentryFromDeployment(
      sentry(
        ['--listen=:40000', '--headless=true', 'exec', '/sentry', '--', '--trust-domain', 'debug.example'],
        'daprio/sentry:1.18.0',
        ['/dlv'],
      ),
    )
    assert.equal(found.trustDomain, 'debug.example')
    assert.equal(found.version, '1.18.0')
  })
})
