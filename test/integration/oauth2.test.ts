// `oauth2 create -k` on the test cluster: manifests printed and nothing written without --apply; with --apply the
// client secret in a Secret, the Component reading it by secretKeyRef, the handler added to the Configuration a
// workload already names (tracing, access control and its other handler kept) or a new one it is pointed at, and
// the workloads restarted. The Component as applied is then loaded by a real daprd.
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {CustomObjectsApi, KubeConfig} from '@kubernetes/client-node'
import {execa} from 'execa'
import YAML from 'yaml'

import {installDaprFixture} from '../cluster/fixture.js'
import {startApp} from '../dapr/app.js'
import {startDaprd} from '../dapr/daprd.js'
import {startSentry} from '../dapr/sentry.js'
import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {Started} from '../helpers/started.js'
import {adminKubeconfig, clients, deleteNamespaces, ensureNamespace, freshHomeEachTest} from './context.js'

const namespace = 'oauth-shop'
const dapr_ = {group: 'dapr.io', version: 'v1alpha1'}

function custom(): CustomObjectsApi {
  const kc = new KubeConfig()
  kc.loadFromFile(adminKubeconfig())
  return kc.makeApiClient(CustomObjectsApi)
}

interface DaprObject {
  metadata: {name: string; resourceVersion?: string; annotations?: Record<string, string>}
  spec: Record<string, unknown>
  auth?: {secretStore: string}
}

async function readObject(plural: string, name: string): Promise<DaprObject | undefined> {
  return (await custom()
    .getNamespacedCustomObject({...dapr_, plural, namespace, name})
    .catch(() => undefined)) as DaprObject | undefined
}

/** The Components CRD as Dapr's chart installs it (schema left open). */
async function ensureComponentsCrd(): Promise<void> {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {name: 'components.dapr.io'},
    spec: {
      group: 'dapr.io',
      scope: 'Namespaced',
      names: {kind: 'Component', listKind: 'ComponentList', plural: 'components', singular: 'component'},
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {openAPIV3Schema: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true}},
        },
      ],
    },
  }
  const kubectl = process.env.IT_KUBECTL ?? 'kubectl'
  const env = {KUBECONFIG: adminKubeconfig()}
  await execa(kubectl, ['apply', '-f', '-'], {env, input: JSON.stringify(crd)})
  await execa(kubectl, ['wait', '--for=condition=Established', 'crd/components.dapr.io', '--timeout=60s'], {env})
}

async function deploy(name: string, config?: string): Promise<void> {
  const annotations: Record<string, string> = {'dapr.io/enabled': 'true', 'dapr.io/app-id': name}
  if (config) annotations['dapr.io/config'] = config
  await clients().apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: {name, namespace},
      spec: {
        replicas: 2,
        selector: {matchLabels: {app: name}},
        template: {
          metadata: {labels: {app: name}, annotations},
          spec: {containers: [{name, image: `example.com/${name}:1`}]},
        },
      },
    },
  })
}

describe('oauth2 create -k', function () {
  this.timeout(180_000)
  const home = freshHomeEachTest()
  const started = new Started()
  let work: string

  before(async () => {
    // The fixture brings the Configuration CRD; the middleware needs Components too.
    await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    await ensureComponentsCrd()
  })

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'dapr-oauth-k-'))
    await ensureNamespace(namespace)
    // A Configuration the team already runs: tracing, access control and a handler of its own.
    await custom().createNamespacedCustomObject({
      ...dapr_,
      plural: 'configurations',
      namespace,
      body: {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Configuration',
        metadata: {name: 'appconfig', namespace},
        spec: {
          tracing: {samplingRate: '1'},
          accessControl: {defaultAction: 'allow', trustDomain: 'public'},
          httpPipeline: {handlers: [{name: 'upper', type: 'middleware.http.uppercase'}]},
        },
      },
    })
    await custom().createNamespacedCustomObject({
      ...dapr_,
      plural: 'components',
      namespace,
      body: {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: {name: 'upper', namespace},
        spec: {type: 'middleware.http.uppercase', version: 'v1'},
      },
    })
    await deploy('orders', 'appconfig')
    await deploy('billing')
  })

  afterEach(async () => {
    await started.stop()
    await rm(work, {recursive: true, force: true})
    await deleteNamespaces([namespace])
  })

  const args = (tokenUrl: string) => [
    'oauth2',
    'create',
    '-k',
    '--grant',
    'client-credentials',
    '--name',
    'orders-oauth',
    '--client-id',
    'orders-client',
    '--client-secret-file',
    '-',
    '--scopes',
    'orders.read',
    '--token-url',
    tokenUrl,
    '--allow-http',
    '--header-name',
    'x-orders-token',
    '--workload',
    `${namespace}/deployment/orders`,
    '--workload',
    `${namespace}/deployment/billing`,
  ]

  it('without --apply prints the Component and both Configurations as YAML, never the client secret, and writes nothing', async () => {
    const result = await dapr([...args('https://login.example.com/token'), '--kubeconfig', adminKubeconfig()], {
      env: {HOME: home().dir},
      input: 'the-client-secret',
    })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.ok(!result.stdout.includes('the-client-secret') && !result.stderr.includes('the-client-secret'))
    const documents = YAML.parseAllDocuments(result.stdout).map(
      (d) => d.toJS() as {kind: string; metadata: {name: string}},
    )
    assert.deepEqual(
      documents.map((d) => `${d.kind}/${d.metadata.name}`),
      ['Component/orders-oauth', 'Configuration/appconfig', 'Configuration/pipeline'],
    )
    assert.match(
      result.stderr,
      /Secret oauth-shop\/orders-oauth-client-secret \(key clientSecret\) would hold the client secret/,
    )
    assert.equal(await readObject('components', 'orders-oauth'), undefined)
    assert.equal(await readObject('configurations', 'pipeline'), undefined)
    const billing = await clients().apps.readNamespacedDeployment({name: 'billing', namespace})
    assert.equal(billing.spec?.template.metadata?.annotations?.['dapr.io/config'], undefined)
  })

  it('--apply writes the Secret, the Component by secretKeyRef and the pipelines, keeps what appconfig held, points billing at pipeline, restarts both; real daprd then runs the Component as applied', async () => {
    const server = started.track(
      await startApp((request) => {
        const form = new URLSearchParams(request.body)
        const basic = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
        const secret = form.get('client_secret') ?? decodeURIComponent(basic.split(':')[1] ?? '')
        return secret === 'the-client-secret'
          ? {
              body: JSON.stringify({access_token: 'tok-k8s', token_type: 'bearer', expires_in: 3600}),
              headers: {'content-type': 'application/json'},
            }
          : {status: 401, body: '{"error":"invalid_client"}', headers: {'content-type': 'application/json'}}
      }),
    )
    const applied = await dapr(
      [...args(`http://127.0.0.1:${server.port}/token`), '--apply', '--kubeconfig', adminKubeconfig()],
      {
        env: {HOME: home().dir},
        input: 'the-client-secret\n',
      },
    )
    assert.equal(applied.exitCode, 0, applied.stderr)

    const secret = await clients().core.readNamespacedSecret({name: 'orders-oauth-client-secret', namespace})
    assert.equal(Buffer.from(secret.data?.clientSecret ?? '', 'base64').toString(), 'the-client-secret')
    const component = (await readObject('components', 'orders-oauth')) as DaprObject
    const metadata = component.spec.metadata as {name: string; value?: string; secretKeyRef?: unknown}[]
    assert.deepEqual(
      metadata.find((m) => m.name === 'clientSecret'),
      {name: 'clientSecret', secretKeyRef: {name: 'orders-oauth-client-secret', key: 'clientSecret'}},
    )
    assert.ok(!JSON.stringify(component).includes('the-client-secret'))
    const appconfig = (await readObject('configurations', 'appconfig')) as DaprObject
    assert.deepEqual(appconfig.spec, {
      tracing: {samplingRate: '1'},
      accessControl: {defaultAction: 'allow', trustDomain: 'public'},
      httpPipeline: {
        handlers: [
          {name: 'upper', type: 'middleware.http.uppercase'},
          {name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'},
        ],
      },
    })
    const pipeline = (await readObject('configurations', 'pipeline')) as DaprObject
    assert.deepEqual(pipeline.spec, {
      httpPipeline: {handlers: [{name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'}]},
    })
    const template = async (name: string) =>
      (await clients().apps.readNamespacedDeployment({name, namespace})).spec?.template.metadata?.annotations ?? {}
    assert.equal((await template('orders'))['dapr.io/config'], 'appconfig')
    assert.equal((await template('billing'))['dapr.io/config'], 'pipeline')
    assert.ok((await template('orders'))['kubectl.kubernetes.io/restartedAt'])
    assert.ok((await template('billing'))['kubectl.kubernetes.io/restartedAt'])

    // Running it again changes nothing but the restarts: the handler is not added twice.
    const again = await dapr(
      [...args(`http://127.0.0.1:${server.port}/token`), '--apply', '--kubeconfig', adminKubeconfig()],
      {
        env: {HOME: home().dir},
        input: 'the-client-secret',
      },
    )
    assert.equal(again.exitCode, 0, again.stderr)
    assert.equal(
      ((await readObject('configurations', 'appconfig'))?.spec.httpPipeline as {handlers: unknown[]}).handlers.length,
      2,
    )

    // The objects as applied, loaded by real daprd. Self-hosted daprd has no Kubernetes secret store, so the
    // Secret's data is served by a local file store under the name the Component's secretKeyRef uses.
    const resources = path.join(work, 'resources')
    await mkdir(resources)
    const secretsFile = path.join(work, 'secrets.json')
    await writeFile(secretsFile, JSON.stringify({'orders-oauth-client-secret': {clientSecret: 'the-client-secret'}}))
    const store = {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: {name: 'cluster-secrets'},
      spec: {
        type: 'secretstores.local.file',
        version: 'v1',
        metadata: [
          {name: 'secretsFile', value: secretsFile},
          {name: 'multiValued', value: 'true'},
        ],
      },
    }
    await writeFile(path.join(resources, 'store.yaml'), YAML.stringify(store))
    for (const name of ['orders-oauth', 'upper']) {
      const object = (await readObject('components', name)) as DaprObject
      await writeFile(
        path.join(resources, `${name}.yaml`),
        YAML.stringify({
          apiVersion: 'dapr.io/v1alpha1',
          kind: 'Component',
          metadata: {name},
          spec: object.spec,
          ...(name === 'orders-oauth' ? {auth: {secretStore: 'cluster-secrets'}} : {}),
        }),
      )
    }
    const certs = path.join(work, 'certs')
    const init = await dapr(
      ['init', '--enable-mtls', '--certs-dir', certs, '--config-file', path.join(work, 'c.yaml')],
      {
        env: {HOME: work},
      },
    )
    assert.equal(init.exitCode, 0, init.stderr)
    const sentry = started.track(await startSentry({version: '1.18.0', credentialsDir: certs}))
    await sentry.ready()
    const app = started.track(await startApp())
    const daprd = started.track(
      await startDaprd({
        appId: 'orders',
        appPort: app.port,
        sentryAddress: sentry.address,
        trustAnchors: await readFile(path.join(certs, 'ca.crt'), 'utf8'),
        nameResolutionFile: path.join(work, 'names.db'),
        resourcesPath: resources,
        configSpec: {httpPipeline: appconfig.spec.httpPipeline},
      }),
    )
    await daprd.ready()
    assert.equal((await daprd.invoke('orders', 'checkout')).status, 200)
    assert.equal(app.requests.find((r) => r.url === '/checkout')?.headers['x-orders-token'], 'Bearer tok-k8s')
  })

  it('refuses a workload that is not there: one line, exit 1, nothing written', async () => {
    const result = await dapr(
      [
        ...args('https://login.example.com/token').slice(0, -4),
        '--workload',
        `${namespace}/deployment/missing`,
        '--apply',
        '--kubeconfig',
        adminKubeconfig(),
      ],
      {env: {HOME: home().dir}, input: 'the-client-secret'},
    )
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /--workload oauth-shop\/deployment\/missing was not found; nothing was changed/)
    assert.equal(await readObject('components', 'orders-oauth'), undefined)
    await assert.rejects(clients().core.readNamespacedSecret({name: 'orders-oauth-client-secret', namespace}))
  })
})
