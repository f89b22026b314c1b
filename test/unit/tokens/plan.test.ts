// The token plans on plain objects: what create, rotate and delete write, which workloads they roll with which
// template patch, and every refusal.
import assert from 'node:assert/strict'

import {UsageError, UserError} from '../../../src/lib/errors.js'
import {tokenKinds} from '../../../src/lib/tokens/kinds.js'
import type {TokenSecret, TokenWorkload} from '../../../src/lib/tokens/model.js'
import {
  appContainer,
  attachPatch,
  detachPatch,
  type NamespaceState,
  planCreate,
  planDelete,
  planRotate,
  secretReferences,
} from '../../../src/lib/tokens/plan.js'

const api = tokenKinds.api
const none = {workloads: [], all: false}

function workload(name: string, options: Partial<TokenWorkload> = {}): TokenWorkload {
  return {
    namespace: 'shop',
    kind: 'Deployment',
    name,
    daprEnabled: true,
    replicas: 2,
    annotations: {'dapr.io/enabled': 'true'},
    containers: [{name, env: [], envFromSecrets: []}],
    ...options,
  }
}

function secret(generation?: number): TokenSecret {
  return {
    namespace: 'shop',
    name: 'dapr-api-token',
    resourceVersion: '7',
    token: 'current',
    createdAt: undefined,
    updatedAt: undefined,
    generation,
    fingerprint: undefined,
  }
}

const state = (workloads: TokenWorkload[], current?: TokenSecret): NamespaceState => ({
  namespace: 'shop',
  secret: current,
  workloads,
})

const attached = (name: string, generation = '1') =>
  workload(name, {
    annotations: {
      'dapr.io/enabled': 'true',
      'dapr.io/api-token-secret': 'dapr-api-token',
      'dapr-mtls/api-token-generation': generation,
    },
    containers: [
      {name, env: [{name: 'DAPR_API_TOKEN', secretName: 'dapr-api-token', secretKey: 'token'}], envFromSecrets: []},
    ],
  })

describe('token plans', () => {
  it('attaches with the annotation, the generation and a secretKeyRef that replaces any literal value', () => {
    assert.deepEqual(attachPatch(api, 'dapr-api-token', 'web', 3), {
      annotations: {'dapr.io/api-token-secret': 'dapr-api-token', 'dapr-mtls/api-token-generation': '3'},
      containers: [
        {
          name: 'web',
          env: [
            {name: 'DAPR_API_TOKEN', value: null, valueFrom: {secretKeyRef: {name: 'dapr-api-token', key: 'token'}}},
          ],
        },
      ],
    })
  })

  it("gives the token to kubectl's default container when the template names one, else to the first", () => {
    const two = workload('web', {
      containers: [
        {name: 'proxy', env: [], envFromSecrets: []},
        {name: 'web', env: [], envFromSecrets: []},
      ],
    })
    assert.equal(appContainer(two), 'proxy')
    two.annotations['kubectl.kubernetes.io/default-container'] = 'web'
    assert.equal(appContainer(two), 'web')
    two.annotations['kubectl.kubernetes.io/default-container'] = 'gone'
    assert.equal(appContainer(two), 'proxy')
  })

  it('counts both token annotations and any container reading the Secret as a reference', () => {
    const both = workload('web', {
      annotations: {'dapr.io/app-token-secret': 'shared', 'dapr.io/api-token-secret': 'shared'},
      containers: [
        {name: 'web', env: [], envFromSecrets: ['shared']},
        {name: 'side', env: [{name: 'X', secretName: 'other'}], envFromSecrets: []},
      ],
    })
    assert.deepEqual(secretReferences(both, 'shared'), {
      annotations: ['dapr.io/api-token-secret', 'dapr.io/app-token-secret'],
      containers: ['web'],
    })
    assert.deepEqual(secretReferences(both, 'none'), {annotations: [], containers: []})
  })

  describe('create', () => {
    it('creates a missing Secret at generation 1 and attaches the named workload only', () => {
      const plan = planCreate(
        api,
        'dapr-api-token',
        [state([workload('web'), workload('api')])],
        {
          workloads: [{namespace: 'shop', kind: 'Deployment', name: 'web'}],
          all: false,
        },
        {force: false, givenToken: undefined},
      )
      assert.equal(plan.namespaces[0]?.secret, 'create')
      assert.equal(plan.namespaces[0]?.generation, 1)
      assert.deepEqual(
        plan.namespaces[0]?.steps.map((s) => [s.workload.name, s.change, s.container]),
        [['web', 'attach', 'web']],
      )
    })

    it('keeps an existing Secret and attaches at its generation; a workload already attached is not rolled again', () => {
      const plan = planCreate(
        api,
        'dapr-api-token',
        [state([attached('web', '4'), workload('api')], secret(4))],
        {
          workloads: [],
          all: true,
        },
        {force: false, givenToken: undefined},
      )
      assert.equal(plan.namespaces[0]?.secret, 'keep')
      assert.deepEqual(
        plan.namespaces[0]?.steps.map((s) => s.workload.name),
        ['api'],
      )
      assert.equal(plan.namespaces[0]?.steps[0]?.patch.annotations?.['dapr-mtls/api-token-generation'], '4')
    })

    it('--all-workloads takes the Dapr-enabled workloads only', () => {
      const plan = planCreate(
        api,
        'dapr-api-token',
        [state([workload('web'), workload('static', {daprEnabled: false})])],
        {
          workloads: [],
          all: true,
        },
        {force: false, givenToken: undefined},
      )
      assert.deepEqual(
        plan.namespaces[0]?.steps.map((s) => s.workload.name),
        ['web'],
      )
    })

    it('warns that a single-replica workload is unavailable while it rolls', () => {
      const plan = planCreate(
        api,
        'dapr-api-token',
        [state([workload('solo', {replicas: 1})])],
        {workloads: [], all: true},
        {
          force: false,
          givenToken: undefined,
        },
      )
      assert.deepEqual(plan.warnings, [
        'shop/deployment/solo has 1 replica: it is unavailable while its pod is replaced',
      ])
    })

    for (const [title, run, error, pattern] of [
      [
        'a workload that does not exist',
        () =>
          planCreate(
            api,
            'dapr-api-token',
            [state([])],
            {workloads: [{namespace: 'shop', kind: 'Deployment', name: 'x'}], all: false},
            {
              force: false,
              givenToken: undefined,
            },
          ),
        UserError,
        /--workload shop\/deployment\/x was not found; nothing was changed/,
      ],
      [
        'a workload that is not Dapr-enabled',
        () =>
          planCreate(
            api,
            'dapr-api-token',
            [state([workload('static', {daprEnabled: false})])],
            {
              workloads: [{namespace: 'shop', kind: 'Deployment', name: 'static'}],
              all: false,
            },
            {force: false, givenToken: undefined},
          ),
        UsageError,
        /shop\/deployment\/static is not Dapr-enabled/,
      ],
      [
        'a workload pointed at another Secret, without --force',
        () =>
          planCreate(
            api,
            'dapr-api-token',
            [state([workload('web', {annotations: {'dapr.io/api-token-secret': 'old'}})])],
            {
              workloads: [],
              all: true,
            },
            {force: false, givenToken: undefined},
          ),
        UserError,
        /shop\/deployment\/web already uses another Secret.*nothing was changed/,
      ],
      [
        'a given token that differs from the one an existing Secret holds',
        () => planCreate(api, 'dapr-api-token', [state([], secret(1))], none, {force: false, givenToken: 'other'}),
        UserError,
        /already exists in namespace shop with another token; nothing was changed/,
      ],
    ] as const) {
      it(`refuses ${title}`, () => {
        assert.throws(run, (e: unknown) => e instanceof error && pattern.test((e as Error).message))
      })
    }

    it('--force points a workload away from another Secret', () => {
      const plan = planCreate(
        api,
        'dapr-api-token',
        [state([workload('web', {annotations: {'dapr.io/api-token-secret': 'old'}})])],
        {
          workloads: [],
          all: true,
        },
        {force: true, givenToken: undefined},
      )
      assert.equal(plan.namespaces[0]?.steps.length, 1)
    })
  })

  describe('rotate', () => {
    it('replaces the token at the next generation and rolls every workload that uses the Secret, by annotation or envFrom', () => {
      const envFrom = workload('worker', {containers: [{name: 'worker', env: [], envFromSecrets: ['dapr-api-token']}]})
      const plan = planRotate(
        api,
        'dapr-api-token',
        [state([attached('web', '2'), envFrom, workload('other')], secret(2))],
        none,
        {
          restartOnly: false,
        },
      )
      assert.equal(plan.namespaces[0]?.secret, 'replace')
      assert.equal(plan.namespaces[0]?.generation, 3)
      assert.deepEqual(
        plan.namespaces[0]?.steps.map((s) => s.workload.name),
        ['web', 'worker'],
      )
      assert.deepEqual(plan.namespaces[0]?.steps[0]?.patch, {annotations: {'dapr-mtls/api-token-generation': '3'}})
    })

    it('takes a Secret written by other hands as generation 1', () => {
      const plan = planRotate(api, 'dapr-api-token', [state([], secret(undefined))], none, {restartOnly: false})
      assert.equal(plan.namespaces[0]?.generation, 2)
    })

    it('--restart-only writes no token and rolls only the workloads stamped with another generation', () => {
      const plan = planRotate(
        api,
        'dapr-api-token',
        [state([attached('web', '3'), attached('api', '2')], secret(3))],
        none,
        {
          restartOnly: true,
        },
      )
      assert.equal(plan.namespaces[0]?.secret, 'keep')
      assert.deepEqual(
        plan.namespaces[0]?.steps.map((s) => s.workload.name),
        ['api'],
      )
    })

    it('refuses a namespace without the Secret, naming the create command, before anything is written', () => {
      assert.throws(
        () => planRotate(api, 'dapr-api-token', [state([])], none, {restartOnly: false}),
        (e: unknown) =>
          e instanceof UserError &&
          /there is no Secret dapr-api-token in namespace shop; nothing was changed/.test(e.message) &&
          /dapr api-token create -k --app-namespace shop/.test(e.hint ?? ''),
      )
    })
  })

  describe('delete', () => {
    it('refuses while a workload uses the Secret, naming it', () => {
      assert.throws(
        () => planDelete(api, 'dapr-api-token', [state([attached('web')], secret(1))], none, {force: false}),
        /still used by shop\/deployment\/web: their new pods could not start without it; nothing was changed/,
      )
    })

    it('detaches the referencing workloads with --all-workloads, then deletes', () => {
      const plan = planDelete(
        api,
        'dapr-api-token',
        [state([attached('web'), workload('other')], secret(1))],
        {workloads: [], all: true},
        {
          force: false,
        },
      )
      assert.equal(plan.namespaces[0]?.secret, 'delete')
      assert.deepEqual(
        plan.namespaces[0]?.steps.map((s) => [s.workload.name, s.change]),
        [['web', 'detach']],
      )
    })

    it('still refuses when a detached workload keeps an envFrom reference the patch cannot remove', () => {
      const envFrom = workload('worker', {containers: [{name: 'worker', env: [], envFromSecrets: ['dapr-api-token']}]})
      assert.throws(
        () =>
          planDelete(api, 'dapr-api-token', [state([envFrom], secret(1))], {workloads: [], all: true}, {force: false}),
        /still used by shop\/deployment\/worker/,
      )
    })

    it('--force deletes a Secret in use; an absent Secret is nothing to delete', () => {
      assert.equal(
        planDelete(api, 'dapr-api-token', [state([attached('web')], secret(1))], none, {force: true}).namespaces[0]
          ?.secret,
        'delete',
      )
      assert.equal(planDelete(api, 'dapr-api-token', [state([])], none, {force: false}).namespaces[0]?.secret, 'absent')
    })

    it('removes the annotation, the generation and only the variables reading the Secret', () => {
      const web = attached('web')
      web.containers[0]?.env.push({name: 'LOG_LEVEL'})
      assert.deepEqual(detachPatch(api, web, 'dapr-api-token'), {
        annotations: {'dapr-mtls/api-token-generation': null, 'dapr.io/api-token-secret': null},
        containers: [{name: 'web', env: [{name: 'DAPR_API_TOKEN', $patch: 'delete'}]}],
      })
    })
  })
})
