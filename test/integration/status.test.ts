// `dapr status -k` and the ⚠ expiry banner against the real test cluster.
import assert from 'node:assert/strict'

import {installDaprFixture, uninstallDaprFixture} from '../cluster/fixture.js'
import {assertCleanFailure} from '../helpers/cli.js'
import {adminKubeconfig, daprK, kubectl, freshHomeEachTest} from './context.js'

const components = [
  'dapr-sentry',
  'dapr-operator',
  'dapr-sidecar-injector',
  'dapr-placement-server',
  'dapr-scheduler-server',
]

describe('dapr status -k', function () {
  this.timeout(180_000)
  const home = freshHomeEachTest()

  it('lists the five components healthy in a fixed order, official columns, exit 0', async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    const result = await daprK(home(), ['status', '-k'], adminKubeconfig())
    assert.equal(result.exitCode, 0, result.stderr)
    const [header, ...rows] = result.stdout.split('\n')
    assert.match(header!, /^NAME {2,}NAMESPACE {2,}HEALTHY {2}STATUS {2,}REPLICAS {2}VERSION {2}AGE {2}CREATED$/)
    assert.deepEqual(
      rows.map((r) => r.split(/\s{2,}/)[0]),
      components,
    )
    for (const row of rows) {
      const [, namespace, healthy, status, replicas, version, , created] = row.split(/\s{2,}/)
      assert.deepEqual(
        [namespace, healthy, status, replicas, version],
        ['dapr-system', 'True', 'Running', '1', '1.16.2'],
      )
      assert.match(created!, /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d$/)
    }
    assert.doesNotMatch(result.stderr, /expires/)
  })

  it('reports a component that cannot schedule as unhealthy, exit 3, and -o json parses', async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    await kubectl(
      'patch',
      'deployment',
      'dapr-operator',
      '-n',
      'dapr-system',
      '--type=merge',
      '-p',
      '{"spec":{"template":{"spec":{"nodeSelector":{"no-such-label":"x"}}}}}',
    )
    await kubectl('scale', 'deployment', 'dapr-operator', '-n', 'dapr-system', '--replicas=2')
    // Wait until the controller has acted on the change, as a person would look twice.
    let result = await daprK(home(), ['status', '-k', '-o', 'json'])
    for (let i = 0; i < 20 && result.exitCode === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      result = await daprK(home(), ['status', '-k', '-o', 'json'])
    }
    assert.equal(result.exitCode, 3, result.stderr)
    const status = JSON.parse(result.stdout) as {
      healthy: boolean
      components: {name: string; healthy: boolean; replicas: number; status: string}[]
    }
    assert.equal(status.healthy, false)
    const operator = status.components.find((c) => c.name === 'dapr-operator')
    assert.equal(operator?.healthy, false)
    assert.equal(operator?.replicas, 2)
    assert.ok(status.components.filter((c) => c.name !== 'dapr-operator').every((c) => c.healthy))
    const table = await daprK(home(), ['status', '-k'])
    assert.equal(table.exitCode, 3)
    assert.match(table.stdout, /dapr-operator\s+dapr-system\s+False/)
  })

  it('shows the banner on stderr for a 20-day bundle, with the exit code unchanged', async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null, validDays: 20})
    const result = await daprK(home(), ['status', '-k'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(
      result.stderr,
      /Dapr (root|issuer) certificate of your Kubernetes cluster expires in 1[89] days\. Expiry date: \w{3}, \d\d \w{3} \d{4} [\d:]{8} UTC\.\n Please see docs\.dapr\.io for certificate renewal instructions to avoid service interruptions\./,
    )
    assert.doesNotMatch(result.stdout, /expires/)
    const json = await daprK(home(), ['status', '-k', '-o', 'json'])
    assert.doesNotThrow(() => JSON.parse(json.stdout))
    assert.match(json.stderr, /expires in/)
  })

  it('says Dapr is not initialized, exit 1, when it is not installed', async () => {
    await uninstallDaprFixture(adminKubeconfig())
    const result = await daprK(home(), ['status', '-k'])
    assert.equal(result.exitCode, 1)
    assertCleanFailure(result)
    assert.match(result.stderr, /No status returned\. Is Dapr initialized in your cluster\?/)
  })
})
