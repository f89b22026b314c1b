// Pure: the Dapr objects of an OAuth middleware. The Component with the docs' metadata names and the client secret
// by reference (a Kubernetes Secret, or a local file secret store self-hosted; as a value only when asked), and the
// pipeline Configuration: a handler added to an existing spec.httpPipeline keeps everything else the
// Configuration holds (tracing, access control, other handlers).
import type {OAuthSpec} from './options.js'

export const daprApiVersion = 'dapr.io/v1alpha1'
export const clientSecretKey = 'clientSecret'
export const defaultConfigurationName = 'pipeline'

export interface DaprObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    resourceVersion?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  spec?: Record<string, unknown>
  auth?: {secretStore: string}
  [field: string]: unknown
}

/** Where the Component finds the client secret. */
export type ClientSecretSource =
  {kind: 'kubernetes'; secretName: string} | {kind: 'store'; store: string} | {kind: 'plaintext'; value: string}

interface MetadataItem {
  name: string
  value?: string
  secretKeyRef?: {name: string; key: string}
}

function clientSecretItem(source: ClientSecretSource): MetadataItem {
  switch (source.kind) {
    case 'kubernetes':
      return {name: clientSecretKey, secretKeyRef: {name: source.secretName, key: clientSecretKey}}
    case 'store':
      // The local file store (multiValued off) answers a secret named clientSecret with one key of that name.
      return {name: clientSecretKey, secretKeyRef: {name: clientSecretKey, key: clientSecretKey}}
    case 'plaintext':
      return {name: clientSecretKey, value: source.value}
  }
}

export function componentManifest(spec: OAuthSpec, source: ClientSecretSource, namespace?: string): DaprObject {
  const value = (name: string, v: string | undefined): MetadataItem[] => (v === undefined ? [] : [{name, value: v}])
  const metadata: MetadataItem[] = [
    {name: 'clientId', value: spec.clientId},
    clientSecretItem(source),
    // Comma-separated: both components split the value on ",".
    ...value('scopes', spec.scopes.length > 0 ? spec.scopes.join(',') : undefined),
    ...value('authURL', spec.authUrl),
    {name: 'tokenURL', value: spec.tokenUrl},
    ...value('redirectURL', spec.redirectUrl),
    ...(spec.grant === 'authorization-code'
      ? [
          {name: 'authHeaderName', value: spec.headerName},
          {name: 'forceHTTPS', value: String(spec.forceHttps ?? false)},
        ]
      : [{name: 'headerName', value: spec.headerName}]),
    ...value('endpointParamsQuery', spec.endpointParamsQuery),
    ...value('authStyle', spec.authStyle === undefined ? undefined : String(spec.authStyle)),
    ...value('pathFilter', spec.pathFilter),
  ]
  return {
    apiVersion: daprApiVersion,
    kind: 'Component',
    metadata: {name: spec.name, ...(namespace ? {namespace} : {})},
    spec: {type: spec.componentType, version: 'v1', metadata},
    ...(source.kind === 'store' ? {auth: {secretStore: source.store}} : {}),
  }
}

/** Self-hosted: the local file secret store the Component reads the client secret from. */
export function secretStoreManifest(store: string, secretsFile: string): DaprObject {
  return {
    apiVersion: daprApiVersion,
    kind: 'Component',
    metadata: {name: store},
    spec: {type: 'secretstores.local.file', version: 'v1', metadata: [{name: 'secretsFile', value: secretsFile}]},
  }
}

export interface Handler {
  name: string
  type: string
}

export function handlerOf(spec: OAuthSpec): Handler {
  return {name: spec.name, type: spec.componentType}
}

export interface HandlerEdit {
  spec: Record<string, unknown>
  change: 'added' | 'updated' | 'unchanged'
}

/**
 * Adds the handler at the end of spec.httpPipeline.handlers (or corrects the type of one with its name); nothing
 * else in the spec changes.
 */
export function withHandler(spec: Record<string, unknown> | undefined, handler: Handler): HandlerEdit {
  const current = spec ?? {}
  const pipeline = (current.httpPipeline ?? {}) as {handlers?: Handler[]; [key: string]: unknown}
  const handlers = Array.isArray(pipeline.handlers) ? pipeline.handlers : []
  const existing = handlers.find((h) => h.name === handler.name)
  if (existing?.type === handler.type) return {spec: current, change: 'unchanged'}
  const next = existing
    ? handlers.map((h) => (h.name === handler.name ? {...h, type: handler.type} : h))
    : [...handlers, handler]
  return {
    spec: {...current, httpPipeline: {...pipeline, handlers: next}},
    change: existing ? 'updated' : 'added',
  }
}

/** A Configuration with the handler: the existing one edited, or a new one holding only the pipeline. */
export function configurationWithHandler(
  name: string,
  namespace: string | undefined,
  existing: DaprObject | undefined,
  handler: Handler,
): {object: DaprObject; change: HandlerEdit['change'] | 'created'} {
  if (existing) {
    const edit = withHandler(existing.spec, handler)
    return {object: {...existing, spec: edit.spec}, change: edit.change}
  }
  return {
    object: {
      apiVersion: daprApiVersion,
      kind: 'Configuration',
      metadata: {name, ...(namespace ? {namespace} : {})},
      spec: {httpPipeline: {handlers: [handler]}},
    },
    change: 'created',
  }
}
