// `dapr mtls -k`, `mtls expiry -k`, `mtls export -k` and control-plane discovery against the real test cluster.
import assert from 'node:assert/strict'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {installDaprFixture, uninstallDaprFixture} from '../cluster/fixture.js'
import {assertCleanFailure} from '../helpers/cli.js'
import {adminKubeconfig, daprK, readClusterBundle, freshHomeEachTest} from './context.js'

describe('mtls commands on Kubernetes', function () {
  this.timeout(180_000)
  const home = freshHomeEachTest()

  describe('dapr mtls -k', () => {
    it('says mTLS is enabled in the official sentence, then every setting; the same as JSON', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const result = await daprK(home(), ['mtls', '-k'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(
        result.stdout,
        [
          'Mutual TLS is enabled in your Kubernetes cluster ',
          'Workload certificate TTL  24h',
          'Allowed clock skew        15m',
          'Trust domain              cluster.local (dapr-sentry --trust-domain)',
          'Token validators          none (sidecars use the built-in Kubernetes validator)',
          'Sentry version            1.16.2',
        ].join('\n'),
      )
      const json = JSON.parse((await daprK(home(), ['mtls', '-k', '-o', 'json'])).stdout) as Record<string, unknown>
      assert.deepEqual(json, {
        mtlsEnabled: true,
        location: 'dapr-system',
        trustDomain: 'cluster.local',
        allowedClockSkew: '15m',
        workloadCertTTL: '24h',
        tokenValidators: [],
        sentryVersion: '1.16.2',
        problems: [],
      })
    })

    it('says mTLS is disabled when the daprsystem Configuration turns it off', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, mtlsEnabled: false})
      const result = await daprK(home(), ['mtls', '-k'])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(result.stdout.split('\n')[0], 'Mutual TLS is disabled in your Kubernetes cluster ')
    })
  })

  describe('dapr mtls expiry -k', () => {
    it('exits 0 for a 365-day bundle, 3 for a 20-day bundle, and prints no banner', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const fine = await daprK(home(), ['mtls', 'expiry', '-k'])
      assert.equal(fine.exitCode, 0, fine.stderr)
      assert.match(fine.stdout, /^Root certificate expires in 87\d\d hours\. Expiry date: /)
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, validDays: 20})
      const soon = await daprK(home(), ['mtls', 'expiry', '-k', '-o', 'json'])
      assert.equal(soon.exitCode, 3, soon.stderr)
      assert.equal((JSON.parse(soon.stdout) as {status: string}).status, 'warning')
      assert.doesNotMatch(soon.stderr, /Please see docs.dapr.io/)
    })
  })

  describe('dapr mtls export -k', () => {
    it('writes the three files with mode 0600 into a new directory and refuses to overwrite without --force', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const out = path.join(home().dir, 'exported', 'certs')
      const result = await daprK(home(), ['mtls', 'export', '-k', '-o', out])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.equal(result.stdout, `Trust certs successfully exported to ${out}`)
      const cluster = await readClusterBundle()
      assert.equal(readFileSync(path.join(out, 'ca.crt'), 'utf8'), cluster.caCrt)
      assert.equal(readFileSync(path.join(out, 'issuer.key'), 'utf8'), cluster.issuerKey)
      for (const name of ['ca.crt', 'issuer.crt', 'issuer.key'])
        assert.equal(statSync(path.join(out, name)).mode & 0o777, 0o600)

      writeFileSync(path.join(out, 'ca.crt'), 'mine')
      const refused = await daprK(home(), ['mtls', 'export', '-k', '-o', out])
      assert.equal(refused.exitCode, 1)
      assertCleanFailure(refused)
      assert.equal(readFileSync(path.join(out, 'ca.crt'), 'utf8'), 'mine')
      const forced = await daprK(home(), ['mtls', 'export', '-k', '-o', out, '--force'])
      assert.equal(forced.exitCode, 0, forced.stderr)
      assert.equal(readFileSync(path.join(out, 'ca.crt'), 'utf8'), cluster.caCrt)
    })
  })

  describe('finding the control plane', () => {
    after(async () => {
      await uninstallDaprFixture(adminKubeconfig(), {namespace: 'dapr-second'})
    })

    it('lists both namespaces and asks for -n when two control planes exist; -n picks one', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null, namespace: 'dapr-second', mtlsEnabled: false})
      const ambiguous = await daprK(home(), ['mtls', '-k'])
      assert.equal(ambiguous.exitCode, 1)
      assertCleanFailure(ambiguous)
      assert.match(ambiguous.stderr, /several namespaces: dapr-second, dapr-system\n.*-n/)
      const chosen = await daprK(home(), ['mtls', '-k', '-n', 'dapr-second'])
      assert.equal(chosen.exitCode, 0, chosen.stderr)
      assert.match(chosen.stdout, /disabled/)
    })

    it('says Dapr is not installed when there is no control plane', async () => {
      await uninstallDaprFixture(adminKubeconfig(), {namespace: 'dapr-second'})
      await uninstallDaprFixture(adminKubeconfig())
      const result = await daprK(home(), ['mtls', 'expiry', '-k'])
      assert.equal(result.exitCode, 1)
      assertCleanFailure(result)
      assert.match(result.stderr, /Dapr is not installed/)
    })
  })
})
