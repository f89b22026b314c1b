// The trust-bundle adapter against the real API server, for what a command cannot be made to do on cue: another
// writer changing the Secret between this tool's read and its write.
import assert from 'node:assert/strict'

import {generateBundle} from '../../src/lib/certs/index.js'
import {UserError} from '../../src/lib/errors.js'
import {connect, discoverControlPlane, readTrustBundle, writeTrustBundle} from '../../src/lib/kube/index.js'
import {installDaprFixture} from '../cluster/fixture.js'
import {adminKubeconfig, clients, readClusterBundle, freshHomeEachTest} from './context.js'

describe('trust bundle writes', function () {
  this.timeout(120_000)
  const home = freshHomeEachTest()

  beforeEach(async () => {
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
  })

  it('stops with a conflict when the Secret changed after it was read, and clobbers nothing', async () => {
    const kube = connect({kubeconfig: adminKubeconfig()})
    const current = await readTrustBundle(kube, await discoverControlPlane(kube))
    // Another writer (a GitOps controller, a colleague) changes the Secret in between.
    const {core} = clients()
    const secret = await core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system'})
    secret.metadata = {...secret.metadata, labels: {...secret.metadata?.labels, 'changed-by': 'someone-else'}}
    await core.replaceNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system', body: secret})
    const theirs = await readClusterBundle()

    const next = await generateBundle({
      trustDomain: 'cluster.local',
      namespace: 'dapr-system',
      validityDays: 30,
      clockSkewMs: 0,
    })
    await assert.rejects(
      writeTrustBundle(kube, current, next.bundle, {dir: home().backups, writtenBy: 'renew', keep: 10}),
      (error: unknown) =>
        error instanceof UserError && /changed by someone else.*nothing was overwritten/.test(error.message),
    )
    const after = await readClusterBundle()
    assert.deepEqual(after, theirs)
    const labels = (await core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system'})).metadata
      ?.labels
    assert.equal(labels?.['changed-by'], 'someone-else')
  })

  it('writes the Secret and ConfigMap together, keeping other keys and labels', async () => {
    const {core} = clients()
    const secret = await core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system'})
    secret.data = {...secret.data, 'extra.txt': Buffer.from('keep me').toString('base64')}
    await core.replaceNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system', body: secret})

    const kube = connect({kubeconfig: adminKubeconfig()})
    const next = await generateBundle({
      trustDomain: 'cluster.local',
      namespace: 'dapr-system',
      validityDays: 30,
      clockSkewMs: 0,
    })
    const current = await readTrustBundle(kube, await discoverControlPlane(kube))
    await writeTrustBundle(kube, current, next.bundle, {dir: home().backups, writtenBy: 'renew', keep: 10})
    const after = await core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace: 'dapr-system'})
    assert.equal(Buffer.from(after.data?.['extra.txt'] ?? '', 'base64').toString(), 'keep me')
    assert.equal(after.metadata?.labels?.app, 'dapr-sentry')
    const bundle = await readClusterBundle()
    assert.equal(bundle.caCrt, next.bundle.rootCertPem)
    assert.equal(bundle.configMapCaCrt, next.bundle.rootCertPem)
  })
})
