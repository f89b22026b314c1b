// The restart flow's decisions, with the Kubernetes adapter replaced by a stand-in that answers at once (the real
// adapter runs against the test cluster in the integration suite): progress as "k/n restarted" at a terminal and a
// line per workload elsewhere, nothing of the apps when the control plane fails, and Ctrl-C that ends with the command
// that resumes.
import assert from 'node:assert/strict'

import {UserError} from '../../../src/lib/errors.js'
import type {ClusterSession} from '../../../src/lib/kube-command.js'
import * as appRestarts from '../../../src/lib/kube/app-restarts.js'
import type {AppRestartOutcome, AppRestartOptions} from '../../../src/lib/kube/apps.js'
import {formatWorkload} from '../../../src/lib/kube/apps.js'
import type {NamespacedWorkload} from '../../../src/lib/kube/restart.js'
import {type RestartEvents, type RestartPlan, runRestarts} from '../../../src/lib/restarts/run.js'

const apps: NamespacedWorkload[] = ['a', 'b', 'c'].map((name) => ({namespace: 'shop', kind: 'Deployment', name}))

/** A session whose adapter restarts at once: each app done unless `fail` names it; Ctrl-C when `interruptAfter` are done. */
function session(options: {controlPlaneFails?: boolean; interruptAfter?: number} = {}): ClusterSession {
  const kube = {
    ...appRestarts,
    formatWorkload,
    restartWithSummary: (
      _c: unknown,
      _n: string,
      workloads: {kind: string; name: string}[],
      o: {summary: (t: string) => void},
    ) => {
      o.summary('control-plane summary')
      if (options.controlPlaneFails) {
        throw new UserError('the control-plane restart failed: dapr-sentry (x)', {hint: 'fix it'})
      }
      return Promise.resolve(
        workloads.map((w) => ({...w, restarted: true, done: true, message: 'ok', restartedAt: '', seconds: 1})),
      )
    },
    restartApps: (_c: unknown, workloads: NamespacedWorkload[], o: AppRestartOptions) => {
      const outcomes: AppRestartOutcome[] = []
      for (const [i, w] of workloads.entries()) {
        const interrupted = options.interruptAfter !== undefined && i >= options.interruptAfter
        if (interrupted && options.interruptAfter === i) process.emit('SIGINT', 'SIGINT')
        const outcome = {
          ...w,
          restarted: !interrupted,
          done: !interrupted,
          message: interrupted ? 'not restarted: interrupted' : 'successfully rolled out',
          restartedAt: undefined,
          seconds: 1,
        }
        outcomes.push(outcome)
        o.onFinished?.(outcome, i + 1, workloads.length)
      }
      return Promise.resolve(outcomes)
    },
  }
  return {kube, clients: {}, controlPlane: {namespace: 'dapr-system'}, connectionFlags: []} as unknown as ClusterSession
}

const plan = (controlPlane = true): RestartPlan => ({
  controlPlane: controlPlane ? [{kind: 'Deployment', name: 'dapr-sentry'}] : [],
  apps: {selection: {namespaces: ['shop'], only: []}, workloads: apps, notRestartable: []},
  concurrency: 2,
  timeoutSeconds: 60,
})

function recorder(tty: boolean): RestartEvents & {said: string[]} {
  const said: string[] = []
  return {
    said,
    tty,
    line: (kind, message) => said.push(`${kind}: ${message}`),
    wait: (title) => {
      said.push(`wait: ${title}`)
      return {update: (message) => said.push(`status: ${message}`), stop: () => undefined}
    },
    block: (text) => said.push(`block: ${text.split('\n')[0] ?? ''}`),
  }
}

describe('the restart flow', () => {
  let stderr: typeof process.stderr.write
  beforeEach(() => {
    stderr = process.stderr.write.bind(process.stderr)
    process.stderr.write = () => true
  })
  afterEach(() => {
    process.stderr.write = stderr
  })

  it('at a terminal, shows "k/n restarted" as the state of one wait; elsewhere, a line per finished workload', async () => {
    const tty = recorder(true)
    const result = await runRestarts(session(), plan(false), tty)
    assert.deepEqual(
      result.apps.map((o) => o.done),
      [true, true, true],
    )
    assert.deepEqual(
      tty.said.filter((s) => s.startsWith('status: ')),
      ['status: 1/3 restarted', 'status: 2/3 restarted', 'status: 3/3 restarted'],
    )
    const pipe = recorder(false)
    await runRestarts(session(), plan(false), pipe)
    assert.deepEqual(
      pipe.said.filter((s) => /^success: \d\/3/.test(s)),
      [
        'success: 1/3 restarted: shop/deployment/a',
        'success: 2/3 restarted: shop/deployment/b',
        'success: 3/3 restarted: shop/deployment/c',
      ],
    )
    assert.ok(
      pipe.said.some((s) => s.startsWith('block: WORKLOAD')),
      'the summary table follows',
    )
  })

  it('restarts no application when the control plane fails', async () => {
    const events = recorder(false)
    await assert.rejects(
      runRestarts(session({controlPlaneFails: true}), plan(), events),
      /control-plane restart failed/,
    )
    assert.equal(
      events.said.some((s) => s.includes('Dapr-enabled application')),
      false,
    )
  })

  it('Ctrl-C: exit 130, what was restarted, and the command that resumes with only the rest', async () => {
    await assert.rejects(runRestarts(session({interruptAfter: 1}), plan(false), recorder(false)), (error: unknown) => {
      assert.ok(error instanceof UserError)
      assert.equal(error.exitCode, 130)
      assert.equal(error.message, 'interrupted: 1 of 3 applications restarted (shop/deployment/a); 2 not restarted')
      assert.equal(
        error.hint,
        'Resume with only those not restarted: dapr mtls restart-apps -k --concurrency 2 --only shop/deployment/b --only shop/deployment/c',
      )
      return true
    })
    assert.equal(process.listenerCount('SIGINT'), 0, 'the hold on Ctrl-C is released')
  })
})
