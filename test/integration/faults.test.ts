// Proof that faults lose nothing (issue 12): real faults between the CLI and the apiserver (a proxy in the test
// harness that drops, delays or holds answers; an apiserver stopped where it stands; a rollout that cannot finish;
// Ctrl-C at the exact moment), each ending with both trust-bundle objects old or new and identical, never mixed, and
// an exit code and message that say which, with the backup and the way back.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type ApiProxy, faultFirst, startApiProxy} from '../cluster/api-proxy.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {type CliResult, dapr, untilLine} from '../helpers/cli.js'
import {
  adminKubeconfig,
  clients,
  daprK,
  freshHomeEachTest,
  kubectl,
  pauseApiServer,
  readClusterBundle,
  startDaprK,
} from './context.js'

const namespace = 'dapr-system'
const secretPath = /\/api\/v1\/namespaces\/dapr-system\/secrets\/dapr-trust-bundle$/
const configMapPath = /\/api\/v1\/namespaces\/dapr-system\/configmaps\/dapr-trust-bundle$/
const sentryPath = /\/apis\/apps\/v1\/namespaces\/dapr-system\/deployments\/dapr-sentry$/

/** The backup file a run names on stderr ("Previous trust bundle saved in <file>"). */
function backupNamed(stderr: string): string {
  const file = /Previous trust bundle saved in (\S+)/.exec(stderr)?.[1] ?? ''
  assert.ok(existsSync(file), `the backup named on stderr exists: ${stderr}`)
  return file
}

/** Both objects identical and either the old bundle or a new one: never a mix. */
function assertOldOrNew(
  after: Awaited<ReturnType<typeof readClusterBundle>>,
  before: Awaited<ReturnType<typeof readClusterBundle>>,
  expected: 'old' | 'new',
): void {
  assert.equal(after.configMapCaCrt, after.caCrt, 'the ConfigMap root equals the Secret root byte for byte')
  const same =
    after.caCrt === before.caCrt && after.issuerCrt === before.issuerCrt && after.issuerKey === before.issuerKey
  assert.equal(same ? 'old' : 'new', expected)
  if (!same) {
    assert.notEqual(after.caCrt, before.caCrt)
    assert.notEqual(after.issuerKey, before.issuerKey)
  }
}

/** Annotations a restart writes into a pod template, read as an admin. */
async function restartedAt(kind: 'deployment' | 'statefulset', name: string, ns = namespace): Promise<string> {
  return kubectl(
    'get',
    kind,
    name,
    '-n',
    ns,
    '-o',
    'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
  )
}

describe('proof that faults lose nothing', function () {
  this.timeout(240_000)
  const home = freshHomeEachTest()
  let proxy: ApiProxy
  let dir: string
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-faults-'))
    proxy = await startApiProxy(adminKubeconfig(), dir)
  })
  after(async () => {
    await proxy.close()
    rmSync(dir, {recursive: true, force: true})
  })
  beforeEach(async () => {
    proxy.setRule(undefined)
    await installDaprFixture(adminKubeconfig())
    proxy.requests.length = 0
  })
  afterEach(async () => {
    proxy.setRule(undefined)
    await proxy.settled()
  })

  describe('a connection that fails in the middle of the write', () => {
    it('drops the Secret write after sending it: the write is found, both end new and identical, the output says so and names the backup', async () => {
      const before = await readClusterBundle()
      proxy.setRule(faultFirst('PUT', secretPath, {kind: 'drop-after-send'}))
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k'], proxy.kubeconfig)
      await proxy.settled()
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /Certificate rotation is successful!/)
      assertOldOrNew(await readClusterBundle(), before, 'new')
      assert.ok(readFileSync(backupNamed(result.stderr), 'utf8').includes(Buffer.from(before.caCrt).toString('base64')))
      // The unanswered write was read back before going on, found written, and not sent again.
      const seen = proxy.requests
        .filter((r) => secretPath.test(r.url.split('?')[0] ?? '') || configMapPath.test(r.url.split('?')[0] ?? ''))
        .map((r) => `${r.method} ${secretPath.test(r.url.split('?')[0] ?? '') ? 'Secret' : 'ConfigMap'}`)
      const put = seen.indexOf('PUT Secret')
      assert.deepEqual(seen.slice(put, put + 3), ['PUT Secret', 'GET Secret', 'PUT ConfigMap'], seen.join(', '))
      assert.equal(seen.filter((r) => r === 'PUT Secret').length, 1, seen.join(', '))
    })

    it('holds the ConfigMap answer past --request-timeout (the apiserver acted): found written, both new and identical', async () => {
      const before = await readClusterBundle()
      proxy.setRule(faultFirst('PUT', configMapPath, {kind: 'delay-response', ms: 3000}))
      const result = await daprK(
        home(),
        ['mtls', 'renew-certificate', '-k', '--request-timeout', '1'],
        proxy.kubeconfig,
      )
      await proxy.settled()
      assert.equal(result.exitCode, 0, result.stderr)
      assertOldOrNew(await readClusterBundle(), before, 'new')
      backupNamed(result.stderr)
    })

    it('never gets a ConfigMap write through: the Secret is put back, both old and identical, and the message says so', async () => {
      const before = await readClusterBundle()
      proxy.setRule((request) =>
        request.method === 'PUT' && configMapPath.test(request.url.split('?')[0] ?? '') ? {kind: 'hang'} : undefined,
      )
      const result = await daprK(
        home(),
        ['mtls', 'renew-certificate', '-k', '--request-timeout', '1'],
        proxy.kubeconfig,
      )
      assert.equal(result.exitCode, 1, result.stderr)
      const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
      assert.match(failure ?? '', /writing ConfigMap dapr-system\/dapr-trust-bundle failed .*the Secret was put back/)
      const file = backupNamed(result.stderr)
      assert.ok(hint?.includes(`dapr mtls rollback -k -n dapr-system --backup ${file}`), hint)
      assertOldOrNew(await readClusterBundle(), before, 'old')
    })
  })

  describe('the read-back check', () => {
    /** Holds the ConfigMap write's answer while `act` runs: the moment between the write and the read-back. */
    const holdConfigMapAnswer = (act: () => Promise<void>) => {
      proxy.setRule(faultFirst('PUT', configMapPath, {kind: 'pause-response', until: act}))
    }

    it('catches a writer that changes the Secret between the write and the read-back (a test reactor in the proxy)', async () => {
      holdConfigMapAnswer(async () => {
        const {core} = clients()
        const secret = await core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace})
        const issuer = Buffer.from(secret.data?.['issuer.crt'] ?? '', 'base64').toString()
        secret.data = {...secret.data, 'issuer.crt': Buffer.from(`${issuer}\n`).toString('base64')}
        await core.replaceNamespacedSecret({name: 'dapr-trust-bundle', namespace, body: secret})
      })
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--restart'], proxy.kubeconfig)
      assert.equal(result.exitCode, 1, result.stderr)
      const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
      assert.match(failure ?? '', /the trust bundle in namespace dapr-system changed right after it was written/)
      assert.match(hint ?? '', /Something else writes dapr-trust-bundle.*dapr mtls rollback -k/)
      assert.equal(await restartedAt('deployment', 'dapr-sentry'), '', 'nothing is restarted over a bundle in doubt')
    })

    it('negative control: the same held answer with no other writer passes the read-back', async () => {
      holdConfigMapAnswer(() => new Promise((resolve) => setTimeout(resolve, 500)))
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k'], proxy.kubeconfig)
      assert.equal(result.exitCode, 0, result.stderr)
    })
  })

  describe('restarts that cannot finish', () => {
    it('the apiserver stops while --restart waits: exit 1 within --timeout, saying what was and was not restarted; back, doctor finds the bundle consistent', async () => {
      let resume: (() => Promise<void>) | undefined
      let stoppedAt = 0
      proxy.setRule(
        faultFirst('PATCH', sentryPath, {
          kind: 'pause-response',
          until: () => {
            resume = pauseApiServer()
            stoppedAt = Date.now()
            return Promise.resolve()
          },
        }),
      )
      let result: CliResult | undefined
      try {
        result = await daprK(
          home(),
          ['mtls', 'renew-certificate', '-k', '--restart', '--timeout', '12', '--request-timeout', '2'],
          proxy.kubeconfig,
        )
      } finally {
        await resume?.()
      }
      const seconds = (Date.now() - stoppedAt) / 1000
      await proxy.settled()
      assert.ok(result)
      assert.equal(result.exitCode, 1, result.stderr)
      assert.ok(stoppedAt > 0, 'the apiserver was stopped during the restart')
      assert.ok(seconds < 12 + 3, `exited ${seconds.toFixed(1)}s after the apiserver stopped (--timeout 12)`)
      const [failure] = result.stderr.trimEnd().split('\n').slice(-2)
      assert.match(
        failure ?? '',
        /did not finish within 12s: dapr-sentry \(timed out: .*\); not restarted \(dapr-sentry did not finish\): dapr-operator, dapr-sidecar-injector, dapr-placement-server, dapr-scheduler-server/,
      )
      assert.match(result.stdout, /Certificate rotation is successful!/, 'the bundle was written before the restart')
      const doctor = await daprK(home(), ['mtls', 'doctor', '-k', '-o', 'json'])
      const report = JSON.parse(doctor.stdout) as {checks: {id: string; status: string}[]}
      assert.deepEqual(
        report.checks.filter((c) => ['configmap', 'sentry-rules', 'issuer-chain'].includes(c.id)).map((c) => c.status),
        ['ok', 'ok', 'ok'],
        doctor.stdout,
      )
      assert.equal(doctor.exitCode, 0, doctor.stdout)
      assert.equal(await restartedAt('deployment', 'dapr-operator'), '', 'the operator was not restarted')
    })

    it("Sentry's rollout cannot finish (a nodeSelector no node matches): the rest of the control plane and the apps are not restarted, and the message says so", async () => {
      await kubectl(
        'patch',
        'deployment',
        'dapr-sentry',
        '-n',
        namespace,
        '--type=merge',
        '-p',
        '{"spec":{"template":{"spec":{"nodeSelector":{"no-such-label":"x"}}}}}',
      )
      const started = Date.now()
      const result = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--restart-apps', '--timeout', '15'])
      const seconds = (Date.now() - started) / 1000
      assert.equal(result.exitCode, 1, result.stderr)
      const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
      assert.match(
        failure ?? '',
        /did not finish within 15s: dapr-sentry \(timed out: .*\); not restarted \(dapr-sentry did not finish\): dapr-operator, dapr-sidecar-injector, dapr-placement-server, dapr-scheduler-server$/,
      )
      assert.match(
        hint ?? '',
        /No application was restarted; afterwards run: dapr mtls restart-apps -k --kubeconfig \S+ --concurrency 5$/,
      )
      assert.ok(seconds < 15 + 15, `took ${seconds}s`)
      for (const name of ['dapr-operator', 'dapr-sidecar-injector'])
        assert.equal(await restartedAt('deployment', name), '')
      for (const name of ['dapr-placement-server', 'dapr-scheduler-server']) {
        assert.equal(await restartedAt('statefulset', name), '')
      }
      for (const name of ['checkout', 'orders']) assert.equal(await restartedAt('deployment', name, 'apps'), '')
    })
  })

  it('an application that cannot roll out: exit 1 naming it, and the printed command resumes with only that one', async () => {
    await kubectl(
      'patch',
      'deployment',
      'orders',
      '-n',
      'apps',
      '--type=merge',
      '-p',
      '{"spec":{"template":{"spec":{"nodeSelector":{"no-such-label":"x"}}}}}',
    )
    const result = await daprK(home(), ['mtls', 'restart-apps', '-k', '--app-namespace', 'apps', '--timeout', '10'])
    assert.equal(result.exitCode, 1, result.stderr)
    const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
    assert.equal(failure, '1 of 2 application restarts did not finish: apps/deployment/orders')
    const resume = /resume with only those: (.*)$/.exec(hint ?? '')?.[1] ?? ''
    assert.match(resume, /^dapr mtls restart-apps -k --kubeconfig \S+ --concurrency 5 --only apps\/deployment\/orders$/)
    assert.match(result.stderr, /^apps\/deployment\/checkout +restarted /m)
    await kubectl(
      'patch',
      'deployment',
      'orders',
      '-n',
      'apps',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]',
    )
    const checkoutBefore = await restartedAt('deployment', 'checkout', 'apps')
    const resumed = await dapr(resume.split(' ').slice(1), {env: {HOME: home().dir}})
    assert.equal(resumed.exitCode, 0, resumed.stderr)
    assert.equal(await restartedAt('deployment', 'checkout', 'apps'), checkoutBefore, 'only orders is restarted again')
  })

  describe('Ctrl-C', () => {
    /**
     * Runs `args` and sends Ctrl-C (`times` times) at the moment the Secret write is answered, before the ConfigMap
     * write: the proxy holds that answer until the CLI said it holds the signal.
     */
    const ctrlCBetweenWrites = (args: string[], times: 1 | 2) => {
      proxy.setRule(
        faultFirst('PUT', secretPath, {
          kind: 'pause-response',
          until: async () => {
            run.child.kill('SIGINT')
            await untilLine(run.stderrLines, /Finishing the trust-bundle write first/)
            if (times === 2) {
              run.child.kill('SIGINT')
              await run.result
            }
          },
        }),
      )
      // The rule above acts on `run` once the CLI's Secret write is answered, long after this line.
      const run = startDaprK(home(), args, proxy.kubeconfig)
      return run
    }

    it('between the two writes (sent while the Secret write is answered): both are written, exit 130, the restore line printed', async () => {
      const before = await readClusterBundle()
      const run = ctrlCBetweenWrites(['mtls', 'renew-certificate', '-k', '--restart'], 1)
      const result = await run.result
      assert.equal(result.exitCode, 130, result.stderr)
      assertOldOrNew(await readClusterBundle(), before, 'new')
      const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
      assert.match(failure ?? '', /interrupted after the new trust bundle was written in full .* and verified/)
      const file = backupNamed(result.stderr)
      assert.ok(
        hint?.includes(`Restore the previous bundle with: dapr mtls rollback -k -n dapr-system --backup ${file}`),
      )
      assert.equal(await restartedAt('deployment', 'dapr-sentry'), '', 'Ctrl-C stops before any restart')
      // The line printed works: it puts the previous bundle back (through the same proxy: the same cluster URL).
      const rollback = await daprK(
        home(),
        ['mtls', 'rollback', '-k', '-n', namespace, '--backup', file],
        proxy.kubeconfig,
      )
      assert.equal(rollback.exitCode, 0, rollback.stderr)
      assertOldOrNew(await readClusterBundle(), before, 'old')
    })

    it('negative control: a second Ctrl-C stops at once, between the writes, and the objects are left different', async () => {
      const before = await readClusterBundle()
      const run = ctrlCBetweenWrites(['mtls', 'renew-certificate', '-k'], 2)
      const result = await run.result
      assert.equal(result.exitCode, 130, result.stderr)
      assert.match(result.stderr, /Stopped during the trust-bundle write: the Secret and the ConfigMap may differ/)
      const after = await readClusterBundle()
      assert.notEqual(after.caCrt, before.caCrt, 'the Secret write had landed')
      assert.equal(after.configMapCaCrt, before.caCrt, 'the ConfigMap was never written')
    })

    it('during --restart-apps: exit 130, a line saying what was restarted and the command that resumes with the rest', async () => {
      const apps = Array.from({length: 6}, (_, i) => `app-${i}`)
      await kubectl('create', 'namespace', 'sigint-apps').catch(() => '')
      for (const name of apps) {
        await kubectl('create', 'deployment', name, '--image=example.com/app:1', '-n', 'sigint-apps')
        await kubectl(
          'patch',
          'deployment',
          name,
          '-n',
          'sigint-apps',
          '--type=merge',
          '-p',
          '{"spec":{"template":{"metadata":{"annotations":{"dapr.io/enabled":"true"}}}}}',
        )
      }
      try {
        const run = startDaprK(home(), [
          'mtls',
          'renew-certificate',
          '-k',
          '--restart-apps',
          '--app-namespace',
          'sigint-apps',
          '--concurrency',
          '1',
        ])
        await untilLine(run.stderrLines, /^1\/6 restarted: /, 120_000)
        run.child.kill('SIGINT')
        const result = await run.result
        assert.equal(result.exitCode, 130, result.stderr)
        const [failure, hint] = result.stderr.trimEnd().split('\n').slice(-2)
        assert.match(failure ?? '', /^interrupted: 1 of 6 applications restarted \(sigint-apps\/deployment\/app-\d\)/)
        const resume =
          /Resume with only those not restarted: (dapr mtls restart-apps -k --kubeconfig \S+ --concurrency 1( --only \S+)+)$/.exec(
            hint ?? '',
          )?.[1]
        assert.ok(resume, hint)
        const named = [...resume.matchAll(/--only sigint-apps\/deployment\/(\S+)/g)].map((m) => m[1] ?? '')
        assert.ok(named.length >= 4, `at least 4 left to resume: ${resume}`)
        // What the line names is exactly what the cluster shows was not restarted.
        for (const name of apps) {
          const restarted = (await restartedAt('deployment', name, 'sigint-apps')) !== ''
          assert.equal(
            restarted,
            !named.includes(name),
            `${name}: restarted ${restarted}, named ${named.includes(name)}`,
          )
        }
        // As printed: it names the kubeconfig the run was given, so it reaches the same cluster.
        const resumed = await dapr(resume.split(' ').slice(1), {env: {HOME: home().dir}})
        assert.equal(resumed.exitCode, 0, resumed.stderr)
        for (const name of apps) assert.notEqual(await restartedAt('deployment', name, 'sigint-apps'), '')
      } finally {
        await kubectl('delete', 'namespace', 'sigint-apps', '--wait=false')
      }
    })
  })
})
