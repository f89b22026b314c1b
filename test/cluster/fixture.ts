// A Dapr control plane as the integration tests see it: CRD, workloads, daprsystem Configuration and trust bundle.
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {promisify} from 'node:util'

import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node'

export interface TrustBundlePems {
  caCrt: string
  issuerCrt: string
  issuerKey: string
}

export interface DaprFixtureOptions {
  /** Control-plane namespace, default `dapr-system`. */
  namespace?: string
  /** Namespace of the two Dapr-enabled app Deployments, default `apps`; null installs none. */
  appsNamespace?: string | null
  /** Tag of `daprio/dapr`, default `1.16.2`. */
  imageTag?: string
  /** `spec.mtls.enabled` of `daprsystem`, default true. */
  mtlsEnabled?: boolean
  /** Validity of the generated root and issuer, in days from now; default 365. The issuer never outlives the root. */
  validDays?: number
  /** Trust domain for the generated bundle and `daprsystem`, default `cluster.local`. */
  trustDomain?: string
  /** Install these PEMs instead of generating a bundle; `caKey` (the root's private key) is optional. */
  bundle?: TrustBundlePems & {caKey?: string}
  /** Where ca.crt, ca.key, issuer.crt and issuer.key are written; default `<kubeconfig dir>/dapr-fixture/<namespace>`. */
  certDir?: string
  /** Bound for waiting until every workload is available, default 120 s. */
  timeoutMs?: number
  /** More args for the dapr-sentry container, after `--trust-domain <trustDomain>` (a later flag wins, as in Go). */
  sentryArgs?: string[]
  /** The Secret and ConfigMap keys of the bundle, default ca.crt, issuer.crt, issuer.key (Sentry's defaults). */
  bundleKeys?: {rootCert: string; issuerCert: string; issuerKey: string}
  /** `spec.mtls.controlPlaneTrustDomain` of daprsystem, default the trust domain. */
  configTrustDomain?: string
  /** Extra data (plain text), labels and annotations on the trust-bundle Secret. */
  secret?: {data?: Record<string, string>; labels?: Record<string, string>; annotations?: Record<string, string>}
}

export interface DaprFixture {
  namespace: string
  appsNamespace: string | null
  /** What the Secret and ConfigMap `dapr-trust-bundle` now hold. */
  bundle: TrustBundlePems
  /** The root's private key (PKCS#8 PEM) on disk, for renewing with the existing root; null if the caller gave none. */
  rootKeyPath: string | null
  certDir: string
  /** Deployment names, then StatefulSet names, in the namespace. */
  workloads: {deployments: string[]; statefulSets: string[]}
  /** Names of the Dapr-enabled Deployments in `appsNamespace`. */
  apps: string[]
}

export const DAPR_DEPLOYMENTS = ['dapr-sentry', 'dapr-operator', 'dapr-sidecar-injector'] as const
export const DAPR_STATEFULSETS = ['dapr-placement-server', 'dapr-scheduler-server'] as const
export const APP_DEPLOYMENTS = ['checkout', 'orders'] as const
const TRUST_BUNDLE = 'dapr-trust-bundle'
const DAPR_CONFIGURATION = 'daprsystem'
const CRD_NAME = 'configurations.dapr.io'

// Component label value and binary per workload, as in the Helm chart.
const COMPONENTS: Record<string, {component: string; command: string}> = {
  'dapr-sentry': {component: 'sentry', command: '/sentry'},
  'dapr-operator': {component: 'operator', command: '/operator'},
  'dapr-sidecar-injector': {component: 'sidecar-injector', command: '/injector'},
  'dapr-placement-server': {component: 'placement', command: '/placement'},
  'dapr-scheduler-server': {component: 'scheduler', command: '/scheduler'},
}

/** Plain JSON as the API server takes it; client-node's model classes only type the same shape. */
interface Manifest {
  apiVersion: string
  kind: string
  metadata: {name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>}
  [field: string]: unknown
}

interface Clients {
  objects: KubernetesObjectApi
  core: CoreV1Api
  apps: AppsV1Api
  extensions: ApiextensionsV1Api
}

function clients(kubeconfigPath: string): Clients {
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  return {
    objects: KubernetesObjectApi.makeApiClient(kc),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    extensions: kc.makeApiClient(ApiextensionsV1Api),
  }
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code
}

/**
 * Installs (or brings back to its installed state) a Dapr control plane without Helm: every object is created or
 * replaced, so a used cluster is fine. Resolves once all five workloads and the apps are available.
 */
export async function installDaprFixture(
  kubeconfigPath: string,
  options: DaprFixtureOptions = {},
): Promise<DaprFixture> {
  const namespace = options.namespace ?? 'dapr-system'
  const appsNamespace = options.appsNamespace === undefined ? 'apps' : options.appsNamespace
  const imageTag = options.imageTag ?? '1.16.2'
  const trustDomain = options.trustDomain ?? 'cluster.local'
  const certDir = options.certDir ?? path.join(path.dirname(kubeconfigPath), 'dapr-fixture', namespace)
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  const api = clients(kubeconfigPath)

  const {bundle, rootKeyPath} = await writeBundle(certDir, namespace, trustDomain, options)
  const keys = options.bundleKeys ?? {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'}
  await ensureCrd(api, deadline)
  const labels = (name: string) => ({app: name, ...chartLabels(name, imageTag)})
  const objects: Manifest[] = [
    namespaceObject(namespace),
    ...Object.keys(COMPONENTS).map((name) => serviceAccount(namespace, name, labels(name))),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: TRUST_BUNDLE,
        namespace,
        labels: {app: 'dapr-sentry', ...options.secret?.labels},
        ...(options.secret?.annotations ? {annotations: options.secret.annotations} : {}),
      },
      type: 'Opaque',
      data: {
        [keys.rootCert]: base64(bundle.caCrt),
        [keys.issuerCert]: base64(bundle.issuerCrt),
        [keys.issuerKey]: base64(bundle.issuerKey),
        ...Object.fromEntries(Object.entries(options.secret?.data ?? {}).map(([k, v]) => [k, base64(v)])),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {name: TRUST_BUNDLE, namespace, labels: {app: 'dapr-sentry'}},
      data: {[keys.rootCert]: bundle.caCrt},
    },
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: {name: DAPR_CONFIGURATION, namespace, labels: {'app.kubernetes.io/part-of': 'dapr'}},
      spec: {
        mtls: {
          enabled: options.mtlsEnabled ?? true,
          workloadCertTTL: '24h',
          allowedClockSkew: '15m',
          controlPlaneTrustDomain: options.configTrustDomain ?? trustDomain,
        },
      },
    },
    ...DAPR_DEPLOYMENTS.map((name) =>
      controlPlaneWorkload('Deployment', namespace, name, imageTag, [
        '--trust-domain',
        trustDomain,
        ...(name === 'dapr-sentry' ? (options.sentryArgs ?? []) : []),
      ]),
    ),
    ...DAPR_STATEFULSETS.map((name) =>
      controlPlaneWorkload('StatefulSet', namespace, name, imageTag, ['--trust-domain', trustDomain]),
    ),
  ]
  if (appsNamespace !== null) {
    objects.push(namespaceObject(appsNamespace))
    for (const name of APP_DEPLOYMENTS) {
      objects.push(serviceAccount(appsNamespace, name, {app: name}), appDeployment(appsNamespace, name))
    }
  }
  for (const object of objects) await upsert(api, object, deadline)

  await waitAvailable(api, namespace, DAPR_DEPLOYMENTS, DAPR_STATEFULSETS, deadline)
  if (appsNamespace !== null) await waitAvailable(api, appsNamespace, APP_DEPLOYMENTS, [], deadline)
  return {
    namespace,
    appsNamespace,
    bundle,
    rootKeyPath,
    certDir,
    workloads: {deployments: [...DAPR_DEPLOYMENTS], statefulSets: [...DAPR_STATEFULSETS]},
    apps: appsNamespace === null ? [] : [...APP_DEPLOYMENTS],
  }
}

/**
 * Puts a fresh control plane in place: the fixture's own objects (workloads with their pods, trust bundle,
 * `daprsystem`, app Deployments) are deleted and created again, so they have new uids, generation 1 and no old
 * ReplicaSets. Other objects tests left in the namespaces stay. Much faster than deleting the namespaces.
 */
export async function resetDaprFixture(kubeconfigPath: string, options: DaprFixtureOptions = {}): Promise<DaprFixture> {
  const namespace = options.namespace ?? 'dapr-system'
  const appsNamespace = options.appsNamespace === undefined ? 'apps' : options.appsNamespace
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  await deleteFixtureObjects(clients(kubeconfigPath), namespace, appsNamespace, deadline)
  return installDaprFixture(kubeconfigPath, options)
}

/**
 * Removes the control plane the way `helm uninstall` does: the fixture's objects go (waiting until their pods are
 * gone), the namespaces stay unless `deleteNamespaces` is set. Deleting a namespace takes the namespace controller
 * several seconds, even when it is empty.
 */
export async function uninstallDaprFixture(
  kubeconfigPath: string,
  options: Pick<DaprFixtureOptions, 'namespace' | 'appsNamespace' | 'timeoutMs' | 'certDir'> & {
    /** Also delete the namespace (and the apps namespace unless it is null) and wait until they are gone. */
    deleteNamespaces?: boolean
    /** Also delete the `configurations.dapr.io` CRD (and with it every Configuration in the cluster). */
    removeCrd?: boolean
  } = {},
): Promise<void> {
  const namespace = options.namespace ?? 'dapr-system'
  const appsNamespace = options.appsNamespace === undefined ? 'apps' : options.appsNamespace
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  const api = clients(kubeconfigPath)
  await deleteFixtureObjects(api, namespace, appsNamespace, deadline)
  if (options.deleteNamespaces) {
    const namespaces = appsNamespace === null ? [namespace] : [namespace, appsNamespace]
    await Promise.all(namespaces.map((name) => deleteNamespace(api, name, deadline)))
  }
  if (options.removeCrd) {
    await api.extensions.deleteCustomResourceDefinition({name: CRD_NAME}).catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error
    })
    await until(deadline, `CRD ${CRD_NAME} to be deleted`, () =>
      gone(api.extensions.readCustomResourceDefinition({name: CRD_NAME})),
    )
  }
  await rm(options.certDir ?? path.join(path.dirname(kubeconfigPath), 'dapr-fixture', namespace), {
    recursive: true,
    force: true,
  })
}

/** Deletes the fixture's own objects and waits until they and (foreground deletion) their pods are gone. */
async function deleteFixtureObjects(
  api: Clients,
  namespace: string,
  appsNamespace: string | null,
  deadline: number,
): Promise<void> {
  const workload = (kind: string, inNamespace: string) => (name: string) => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: {name, namespace: inNamespace},
  })
  const headers = [
    ...DAPR_DEPLOYMENTS.map(workload('Deployment', namespace)),
    ...DAPR_STATEFULSETS.map(workload('StatefulSet', namespace)),
    ...(appsNamespace === null ? [] : APP_DEPLOYMENTS.map(workload('Deployment', appsNamespace))),
    ...Object.keys(COMPONENTS).map((name) => ({apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name, namespace}})),
    ...(appsNamespace === null
      ? []
      : APP_DEPLOYMENTS.map((name) => ({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: {name, namespace: appsNamespace},
        }))),
    {apiVersion: 'v1', kind: 'Secret', metadata: {name: TRUST_BUNDLE, namespace}},
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: TRUST_BUNDLE, namespace}},
    // A 404 here also covers a cluster without the CRD (the dapr.io group is not served).
    {apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: {name: DAPR_CONFIGURATION, namespace}},
  ]
  await Promise.all(
    headers.map(async (header) => {
      // Foreground for workloads, so no pod of theirs outlives the call; not for the rest, because the garbage
      // collector picks up a new CRD's kinds only at its next discovery sync, which would stall the deletion.
      const propagation = header.apiVersion === 'apps/v1' ? 'Foreground' : 'Background'
      await api.objects.delete(header, undefined, undefined, 0, undefined, propagation).catch((error: unknown) => {
        if (!isStatus(error, 404)) throw error
      })
      await until(deadline, `${header.kind}/${header.metadata.name} to be deleted`, () =>
        gone(api.objects.read(header)),
      )
    }),
  )
}

async function deleteNamespace(api: Clients, name: string, deadline: number): Promise<void> {
  await api.core.deleteNamespace({name}).catch((error: unknown) => {
    if (!isStatus(error, 404)) throw error
  })
  await until(deadline, `namespace ${name} to be deleted`, () => gone(api.core.readNamespace({name})))
}

async function gone(read: Promise<unknown>): Promise<boolean> {
  try {
    await read
    return false
  } catch (error) {
    if (isStatus(error, 404)) return true
    throw error
  }
}

async function until(deadline: number, what: string, check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

/** Create, or replace with the live resourceVersion so that whatever a test changed is undone. */
async function upsert(api: Clients, manifest: Manifest, deadline: number): Promise<void> {
  const {apiVersion, kind} = manifest
  const {name, namespace} = manifest.metadata
  for (;;) {
    try {
      let live: KubernetesObject | undefined
      try {
        live = await api.objects.read({apiVersion, kind, metadata: {name, namespace}})
      } catch (error) {
        if (!isStatus(error, 404)) throw error
      }
      if (live?.metadata?.deletionTimestamp) {
        // A namespace (or object) from an earlier uninstall that is still going away.
        if (Date.now() > deadline) throw new Error(`${kind}/${name} is still being deleted`)
        await sleep(250)
        continue
      }
      if (live === undefined) {
        await api.objects.create(manifest)
      } else if (kind !== 'Namespace') {
        const resourceVersion = live.metadata?.resourceVersion
        await api.objects.replace({
          ...manifest,
          metadata: {...manifest.metadata, resourceVersion},
        })
      }
      return
    } catch (error) {
      // 409: someone else wrote in between; 404 on create: a namespace still terminating or a CRD not yet served.
      const retryable = isStatus(error, 409) || isStatus(error, 404) || terminating(error)
      if (!retryable || Date.now() > deadline) throw error
      await sleep(250)
    }
  }
}

function terminating(error: unknown): boolean {
  return isStatus(error, 403) && String((error as ApiException<unknown>).body).includes('being terminated')
}

async function ensureCrd(api: Clients, deadline: number): Promise<void> {
  const crd: Manifest = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {name: CRD_NAME, labels: {'app.kubernetes.io/part-of': 'dapr'}},
    spec: {
      group: 'dapr.io',
      scope: 'Namespaced',
      names: {
        kind: 'Configuration',
        listKind: 'ConfigurationList',
        plural: 'configurations',
        singular: 'configuration',
      },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: {type: 'string'},
                kind: {type: 'string'},
                metadata: {type: 'object'},
                spec: {
                  type: 'object',
                  // client-node serializes through its model, which spells x-kubernetes-preserve-unknown-fields so.
                  x_kubernetes_preserve_unknown_fields: true,
                  properties: {
                    mtls: {
                      type: 'object',
                      x_kubernetes_preserve_unknown_fields: true,
                      properties: {
                        enabled: {type: 'boolean'},
                        workloadCertTTL: {type: 'string'},
                        allowedClockSkew: {type: 'string'},
                        controlPlaneTrustDomain: {type: 'string'},
                        sentryAddress: {type: 'string'},
                        // As in Dapr's own CRD: only jwks can be named, its options are free-form. client-node
                        // passes `items` through as plain JSON, so the extension is spelled as the API spells it.
                        tokenValidators: {
                          type: 'array',
                          items: {
                            type: 'object',
                            required: ['name'],
                            properties: {
                              name: {type: 'string', enum: ['jwks']},
                              options: {type: 'object', 'x-kubernetes-preserve-unknown-fields': true},
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  }
  await upsert(api, crd, deadline)
  await until(deadline, `CRD ${CRD_NAME} to be established`, async () => {
    const live = await api.extensions.readCustomResourceDefinition({name: CRD_NAME})
    return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false
  })
}

function namespaceObject(name: string): Manifest {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: {name}}
}

function serviceAccount(namespace: string, name: string, labels: Record<string, string>): Manifest {
  return {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name, namespace, labels}}
}

function chartLabels(name: string, imageTag: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'dapr',
    'app.kubernetes.io/version': imageTag,
    'app.kubernetes.io/component': COMPONENTS[name]?.component ?? name,
    'app.kubernetes.io/part-of': 'dapr',
    'app.kubernetes.io/managed-by': 'helm',
  }
}

function controlPlaneWorkload(
  kind: 'Deployment' | 'StatefulSet',
  namespace: string,
  name: string,
  imageTag: string,
  args: string[],
): Manifest {
  const labels = {app: name, ...chartLabels(name, imageTag)}
  const template = {
    metadata: {labels, annotations: {'dapr.io/control-plane': COMPONENTS[name]?.component ?? name}},
    spec: {
      serviceAccountName: name,
      containers: [
        {
          name,
          image: `daprio/dapr:${imageTag}`,
          command: [COMPONENTS[name]?.command ?? `/${name}`],
          args: ['--log-level', 'info', ...args],
          env: [{name: 'NAMESPACE', valueFrom: {fieldRef: {fieldPath: 'metadata.namespace'}}}],
        },
      ],
    },
  }
  const spec = {replicas: 1, selector: {matchLabels: {app: name}}, template}
  if (kind === 'Deployment') {
    return {apiVersion: 'apps/v1', kind, metadata: {name, namespace, labels}, spec}
  }
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {name, namespace, labels},
    spec: {...spec, serviceName: name, podManagementPolicy: 'Parallel', updateStrategy: {type: 'RollingUpdate'}},
  }
}

function appDeployment(namespace: string, name: string): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name, namespace, labels: {app: name}},
    spec: {
      replicas: 1,
      selector: {matchLabels: {app: name}},
      template: {
        metadata: {
          labels: {app: name},
          annotations: {'dapr.io/enabled': 'true', 'dapr.io/app-id': name, 'dapr.io/app-port': '8080'},
        },
        spec: {serviceAccountName: name, containers: [{name, image: `example.com/${name}:1.0.0`}]},
      },
    },
  }
}

/** kubectl's rollout-status rules: the new generation is observed and every replica is updated and available. */
async function waitAvailable(
  api: Clients,
  namespace: string,
  deployments: readonly string[],
  statefulSets: readonly string[],
  deadline: number,
): Promise<void> {
  const pending = async (): Promise<string[]> => {
    const waiting: string[] = []
    for (const name of deployments) {
      const d = await api.apps.readNamespacedDeployment({name, namespace})
      const s = d.status
      const want = d.spec?.replicas ?? 1
      const done =
        (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
        (s?.updatedReplicas ?? 0) === want &&
        (s?.replicas ?? 0) === want &&
        (s?.availableReplicas ?? 0) === want
      if (!done) waiting.push(`deployment/${name}`)
    }
    for (const name of statefulSets) {
      const st = await api.apps.readNamespacedStatefulSet({name, namespace})
      const s = st.status
      const want = st.spec?.replicas ?? 1
      const done =
        (s?.observedGeneration ?? 0) >= (st.metadata?.generation ?? 1) &&
        (s?.readyReplicas ?? 0) === want &&
        (s?.availableReplicas ?? 0) === want &&
        s?.currentRevision === s?.updateRevision
      if (!done) waiting.push(`statefulset/${name}`)
    }
    return waiting
  }
  let waiting = await pending()
  while (waiting.length > 0) {
    if (Date.now() > deadline) throw new Error(`not available in ${namespace} in time: ${waiting.join(', ')}`)
    await sleep(250)
    waiting = await pending()
  }
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64')
}

async function writeBundle(
  certDir: string,
  namespace: string,
  trustDomain: string,
  options: DaprFixtureOptions,
): Promise<{bundle: TrustBundlePems; rootKeyPath: string | null}> {
  await rm(certDir, {recursive: true, force: true})
  await mkdir(certDir, {recursive: true, mode: 0o700})
  let bundle: TrustBundlePems
  let caKey: string | undefined
  if (options.bundle) {
    bundle = {caCrt: options.bundle.caCrt, issuerCrt: options.bundle.issuerCrt, issuerKey: options.bundle.issuerKey}
    caKey = options.bundle.caKey
  } else {
    ;({caKey, ...bundle} = await generateBundle(namespace, trustDomain, options.validDays ?? 365))
  }
  await writeFile(path.join(certDir, 'ca.crt'), bundle.caCrt)
  await writeFile(path.join(certDir, 'issuer.crt'), bundle.issuerCrt)
  await writeFile(path.join(certDir, 'issuer.key'), bundle.issuerKey, {mode: 0o600})
  if (caKey === undefined) return {bundle, rootKeyPath: null}
  const rootKeyPath = path.join(certDir, 'ca.key')
  await writeFile(rootKeyPath, caKey, {mode: 0o600})
  return {bundle, rootKeyPath}
}

/**
 * A bundle made with openssl, independent of the code under test: ECDSA P-256 root `O=<trust domain>` and issuer
 * `O=spiffe://<trust domain>/ns/<namespace>/dapr-sentry` (pathlen 0), issuer key in PKCS#8.
 */
async function generateBundle(
  namespace: string,
  trustDomain: string,
  validDays: number,
): Promise<TrustBundlePems & {caKey: string}> {
  const work = await mkdtemp(path.join(process.env.TMPDIR ?? '/tmp', 'dapr-fixture-'))
  const file = (name: string) => path.join(work, name)
  const openssl = (...args: string[]) => promisify(execFile)('openssl', args)
  // 128-bit positive serials, as Dapr makes them.
  const serial = () => {
    const bytes = randomBytes(16)
    bytes[0] = (bytes[0]! & 0x3f) | 0x40
    return `0x${bytes.toString('hex')}`
  }
  const keyUsage = 'keyUsage = critical,keyCertSign,cRLSign,digitalSignature'
  try {
    await writeFile(
      file('root.cnf'),
      [
        '[req]',
        'prompt = no',
        'distinguished_name = dn',
        '[dn]',
        `O = ${trustDomain}`,
        '[v3]',
        'basicConstraints = critical,CA:TRUE',
        keyUsage,
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    )
    await writeFile(
      file('issuer.cnf'),
      [
        '[req]',
        'prompt = no',
        'distinguished_name = dn',
        '[dn]',
        `O = spiffe://${trustDomain}/ns/${namespace}/dapr-sentry`,
        '[v3]',
        'basicConstraints = critical,CA:TRUE,pathlen:0',
        keyUsage,
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid:always',
        '',
      ].join('\n'),
    )
    for (const key of ['ca.key', 'issuer.key']) {
      await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(key))
    }
    // openssl 3.0 cannot set notAfter directly, and an issuer dated even a second past the root is refused by the
    // CLI's validation. So the issuer's dates come from a self-signed template made before the root, then re-signed.
    const days = String(validDays)
    await openssl(
      'req',
      '-new',
      '-x509',
      '-key',
      file('issuer.key'),
      '-config',
      file('issuer.cnf'),
      '-extensions',
      'v3',
      '-days',
      days,
      '-out',
      file('issuer-template.crt'),
    )
    await openssl(
      'req',
      '-new',
      '-x509',
      '-key',
      file('ca.key'),
      '-config',
      file('root.cnf'),
      '-extensions',
      'v3',
      '-days',
      days,
      '-set_serial',
      serial(),
      '-out',
      file('ca.crt'),
    )
    await openssl(
      'x509',
      '-in',
      file('issuer-template.crt'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-preserve_dates',
      '-clrext',
      '-extfile',
      file('issuer.cnf'),
      '-extensions',
      'v3',
      '-set_serial',
      serial(),
      '-out',
      file('issuer.crt'),
    )
    await openssl('verify', '-CAfile', file('ca.crt'), file('issuer.crt'))
    const [caCrt, caKey, issuerCrt, issuerKey] = await Promise.all(
      ['ca.crt', 'ca.key', 'issuer.crt', 'issuer.key'].map((name) => readFile(file(name), 'utf8')),
    )
    return {caCrt: caCrt!, caKey: caKey!, issuerCrt: issuerCrt!, issuerKey: issuerKey!}
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}
