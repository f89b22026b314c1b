// What the integration tests share: the `dapr` executable pointed at the test cluster, and direct reads of what the
// cluster holds, so every assertion is about the real objects.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {ApiException, AppsV1Api, CoreV1Api, KubeConfig} from '@kubernetes/client-node'
import {execa} from 'execa'

import {pauseComponent} from '../cluster/cluster.js'
import {type CliResult, dapr, startDapr} from '../helpers/cli.js'

export function adminKubeconfig(): string {
  const file = process.env.IT_KUBECONFIG
  if (!file) throw new Error('IT_KUBECONFIG is not set: run the integration suite through its mocha config')
  return file
}

export function restrictedKubeconfig(): string {
  const file = process.env.IT_RESTRICTED_KUBECONFIG
  if (!file) throw new Error('IT_RESTRICTED_KUBECONFIG is not set')
  return file
}

/** A HOME of its own per test file, so backups land somewhere the test can look and clean. */
export class TestHome {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'dapr-home-'))
  get backups(): string {
    return path.join(this.dir, '.dapr', 'backups')
  }
  cleanup(): void {
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** A fresh TestHome for each test of the enclosing describe, removed after it; call the result inside a test. */
export function freshHomeEachTest(): () => TestHome {
  let home: TestHome | undefined
  beforeEach(() => {
    home = new TestHome()
  })
  afterEach(() => {
    home?.cleanup()
  })
  return () => {
    if (!home) throw new Error('the test home exists only while a test runs')
    return home
  }
}

export function daprK(home: TestHome, args: string[], kubeconfig = adminKubeconfig()): Promise<CliResult> {
  return dapr([...args, '--kubeconfig', kubeconfig], {env: {HOME: home.dir}})
}

/** The directory of the test cluster's binaries (kubectl, helm). */
export function clusterBin(): string {
  const dir = process.env.IT_CLUSTER_BIN
  if (!dir) throw new Error('IT_CLUSTER_BIN is not set: run the integration suite through its mocha config')
  return dir
}

export async function helm(...args: string[]): Promise<string> {
  const result = await execa(path.join(clusterBin(), 'helm'), [...args, '--kubeconfig', adminKubeconfig()])
  return result.stdout
}

export async function kubectl(...args: string[]): Promise<string> {
  const binary = process.env.IT_KUBECTL ?? 'kubectl'
  const result = await execa(binary, args, {env: {KUBECONFIG: adminKubeconfig()}})
  return result.stdout
}

export function clients(kubeconfig = adminKubeconfig()): {core: CoreV1Api; apps: AppsV1Api} {
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfig)
  return {core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api)}
}

export interface ClusterBundle {
  caCrt: string
  issuerCrt: string
  issuerKey: string
  configMapCaCrt: string | undefined
  secretVersion: string
  configMapVersion: string
}

export async function readClusterBundle(namespace = 'dapr-system'): Promise<ClusterBundle> {
  const {core} = clients()
  const [secret, configMap] = await Promise.all([
    core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace}),
    core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace}),
  ])
  const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString()
  return {
    caCrt: decode('ca.crt'),
    issuerCrt: decode('issuer.crt'),
    issuerKey: decode('issuer.key'),
    configMapCaCrt: configMap.data?.['ca.crt'],
    secretVersion: secret.metadata?.resourceVersion ?? '',
    configMapVersion: configMap.metadata?.resourceVersion ?? '',
  }
}

export interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

/** Gives the restricted user a Role (and its RoleBinding) in the namespace, replacing one of that name. */
export async function grantRestricted(namespace: string, name: string, rules: PolicyRule[]): Promise<void> {
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: {name, namespace}, rules},
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: {name, namespace},
        roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name},
        subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'restricted'}],
      },
    ],
  })
  const binary = process.env.IT_KUBECTL ?? 'kubectl'
  await execa(binary, ['apply', '-f', '-'], {env: {KUBECONFIG: adminKubeconfig()}, input: manifest})
}

/** Lets the restricted user read, but not change, what Dapr keeps in a namespace. */
export async function grantReadOnly(namespace: string): Promise<void> {
  await grantRestricted(namespace, 'dapr-reader', [
    {apiGroups: [''], resources: ['secrets', 'configmaps', 'pods'], verbs: ['get', 'list', 'watch']},
    {apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'watch']},
    {apiGroups: ['dapr.io'], resources: ['configurations'], verbs: ['get', 'list', 'watch']},
  ])
  const restricted = clients(restrictedKubeconfig())
  await untilAllowed(() => restricted.core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace}))
}

/** RBAC changes reach the apiserver's authorizer a moment after they are written: ask again while it still says 403. */
export async function untilAllowed<T>(request: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await request()
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 403) || Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

/** Creates the namespace, first waiting out an earlier deletion of it that is still going on. */
export async function ensureNamespace(name: string, timeoutMs = 60_000): Promise<void> {
  const {core} = clients()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const current = await core.readNamespace({name}).catch(() => undefined)
    if (current && !current.metadata?.deletionTimestamp) return
    if (!current) {
      try {
        await core.createNamespace({body: {metadata: {name}}})
        return
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error
      }
    }
    if (Date.now() > deadline) throw new Error(`namespace ${name} is still being deleted`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Deletes the namespaces and waits until they are gone, so no later test sees what they held. */
export async function deleteNamespaces(names: readonly string[], timeoutMs = 120_000): Promise<void> {
  const {core} = clients()
  const deadline = Date.now() + timeoutMs
  await Promise.all(names.map((name) => core.deleteNamespace({name}).catch(() => undefined)))
  for (const name of names) {
    while (
      await core.readNamespace({name}).then(
        () => true,
        () => false,
      )
    ) {
      if (Date.now() > deadline) throw new Error(`namespace ${name} was not deleted in time`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/** `dapr` started against the test cluster without waiting for it (see startDapr). */
export function startDaprK(
  home: TestHome,
  args: string[],
  kubeconfig = adminKubeconfig(),
): ReturnType<typeof startDapr> {
  return startDapr([...args, '--kubeconfig', kubeconfig], {env: {HOME: home.dir}})
}

/**
 * Stops the test cluster's kube-apiserver where it stands; the function returned lets it go on and resolves once it
 * answers /readyz again.
 */
export function pauseApiServer(): () => Promise<void> {
  const resume = pauseComponent(path.dirname(adminKubeconfig()), 'kube-apiserver')
  return async () => {
    resume()
    const deadline = Date.now() + 60_000
    for (;;) {
      try {
        await kubectl('get', '--raw', '/readyz', '--request-timeout=2s')
        return
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }
}

/** Everything a user put in the two trust-bundle objects (data, labels, annotations), byte for byte. */
export async function readTrustBundleObjects(namespace = 'dapr-system'): Promise<object> {
  const {core} = clients()
  const [secret, configMap] = await Promise.all([
    core.readNamespacedSecret({name: 'dapr-trust-bundle', namespace}),
    core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace}),
  ])
  const meta = (m: {labels?: object; annotations?: object} | undefined) => ({
    labels: m?.labels,
    annotations: m?.annotations,
  })
  return {
    secret: {type: secret.type, data: secret.data, ...meta(secret.metadata)},
    configMap: {data: configMap.data, binaryData: configMap.binaryData, ...meta(configMap.metadata)},
  }
}
