// Helm's failures as one clean line: its own message, with the hint that fits.
import assert from 'node:assert/strict'

import {UserError} from '../../../src/lib/errors.js'
import {helmMessage, installFailure} from '../../../src/lib/helm/failure.js'

const target = {release: 'dapr', namespace: 'dapr-a', chart: 'dapr', timeoutSeconds: 300}

describe('helm failures', () => {
  it('folds a multi-error report onto one line, without Helm prefixes or warnings', () => {
    const stderr = [
      'WARNING: Kubernetes configuration file is group-readable. This is insecure.',
      'Error: INSTALLATION FAILED: 2 errors occurred:',
      '\t* Deployment.apps "dapr-sentry" is invalid: bad',
      '\t* Configuration.dapr.io "daprsystem" is invalid: worse',
      '',
    ].join('\n')
    assert.equal(
      helmMessage(stderr),
      'Deployment.apps "dapr-sentry" is invalid: bad; Configuration.dapr.io "daprsystem" is invalid: worse',
    )
  })

  it('keeps the last line when Helm wrote no Error: line', () => {
    assert.equal(helmMessage('something\nsegmentation fault\n'), 'segmentation fault')
  })

  const cases: [string, string, RegExp, RegExp][] = [
    [
      'an existing release',
      'Error: INSTALLATION FAILED: cannot re-use a name that is still in use',
      /^Dapr is already installed in namespace dapr-a/,
      /helm uninstall dapr -n dapr-a/,
    ],
    [
      'an unreachable cluster',
      'Error: INSTALLATION FAILED: Kubernetes cluster unreachable: context "nope" does not exist',
      /^cannot reach the Kubernetes cluster: context "nope" does not exist$/,
      /--kubeconfig, --context/,
    ],
    [
      'a timeout while waiting',
      'Error: INSTALLATION FAILED: context deadline exceeded',
      /^the control plane was not ready within 300 seconds/,
      /dapr status -k -n dapr-a/,
    ],
    [
      'a chart that cannot be fetched',
      'Error: INSTALLATION FAILED: looks like "https://x" is not a valid chart repository or cannot be reached',
      /^cannot get the chart dapr: /,
      /oci:\/\//,
    ],
    [
      'objects of an installation made without Helm',
      'Error: INSTALLATION FAILED: rendered manifests contain a resource that already exists. Unable to continue with install: ServiceAccount "dapr-sentry" in namespace "dapr-system" exists and cannot be imported into the current release',
      /^helm install failed: rendered manifests contain a resource that already exists\. .*ServiceAccount "dapr-sentry"/,
      /another Dapr installation .* -n/,
    ],
    [
      'anything else',
      'Error: INSTALLATION FAILED: admission webhook denied the request',
      /^helm install failed: admission webhook denied the request$/,
      /helm status dapr -n dapr-a/,
    ],
  ]
  for (const [what, stderr, message, hint] of cases) {
    it(`says what to do about ${what}`, () => {
      const error = installFailure(stderr, target)
      assert.ok(error instanceof UserError)
      assert.match(error.message, message)
      assert.match(error.hint ?? '', hint)
      assert.equal(error.exitCode, 1)
    })
  }
})
