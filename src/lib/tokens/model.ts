// What the token commands know of a cluster, as plain data: the token Secret of a namespace, the workloads there
// (pod template annotations and containers) and the pods. The Kubernetes adapter (kube/tokens.ts) fills these in;
// the decisions in plan.ts and status.ts read nothing else.
import type {AppRestartOutcome, NamespacedWorkload, RollOptions, TemplatePatch} from '../kube/index.js'

export interface TokenSecret {
  namespace: string
  name: string
  resourceVersion: string
  /** The value under the `token` key; undefined when the Secret has no such key. */
  token: string | undefined
  createdAt: Date | undefined
  /** When this tool last wrote a token into it; undefined for a Secret written by other hands. */
  updatedAt: Date | undefined
  /** The generation this tool stamped; undefined for a Secret written by other hands. */
  generation: number | undefined
  /** The fingerprint of the token this tool wrote, to notice a token changed by other hands since. */
  fingerprint: string | undefined
}

export interface EnvEntry {
  name: string
  /** The Secret and key of a secretKeyRef; undefined for a literal value or another source. */
  secretName?: string | undefined
  secretKey?: string | undefined
}

export interface TemplateContainer {
  name: string
  env: EnvEntry[]
  /** Secrets the container takes whole (envFrom secretRef). */
  envFromSecrets: string[]
}

/** A Deployment, StatefulSet or DaemonSet with what its pod template says about tokens. */
export interface TokenWorkload extends NamespacedWorkload {
  daprEnabled: boolean
  /** spec.replicas; undefined for a DaemonSet. */
  replicas: number | undefined
  annotations: Record<string, string>
  containers: TemplateContainer[]
}

export interface TokenPod {
  namespace: string
  name: string
  /** The workload that owns it, when a rollout can replace it. */
  owner: NamespacedWorkload | undefined
  /** Copied from the pod template it was created from. */
  annotations: Record<string, string>
  createdAt: Date | undefined
}

/** The reads and writes the token commands make; kube/tokens.ts implements it over the API server. */
export interface TokenCluster {
  readSecret(namespace: string, name: string): Promise<TokenSecret | undefined>
  createSecret(namespace: string, name: string, token: string, annotations: Record<string, string>): Promise<void>
  /** Writes only the token and the annotations, conditional on the resourceVersion read; other keys stay. */
  replaceSecret(secret: TokenSecret, token: string, annotations: Record<string, string>): Promise<void>
  /** Deletes, conditional on the resourceVersion read. */
  deleteSecret(secret: TokenSecret): Promise<void>
  listWorkloads(namespace: string): Promise<TokenWorkload[]>
  /** The namespaces that have a Dapr-enabled workload. */
  daprNamespaces(): Promise<string[]>
  listPods(namespace: string): Promise<TokenPod[]>
  /** Restarts the workloads a few at a time, each with its template changes in the same patch. */
  roll(
    workloads: NamespacedWorkload[],
    patchOf: (workload: NamespacedWorkload) => TemplatePatch | undefined,
    options: RollOptions,
  ): Promise<AppRestartOutcome[]>
}
