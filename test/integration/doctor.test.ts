// `dapr mtls doctor -k` on the test cluster: each check OK, WARN or FAIL when the cluster really is so, the exit code
// by the worst, the sidecars that would fail grouped by owner, and missing rights printed as a Role that, once
// applied, lets the same user renew.
import assert from 'node:assert/strict'

import {execa} from 'execa'

import {generateBundle} from '../../src/lib/certs/index.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {
  adminKubeconfig,
  clients,
  daprK,
  freshHomeEachTest,
  grantReadOnly,
  kubectl,
  readClusterBundle,
  restrictedKubeconfig,
  untilAllowed,
} from './context.js'

interface Report {
  status: string
  checks: {id: string; status: string; detail: string; hint?: string; items?: string[]}[]
  accessManifest?: string
}

/** A namespace of its own per test: a deleted namespace takes the namespace controller seconds to go. */
let appsNamespace = 'apps-doctor'
let namespaces = 0

async function apply(manifest: string): Promise<void> {
  await execa(process.env.IT_KUBECTL ?? 'kubectl', ['apply', '-f', '-'], {
    env: {KUBECONFIG: adminKubeconfig()},
    input: manifest,
  })
}

/**
 * A Dapr app as the sidecar injector leaves it: a `daprd` container whose DAPR_TRUST_ANCHORS holds the roots of the
 * moment. The test cluster runs no injector, so the test writes that container itself, standing in for it.
 */
function injectedApp(kind: 'Deployment' | 'Pod', name: string, anchors: string, replicas = 1): object {
  const pod = {
    metadata: {labels: {app: name}, annotations: {'dapr.io/enabled': 'true', 'dapr.io/app-id': name}},
    spec: {
      containers: [
        {name: 'app', image: `example.com/${name}:1`},
        {
          name: 'daprd',
          image: 'daprio/daprd:1.16.2',
          env: [
            {name: 'DAPR_TRUST_ANCHORS', value: anchors},
            {name: 'NAMESPACE', value: appsNamespace},
          ],
        },
      ],
    },
  }
  if (kind === 'Pod')
    return {apiVersion: 'v1', kind, metadata: {...pod.metadata, name, namespace: appsNamespace}, spec: pod.spec}
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {name, namespace: appsNamespace},
    spec: {replicas, selector: {matchLabels: {app: name}}, template: pod},
  }
}

/** Waits until `count` running pods labelled app=<name> exist (kwok makes scheduled pods ready in about a second). */
async function untilPods(name: string, count: number): Promise<void> {
  const {core} = clients()
  const deadline = Date.now() + 60_000
  for (;;) {
    const pods = await core.listNamespacedPod({namespace: appsNamespace, labelSelector: `app=${name}`})
    const running = pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
    if (running.length === count) return
    if (Date.now() > deadline) throw new Error(`${name}: ${running.length} of ${count} pods running`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describe('dapr mtls doctor -k', function () {
  this.timeout(240_000)
  const home = freshHomeEachTest()
  const doctor = async (kubeconfig = adminKubeconfig(), extra: string[] = []) => {
    const result = await daprK(home(), ['mtls', 'doctor', '-k', '-o', 'json', ...extra], kubeconfig)
    return {result, report: JSON.parse(result.stdout) as Report}
  }
  const statusOf = (report: Report, id: string) => report.checks.find((c) => c.id === id)?.status

  it('passes a consistent bundle on every row (exit 0), and warns (exit 3) when Helm manages the objects', async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    const {result, report} = await doctor()
    assert.equal(result.exitCode, 0, result.stdout)
    assert.deepEqual(
      report.checks.filter((c) => c.status !== 'ok'),
      [],
    )
    assert.deepEqual(
      report.checks.map((c) => c.id),
      [
        'configmap',
        'anchors',
        'issuer-chain',
        'issuer-key',
        'sentry-rules',
        'issuer-expiry',
        'root-expiry',
        'expired-roots',
        'expiry-overlap',
        'sentry-keys',
        'ownership',
        'rotation',
        'sidecars',
        'access',
      ],
    )
    const table = await daprK(home(), ['mtls', 'doctor', '-k'])
    assert.match(table.stdout, /^RESULT +CHECK +DETAIL\nOK +Secret and ConfigMap ca\.crt are byte-identical/)
    assert.match(table.stdout, /passes the rules of Sentry 1\.16\.2, as a renewal checks/)

    await installDaprFixture(adminKubeconfig(), {
      appsNamespace: null,
      secret: {
        labels: {'app.kubernetes.io/managed-by': 'Helm'},
        annotations: {'meta.helm.sh/release-name': 'dapr', 'meta.helm.sh/release-namespace': 'dapr-system'},
      },
    })
    const helm = await doctor()
    assert.equal(helm.result.exitCode, 3, helm.result.stdout)
    const ownership = helm.report.checks.find((c) => c.id === 'ownership')
    assert.equal(ownership?.status, 'warn')
    assert.match(ownership?.hint ?? '', /--reuse-values/)
  })

  it('fails a ConfigMap that differs from the Secret by one byte (exit 4), with the fix', async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    const {core} = clients()
    const configMap = await core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace: 'dapr-system'})
    configMap.data = {'ca.crt': `${configMap.data?.['ca.crt'] ?? ''}\n`}
    await core.replaceNamespacedConfigMap({name: 'dapr-trust-bundle', namespace: 'dapr-system', body: configMap})
    const {result, report} = await doctor()
    assert.equal(result.exitCode, 4, result.stdout)
    const row = report.checks.find((c) => c.id === 'configmap')
    assert.equal(row?.status, 'fail')
    assert.match(row?.detail ?? '', /differs from the Secret's: at its next reload Sentry throws the bundle away/)
    assert.match(row?.hint ?? '', /kubectl -n dapr-system get secret dapr-trust-bundle/)
  })

  describe("the sidecars' trust anchors", () => {
    beforeEach(() => {
      appsNamespace = `apps-doctor-${++namespaces}`
    })
    afterEach(async () => {
      // The pods go first, waited for, so no later check sees them; the namespace goes in the background.
      await kubectl('delete', 'deployment,pod', '--all', '-n', appsNamespace, '--wait=true').catch(() => '')
      await kubectl('delete', 'namespace', appsNamespace, '--wait=false').catch(() => '')
    })

    it('fails the pods whose anchors lack the root in use, grouped by owner; a root renewed with the same key still counts', async () => {
      const fixture = await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const old = await generateBundle({namespace: 'dapr-system', validityDays: 100})
      const current = (await readClusterBundle()).caCrt
      await kubectl('create', 'namespace', appsNamespace).catch(() => '')
      await apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            injectedApp('Deployment', 'fresh', current, 2),
            injectedApp('Deployment', 'stale', old.bundle.rootCertPem, 2),
            injectedApp('Pod', 'stray', old.bundle.rootCertPem),
          ],
        }),
      )
      await Promise.all([untilPods('fresh', 2), untilPods('stale', 2), untilPods('stray', 1)])
      const {result, report} = await doctor()
      assert.equal(result.exitCode, 4, result.stdout)
      const sidecars = report.checks.find((c) => c.id === 'sidecars')
      assert.equal(sidecars?.status, 'fail')
      assert.deepEqual(sidecars?.items, [
        `${appsNamespace}/deployment/stale: 2 pods`,
        `${appsNamespace}/pod/stray (Pod (no owner)): 1 pod`,
      ])
      assert.match(
        sidecars?.hint ?? '',
        new RegExp(`dapr mtls restart-apps -k --only ${appsNamespace}/deployment/stale; recreate the bare pods`),
      )

      // Renewed with the root key, the root is a new certificate with the same key: the fresh pods still trust it.
      const kept = await daprK(home(), ['mtls', 'renew-certificate', '-k', '--private-key', fixture.rootKeyPath ?? ''])
      assert.equal(kept.exitCode, 0, kept.stderr)
      assert.notEqual((await readClusterBundle()).caCrt, current)
      assert.deepEqual((await doctor()).report.checks.find((c) => c.id === 'sidecars')?.items?.length, 2)

      // A fresh root: now every pod is stale.
      assert.equal((await daprK(home(), ['mtls', 'renew-certificate', '-k'])).exitCode, 0)
      const items = (await doctor()).report.checks.find((c) => c.id === 'sidecars')?.items
      assert.deepEqual(items?.[0], `${appsNamespace}/deployment/fresh: 2 pods`)
      assert.equal(items?.length, 3)
    })

    it('restart-apps restarts the workloads and lists the bare pod it cannot replace, leaving it as it is', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      const {caCrt} = await readClusterBundle()
      await kubectl('create', 'namespace', appsNamespace).catch(() => '')
      await apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [injectedApp('Deployment', 'fresh', caCrt), injectedApp('Pod', 'stray', caCrt)],
        }),
      )
      await Promise.all([untilPods('fresh', 1), untilPods('stray', 1)])
      const {core} = clients()
      const stray = await core.readNamespacedPod({name: 'stray', namespace: appsNamespace})
      const result = await daprK(home(), ['mtls', 'restart-apps', '-k', '--app-namespace', appsNamespace])
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /Restarted 1 Dapr-enabled application/)
      assert.match(
        result.stderr,
        new RegExp(
          `1 pod with a daprd sidecar no rollout can replace, left as they are \\(restart them yourself\\): ${appsNamespace}/stray \\(Pod \\(no owner\\)\\)`,
        ),
      )
      const after = await core.readNamespacedPod({name: 'stray', namespace: appsNamespace})
      assert.equal(after.metadata?.uid, stray.metadata?.uid, 'the bare pod is untouched')
    })
  })

  describe("the user's rights", () => {
    afterEach(async () => {
      await kubectl('delete', 'role,rolebinding', 'dapr-mtls-renewal', 'dapr-reader', '-n', 'dapr-system').catch(
        () => '',
      )
      await kubectl('delete', 'clusterrole,clusterrolebinding', 'dapr-mtls-renewal').catch(() => '')
    })

    it('prints the missing rights as a Role and RoleBinding; applied, the same user renews and restarts', async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
      await grantReadOnly('dapr-system')
      const restricted = ['-n', 'dapr-system']
      const before = await doctor(restrictedKubeconfig(), restricted)
      // Pods across namespaces may not be listed: that check could not run (exit 1), the rights are a warning.
      assert.equal(before.result.exitCode, 1, before.result.stdout)
      assert.equal(statusOf(before.report, 'sidecars'), 'error')
      assert.equal(statusOf(before.report, 'access'), 'warn')
      assert.equal(statusOf(before.report, 'configmap'), 'ok', 'what it may read is still checked')
      const manifest = before.report.accessManifest ?? ''
      assert.match(manifest, /kind: Role\n/)
      assert.match(manifest, /name: restricted/)

      // Negative control: without those rights the renewal is refused.
      const refused = await daprK(
        home(),
        ['mtls', 'renew-certificate', '-k', '--restart', ...restricted],
        restrictedKubeconfig(),
      )
      assert.equal(refused.exitCode, 1, refused.stderr)
      assert.match(refused.stderr, /permission denied: cannot update secrets dapr-trust-bundle/)

      await apply(manifest)
      const {core} = clients(restrictedKubeconfig())
      await untilAllowed(() => core.listPodForAllNamespaces({limit: 1}))
      const granted = await doctor(restrictedKubeconfig(), restricted)
      assert.equal(statusOf(granted.report, 'access'), 'ok', granted.result.stdout)
      assert.equal(granted.result.exitCode, 0, granted.result.stdout)
      const renewed = await daprK(
        home(),
        ['mtls', 'renew-certificate', '-k', '--restart', ...restricted],
        restrictedKubeconfig(),
      )
      assert.equal(renewed.exitCode, 0, renewed.stderr)
      assert.match(renewed.stderr, /All control plane services have restarted successfully!/)
    })
  })
})
