// The helm command and value order of `dapr init -k`, and what --dry-run prints.
import assert from 'node:assert/strict'

import {describeBundle, generateBundle} from '../../../src/lib/certs/index.js'
import {type InitKubernetesFlags, installOptions} from '../../../src/lib/helm/options.js'
import {buildInstallPlan, renderInstallPlan, shellCommand} from '../../../src/lib/helm/plan.js'

const flags = (more: Partial<InitKubernetesFlags> = {}): InitKubernetesFlags => ({'enable-mtls': true, ...more})

/** The value of each `--set`, in command-line order. */
function sets(args: string[]): string[] {
  return args.flatMap((arg, i) => (args[i - 1] === '--set' ? [arg] : []))
}

describe('install plan', () => {
  it('runs helm install for release dapr, creating the namespace, with the flags before the user --set', () => {
    const plan = buildInstallPlan(
      installOptions(flags({namespace: 'dapr-a', 'enable-ha': true, set: ['global.mtls.enabled=false', 'x=1']}), {}),
    )
    assert.deepEqual(plan.helmArgs.slice(0, 5), [
      'install',
      'dapr',
      'dapr',
      '--repo',
      'https://dapr.github.io/helm-charts',
    ])
    assert.ok(plan.helmArgs.includes('--create-namespace'))
    assert.equal(plan.helmArgs[plan.helmArgs.indexOf('--namespace') + 1], 'dapr-a')
    assert.deepEqual(sets(plan.helmArgs), [
      'global.ha.enabled=true',
      'global.mtls.enabled=true',
      'global.mtls.enabled=false',
      'x=1',
    ])
    assert.equal(plan.mtlsEnabled, false, 'a later --set wins over --enable-mtls')
    assert.equal(plan.haEnabled, true)
  })

  it('pins chart version and image tag only for a version other than latest', () => {
    const pinned = buildInstallPlan(installOptions(flags({'runtime-version': '1.16.2'}), {}))
    assert.equal(pinned.helmArgs[pinned.helmArgs.indexOf('--version') + 1], '1.16.2')
    assert.ok(sets(pinned.helmArgs).includes('global.tag=1.16.2'))
    const latest = buildInstallPlan(installOptions(flags(), {}))
    assert.ok(!latest.helmArgs.includes('--version'))
    assert.ok(!sets(latest.helmArgs).some((s) => s.startsWith('global.tag=')))
  })

  it('passes --wait, --timeout in seconds, --kubeconfig and --kube-context to helm', () => {
    const plan = buildInstallPlan(
      installOptions(
        flags({wait: true, timeout: 90, kubeconfig: '/k/config', context: 'kind-a', chart: './chart'}),
        {},
      ),
    )
    assert.ok(plan.helmArgs.includes('--wait'))
    assert.equal(plan.helmArgs[plan.helmArgs.indexOf('--timeout') + 1], '90s')
    assert.deepEqual(plan.connectionArgs, ['--kubeconfig', '/k/config', '--kube-context', 'kind-a'])
    assert.deepEqual(plan.helmArgs.slice(0, 3), ['install', 'dapr', './chart'])
    assert.ok(!plan.helmArgs.includes('--repo'))
  })

  describe('with certificates', () => {
    const certificates = async () => {
      const {bundle} = await generateBundle({namespace: 'dapr-a', validityDays: 30})
      return {bundle, infos: describeBundle(bundle)}
    }

    it('lists the certificate values last, after the user --set, as the official CLI applies them', async () => {
      const {infos} = await certificates()
      const plan = buildInstallPlan(installOptions(flags({'generate-certs': true, set: ['a=1']}), {}), infos)
      assert.deepEqual(
        plan.values.map((v) => v.key),
        [
          'global.ha.enabled',
          'global.mtls.enabled',
          'a',
          'dapr_sentry.tls.root.certPEM',
          'dapr_sentry.tls.issuer.certPEM',
          'dapr_sentry.tls.issuer.keyPEM',
        ],
      )
    })

    it('never puts a certificate or key on the helm command line, nor in the plan or --dry-run text', async () => {
      const {bundle, infos} = await certificates()
      const plan = buildInstallPlan(installOptions(flags({'generate-certs': true}), {}), infos)
      const everything = [...plan.helmArgs, JSON.stringify(plan), renderInstallPlan(plan)].join('\n')
      assert.doesNotMatch(everything, /BEGIN|PRIVATE KEY/)
      assert.doesNotMatch(plan.helmArgs.join(' '), /dapr_sentry|--values/)
      for (const pem of [bundle.rootCertPem, bundle.issuerCertPem, bundle.issuerKeyPem]) {
        const body = pem.split('\n')[1] ?? ''
        assert.ok(!everything.includes(body))
      }
      assert.ok(renderInstallPlan(plan).includes(infos[0]!.sha256Fingerprint))
    })
  })

  it('--dry-run shows a command a person can paste and every value with where it came from', () => {
    const text = renderInstallPlan(buildInstallPlan(installOptions(flags({set: ["motd=it's"]}), {})))
    assert.match(text, /helm install dapr dapr --repo https:\/\/dapr.github.io\/helm-charts --namespace dapr-system/)
    assert.ok(text.includes(`--set 'motd=it'\\''s'`))
    assert.match(text, /global\.mtls\.enabled\s+true\s+--enable-mtls/)
    assert.match(text, /Sentry generates/)
  })

  it('shellCommand quotes only what a shell would split or expand', () => {
    assert.equal(shellCommand(['helm', 'a=b,c', 'x y', '{a,b}', '$HOME']), `helm a=b,c 'x y' '{a,b}' '$HOME'`)
  })
})
