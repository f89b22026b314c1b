// Which init flags belong to which mode, and the -k flags turned into install options (defaults, env, certificates).
import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {assertInitFlagsFitMode, type InitKubernetesFlags, installOptions} from '../../../src/lib/helm/options.js'

const base: InitKubernetesFlags = {'enable-mtls': true}
const byo = {
  'ca-root-certificate': 'ca.crt',
  'issuer-public-certificate': 'issuer.crt',
  'issuer-private-key': 'issuer.key',
}

function usageError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof UsageError && message.test(error.message))
}

describe('init flags', () => {
  describe('assertInitFlagsFitMode', () => {
    for (const flag of ['certs-dir', 'config-file', 'force', 'trust-domain']) {
      it(`refuses --${flag} with -k`, () => {
        usageError(
          () => {
            assertInitFlagsFitMode(true, {[flag]: 'x'})
          },
          new RegExp(`^--${flag} is only valid for self-hosted mode$`),
        )
      })
    }

    for (const flag of [
      'namespace',
      'enable-ha',
      'wait',
      'timeout',
      'runtime-version',
      'set',
      'chart',
      'generate-certs',
      'dry-run',
      'kubeconfig',
      'context',
    ]) {
      it(`refuses --${flag} without -k`, () => {
        usageError(
          () => {
            assertInitFlagsFitMode(false, {[flag]: false})
          },
          new RegExp(`^--${flag} is only valid with -k`),
        )
      })
    }

    it('accepts the flags both modes share, and flags that were not given', () => {
      const shared = {'enable-mtls': false, 'valid-until': 30, 'root-key-out': 'k.pem', ...byo, namespace: undefined}
      assert.doesNotThrow(() => {
        assertInitFlagsFitMode(true, shared)
      })
      assert.doesNotThrow(() => {
        assertInitFlagsFitMode(false, {...shared, 'certs-dir': 'd', force: true})
      })
    })
  })

  describe('installOptions', () => {
    it('defaults as the official CLI: dapr-system, mTLS on, HA off, no wait, 300 s, latest from the Dapr Helm repository', () => {
      const options = installOptions(base, {})
      assert.equal(options.namespace, 'dapr-system')
      assert.equal(options.mtlsEnabled, true)
      assert.equal(options.haEnabled, false)
      assert.equal(options.wait, false)
      assert.equal(options.timeoutSeconds, 300)
      assert.equal(options.runtimeVersion, 'latest')
      assert.deepEqual(options.chart, {ref: 'dapr', repo: 'https://dapr.github.io/helm-charts'})
      assert.deepEqual(options.certificates, {kind: 'sentry'})
    })

    it('takes the version from DAPR_RUNTIME_VERSION and the repository from DAPR_HELM_REPO_URL; the flag wins', () => {
      const env = {DAPR_RUNTIME_VERSION: '1.15.4', DAPR_HELM_REPO_URL: 'https://charts.example.com'}
      assert.equal(installOptions(base, env).runtimeVersion, '1.15.4')
      assert.equal(installOptions(base, env).chart.repo, 'https://charts.example.com')
      assert.equal(installOptions({...base, 'runtime-version': '1.16.2'}, env).runtimeVersion, '1.16.2')
    })

    it('installs --chart as given, without a repository', () => {
      assert.deepEqual(installOptions({...base, chart: 'oci://registry.example.com/dapr'}, {}).chart, {
        ref: 'oci://registry.example.com/dapr',
        repo: undefined,
      })
    })

    it('refuses a namespace Kubernetes would refuse, a version that is not one, and an empty --chart', () => {
      usageError(() => installOptions({...base, namespace: 'Dapr_System'}, {}), /not a valid namespace/)
      usageError(() => installOptions({...base, 'runtime-version': 'v1'}, {}), /not a version/)
      usageError(() => installOptions({...base, chart: ' '}, {}), /--chart is empty/)
    })

    it('keeps the --set entries as given and parses their keys', () => {
      const options = installOptions({...base, set: ['a=1,b=2', 'c=x\\,y']}, {})
      assert.deepEqual(options.setEntries, ['a=1,b=2', 'c=x\\,y'])
      assert.deepEqual(
        options.userValues.map((v) => v.key),
        ['a', 'b', 'c'],
      )
    })

    describe('certificates', () => {
      it('--generate-certs generates, with --valid-until and --root-key-out', () => {
        const options = installOptions(
          {...base, 'generate-certs': true, 'valid-until': 90, 'root-key-out': 'k.pem'},
          {},
        )
        assert.deepEqual(options.certificates, {
          kind: 'generated',
          mode: {kind: 'fresh', validityDays: 90},
          rootKeyOut: 'k.pem',
        })
      })

      it('the three certificate flags bring your own', () => {
        assert.equal(installOptions({...base, ...byo}, {}).certificates.kind, 'provided')
      })

      it('refuses part of the three certificate flags, naming the missing ones', () => {
        usageError(
          () => installOptions({...base, 'ca-root-certificate': 'ca.crt'}, {}),
          /missing --issuer-public-certificate, --issuer-private-key/,
        )
      })

      it('refuses --generate-certs with certificates you bring', () => {
        usageError(() => installOptions({...base, ...byo, 'generate-certs': true}, {}), /cannot be combined/)
      })

      it('refuses --valid-until and --root-key-out when Sentry makes the certificates', () => {
        usageError(
          () => installOptions({...base, 'valid-until': 30}, {}),
          /--valid-until only applies .* --generate-certs/,
        )
        usageError(() => installOptions({...base, 'root-key-out': 'k.pem'}, {}), /--root-key-out only applies/)
        usageError(() => installOptions({...base, ...byo, 'root-key-out': 'k.pem'}, {}), /--root-key-out only applies/)
      })

      it('refuses a --set of the certificate values next to certificate flags', () => {
        usageError(
          () => installOptions({...base, 'generate-certs': true, set: ['dapr_sentry.tls.root.certPEM=x']}, {}),
          /conflicts with the certificates/,
        )
        assert.doesNotThrow(() => installOptions({...base, set: ['dapr_sentry.tls.root.certPEM=x']}, {}))
      })
    })
  })
})
