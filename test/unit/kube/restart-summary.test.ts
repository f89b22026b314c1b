// What a failed restart tells the operator: timed out or failed, which workloads, and the commands to finish by hand.
import assert from 'node:assert/strict'

import {UserError} from '../../../src/lib/errors.js'
import {assertRestartsDone, describeRestartOutcomes} from '../../../src/lib/kube/restart-summary.js'
import type {RestartOutcome} from '../../../src/lib/kube/restart.js'

const outcome = (name: string, done: boolean, message: string, kind: RestartOutcome['kind'] = 'Deployment') =>
  ({kind, name, done, message, restarted: true, restartedAt: undefined, seconds: 1}) as RestartOutcome

describe('restart outcome', () => {
  it('passes when every workload finished', () => {
    assert.doesNotThrow(() => {
      assertRestartsDone([outcome('dapr-sentry', true, 'successfully rolled out')], 'dapr-system', 300)
    })
  })

  it('says "did not finish within" for a timeout, naming the workload and the kubectl command', () => {
    assert.throws(
      () => {
        assertRestartsDone(
          [
            outcome('dapr-sentry', true, 'ok'),
            outcome('dapr-placement-server', false, 'timed out: Waiting for 1 pods to be ready', 'StatefulSet'),
          ],
          'dapr-system',
          25,
        )
      },
      (error: unknown) =>
        error instanceof UserError &&
        /did not finish within 25s: dapr-placement-server \(timed out/.test(error.message) &&
        /kubectl rollout restart statefulset\/dapr-placement-server -n dapr-system/.test(error.hint ?? ''),
    )
  })

  it('says "failed" when a workload was refused rather than slow', () => {
    assert.throws(
      () => {
        assertRestartsDone([outcome('dapr-sentry', false, 'permission denied: cannot patch ...')], 'dapr-system', 300)
      },
      (error: unknown) => error instanceof UserError && error.message.startsWith('the control-plane restart failed'),
    )
  })

  it('says what was restarted, what did not finish and what was not restarted, and why', () => {
    const skipped = (name: string, message: string) => ({...outcome(name, false, message), restarted: false})
    assert.equal(
      describeRestartOutcomes([
        outcome('dapr-sentry', false, 'timed out: 0 of 1 updated replicas are available'),
        skipped('dapr-operator', 'not restarted: dapr-sentry did not finish'),
        skipped('dapr-sidecar-injector', 'not restarted: dapr-sentry did not finish'),
      ]),
      'dapr-sentry (timed out: 0 of 1 updated replicas are available); not restarted (dapr-sentry did not finish): dapr-operator, dapr-sidecar-injector',
    )
    assert.equal(
      describeRestartOutcomes([outcome('dapr-sentry', true, 'ok'), outcome('dapr-operator', false, 'timed out: x')]),
      'dapr-operator (timed out: x); restarted: dapr-sentry',
    )
  })

  it('an interrupted restart exits 130 and says how to finish', () => {
    assert.throws(
      () => {
        assertRestartsDone([outcome('dapr-sentry', false, 'restarted, not waited for: interrupted')], 'ns', 30, {
          interrupted: true,
        })
      },
      (error: unknown) =>
        error instanceof UserError &&
        error.exitCode === 130 &&
        /^interrupted during the control-plane/.test(error.message),
    )
  })
})
