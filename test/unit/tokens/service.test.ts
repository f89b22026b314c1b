// The token service over a fake cluster: the order of writes and rolls, a namespace whose write is refused left
// alone while the others go on, the error that says which succeeded, and which tokens --show returns.
import assert from 'node:assert/strict'

import {UserError} from '../../../src/lib/errors.js'
import type {AppRestartOutcome, NamespacedWorkload} from '../../../src/lib/kube/index.js'
import {ApiError} from '../../../src/lib/kube/errors.js'
import {tokenKinds} from '../../../src/lib/tokens/kinds.js'
import type {TokenCluster, TokenSecret, TokenWorkload} from '../../../src/lib/tokens/model.js'
import {
  assertTokenRunDone,
  carryOut,
  prepareCreate,
  prepareDelete,
  prepareRotate,
  readNamespaces,
} from '../../../src/lib/tokens/service.js'

interface Fake extends TokenCluster {
  calls: string[]
  written: Map<string, string>
}

function fakeCluster(options: {
  secrets?: string[]
  workloads?: TokenWorkload[]
  refuse?: string
  unfinished?: string
  daprNamespaces?: string[]
}): Fake {
  const calls: string[] = []
  const written = new Map<string, string>()
  const existing = new Set(options.secrets ?? [])
  const refuse = (namespace: string, verb: string) => {
    if (namespace === options.refuse) {
      throw new ApiError(`permission denied: cannot ${verb} secrets in namespace ${namespace}`, 403, 'It needs a Role.')
    }
  }
  return {
    calls,
    written,
    readSecret(namespace, name) {
      const secret: TokenSecret = {
        namespace,
        name,
        resourceVersion: '1',
        token: 'old',
        createdAt: undefined,
        updatedAt: undefined,
        generation: 1,
        fingerprint: undefined,
      }
      return Promise.resolve(existing.has(namespace) ? secret : undefined)
    },
    createSecret(namespace, _name, token) {
      refuse(namespace, 'create')
      calls.push(`create ${namespace}`)
      written.set(namespace, token)
      return Promise.resolve()
    },
    replaceSecret(secret, token) {
      refuse(secret.namespace, 'patch')
      calls.push(`replace ${secret.namespace}`)
      written.set(secret.namespace, token)
      return Promise.resolve()
    },
    deleteSecret(secret) {
      calls.push(`delete ${secret.namespace}`)
      return Promise.resolve()
    },
    listWorkloads(namespace) {
      return Promise.resolve((options.workloads ?? []).filter((w) => w.namespace === namespace))
    },
    daprNamespaces() {
      return Promise.resolve(options.daprNamespaces ?? [])
    },
    listPods() {
      return Promise.resolve([])
    },
    roll(workloads: NamespacedWorkload[]) {
      calls.push(`roll ${workloads.map((w) => `${w.namespace}/${w.name}`).join(',')}`)
      return Promise.resolve(
        workloads.map((w): AppRestartOutcome => ({
          ...w,
          restarted: true,
          done: w.name !== options.unfinished,
          message: w.name === options.unfinished ? 'timed out' : 'successfully rolled out',
          restartedAt: 'now',
          seconds: 1,
        })),
      )
    },
  }
}

const api = tokenKinds.api
const app = (namespace: string, name: string, annotations: Record<string, string> = {}): TokenWorkload => ({
  namespace,
  kind: 'Deployment',
  name,
  daprEnabled: true,
  replicas: 2,
  annotations,
  containers: [{name, env: [], envFromSecrets: []}],
})
const request = (namespaces: string[], all = false) => ({
  info: api,
  secretName: 'dapr-api-token',
  scope: {namespaces, allNamespaces: false},
  selection: {workloads: [], all},
})
const run = {concurrency: 2, timeoutMs: 1000}

describe('token service', () => {
  it('writes each namespace, rolls only where the Secret was written, and names which succeeded and the RBAC rule', async () => {
    const cluster = fakeCluster({
      workloads: [app('a', 'web'), app('b', 'api'), app('c', 'jobs')],
      refuse: 'b',
    })
    const prepared = await prepareCreate(cluster, {
      ...request(['a', 'b', 'c'], true),
      givenToken: undefined,
      force: false,
    })
    const result = await carryOut(cluster, prepared, {...run, show: true})
    assert.deepEqual(cluster.calls, ['create a', 'create c', 'roll a/web,c/jobs'])
    assert.deepEqual(
      result.namespaces.map((n) => [n.namespace, n.done]),
      [
        ['a', true],
        ['b', false],
        ['c', true],
      ],
    )
    assert.deepEqual(
      result.tokens?.map((t) => t.namespace),
      ['a', 'c'],
    )
    assert.notEqual(result.tokens?.[0]?.token, result.tokens?.[1]?.token, 'each namespace has its own token')
    assert.throws(
      () => {
        assertTokenRunDone(result, () => 'resume')
      },
      (e: unknown) =>
        e instanceof UserError &&
        e.message === 'done in a, c; not in b: permission denied: cannot create secrets in namespace b' &&
        e.hint === 'It needs a Role.',
    )
  })

  it('a given token goes into every namespace; without --show no token is returned', async () => {
    const cluster = fakeCluster({})
    const prepared = await prepareCreate(cluster, {...request(['a', 'b']), givenToken: 'given-token', force: false})
    const result = await carryOut(cluster, prepared, {...run, givenToken: 'given-token', show: false})
    assert.deepEqual([...cluster.written.values()], ['given-token', 'given-token'])
    assert.equal(result.tokens, undefined)
    assert.doesNotThrow(() => {
      assertTokenRunDone(result, () => 'resume')
    })
  })

  it('a roll that does not finish makes the run fail with the command that resumes only that workload', async () => {
    const cluster = fakeCluster({
      secrets: ['a'],
      workloads: [app('a', 'web', {'dapr.io/api-token-secret': 'dapr-api-token'})],
      unfinished: 'web',
    })
    const prepared = await prepareRotate(cluster, {...request(['a']), restartOnly: false})
    const result = await carryOut(cluster, prepared, run)
    assert.throws(
      () => {
        assertTokenRunDone(result, (w) => `dapr api-token rotate -k --restart-only --workload ${w.join(' ')}`)
      },
      (e: unknown) =>
        e instanceof UserError &&
        /a\/deployment\/web did not finish rolling/.test(e.message) &&
        /Resume: dapr api-token rotate -k --restart-only --workload a\/deployment\/web/.test(e.hint ?? ''),
    )
  })

  it('Ctrl-C during the restarts: the run ends with exit 130 and names what is left', () => {
    const result = {
      kind: 'api-token',
      secretName: 'dapr-api-token',
      namespaces: [{namespace: 'a', secret: 'replace' as const, done: true, generation: 2}],
      workloads: [
        {
          workload: 'a/deployment/web',
          change: 'roll' as const,
          container: undefined,
          restarted: true,
          done: true,
          seconds: 1,
          message: 'ok',
        },
        {
          workload: 'a/deployment/api',
          change: 'roll' as const,
          container: undefined,
          restarted: false,
          done: false,
          seconds: 0,
          message: 'not restarted: interrupted',
        },
      ],
      warnings: [],
    }
    assert.throws(
      () => {
        assertTokenRunDone(result, (w) => `dapr api-token rotate -k --restart-only --workload ${w.join(' ')}`)
      },
      (e: unknown) =>
        e instanceof UserError && e.exitCode === 130 && /a\/deployment\/api did not finish/.test(e.message),
    )
  })

  it('delete rolls the detached workloads first and keeps the Secret of a namespace whose workload did not finish', async () => {
    const used = {'dapr.io/api-token-secret': 'dapr-api-token'}
    const cluster = fakeCluster({
      secrets: ['a', 'b'],
      workloads: [app('a', 'web', used), app('b', 'api', used)],
      unfinished: 'api',
    })
    const prepared = await prepareDelete(cluster, {...request(['a', 'b'], true), force: false})
    const result = await carryOut(cluster, prepared, run)
    assert.deepEqual(cluster.calls, ['roll a/web,b/api', 'delete a'])
    assert.match(result.namespaces[1]?.error ?? '', /was kept: b\/deployment\/api did not finish detaching/)
  })

  it('rotate --all-namespaces works in the namespaces that have the Secret and leaves the others alone', async () => {
    const cluster = fakeCluster({secrets: ['a'], daprNamespaces: ['a', 'b']})
    const all = {...request([]), scope: {namespaces: [], allNamespaces: true}}
    const prepared = await prepareRotate(cluster, {...all, restartOnly: false})
    assert.deepEqual(
      prepared.plan.namespaces.map((n) => n.namespace),
      ['a'],
    )
    await assert.rejects(
      prepareRotate(fakeCluster({daprNamespaces: ['b']}), {...all, restartOnly: false}),
      /no namespace with a Dapr-enabled workload has Secret dapr-api-token; nothing was changed/,
    )
    await assert.rejects(
      prepareRotate(cluster, {...request(['a', 'b']), restartOnly: false}),
      /there is no Secret dapr-api-token in namespace b/,
    )
  })

  it('--all-namespaces finds the namespaces with Dapr apps; none is an error', async () => {
    const found = await readNamespaces(fakeCluster({daprNamespaces: ['x', 'y']}), {
      ...request([]),
      scope: {namespaces: [], allNamespaces: true},
    })
    assert.deepEqual(
      found.map((s) => s.namespace),
      ['x', 'y'],
    )
    await assert.rejects(
      readNamespaces(fakeCluster({}), {...request([]), scope: {namespaces: [], allNamespaces: true}}),
      /no namespace has a Dapr-enabled workload; nothing was changed/,
    )
  })
})
