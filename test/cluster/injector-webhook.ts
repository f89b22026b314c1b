// A stand-in for Dapr's sidecar injector, for the rotation tests: the real injector cannot run beside the kwok
// cluster (it needs its own Sentry identity and a webhook Service in the cluster). Like the real one it adds a `daprd`
// container to every new pod whose template has a truthy dapr.io/enabled, with DAPR_TRUST_ANCHORS set to the
// control plane's dapr-trust-bundle ConfigMap ca.crt at the moment of admission (the real injector copies its mounted
// copy of that ConfigMap). A mutating admission webhook on loopback, registered by URL, failurePolicy Ignore.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import https from 'node:https'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {AdmissionregistrationV1Api, CoreV1Api, KubeConfig} from '@kubernetes/client-node'

const webhookName = 'dapr-mtls-test-sidecar-injector'
const truthy = new Set(['y', 'yes', 'true', 't', 'on', '1'])

interface AdmissionReview {
  request: {
    uid: string
    object: {
      metadata?: {annotations?: Record<string, string>}
      spec?: {containers?: {name: string}[]}
    }
  }
}

export interface InjectorWebhook {
  stop(): Promise<void>
}

export async function startInjectorWebhook(
  kubeconfigPath: string,
  namespace = 'dapr-system',
): Promise<InjectorWebhook> {
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  const core = kc.makeApiClient(CoreV1Api)
  const admission = kc.makeApiClient(AdmissionregistrationV1Api)
  const dir = mkdtempSync(path.join(tmpdir(), 'dapr-injector-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'tls.key'),
      '-out',
      path.join(dir, 'tls.crt'),
    ],
    {stdio: 'ignore'},
  )
  const cert = readFileSync(path.join(dir, 'tls.crt'))

  const server = https.createServer({cert, key: readFileSync(path.join(dir, 'tls.key'))}, (request, reply) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      void (async () => {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as AdmissionReview
        const pod = review.request.object
        const enabled = truthy.has((pod.metadata?.annotations?.['dapr.io/enabled'] ?? '').toLowerCase())
        const hasSidecar = (pod.spec?.containers ?? []).some((c) => c.name === 'daprd')
        const response: Record<string, unknown> = {uid: review.request.uid, allowed: true}
        if (enabled && !hasSidecar) {
          // No control plane yet (the start-up probe below): the sidecar gets no anchors, as it would get none.
          const anchors = await core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace}).then(
            (configMap) => configMap.data?.['ca.crt'] ?? '',
            () => '',
          )
          const patch = [
            {
              op: 'add',
              path: '/spec/containers/-',
              value: {
                name: 'daprd',
                image: 'daprio/daprd:1.16.2',
                env: [{name: 'DAPR_TRUST_ANCHORS', value: anchors}],
              },
            },
          ]
          response.patchType = 'JSONPatch'
          response.patch = Buffer.from(JSON.stringify(patch)).toString('base64')
        }
        const body = JSON.stringify({apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response})
        reply.writeHead(200, {'content-type': 'application/json'})
        reply.end(body)
      })().catch(() => {
        reply.writeHead(500)
        reply.end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}

  const configuration = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {name: webhookName},
    webhooks: [
      {
        name: 'sidecar-injector.dapr-mtls.test',
        clientConfig: {url: `https://127.0.0.1:${port}/mutate`, caBundle: cert.toString('base64')},
        rules: [{operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods']}],
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 5,
      },
    ],
  }
  await admission.deleteMutatingWebhookConfiguration({name: webhookName}).catch(() => undefined)
  await admission.createMutatingWebhookConfiguration({body: configuration})
  // The apiserver picks the new configuration up a moment later: wait until a dry-run pod comes back injected.
  const deadline = Date.now() + 30_000
  for (;;) {
    const probe = await core.createNamespacedPod({
      namespace: 'default',
      dryRun: 'All',
      body: {
        metadata: {generateName: 'injector-probe-', annotations: {'dapr.io/enabled': 'true'}},
        spec: {containers: [{name: 'app', image: 'example.com/probe:1'}]},
      },
    })
    if (probe.spec?.containers.some((c) => c.name === 'daprd')) break
    if (Date.now() > deadline) throw new Error('the sidecar injector stand-in was never called by the apiserver')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }

  return {
    async stop() {
      await admission.deleteMutatingWebhookConfiguration({name: webhookName}).catch(() => undefined)
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
