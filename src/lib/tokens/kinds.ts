// The two tokens Dapr reads from Secrets: the API token daprd demands of every caller of its API, and the app token
// daprd sends to the app. Each has its pod annotation (the injector turns it into a secretKeyRef env in the daprd
// container only), its variable name, and the Secret name the Dapr docs use.
export type TokenKind = 'api' | 'app'

export interface TokenKindInfo {
  kind: TokenKind
  /** The command topic: `api-token` or `app-token`. */
  topic: string
  /** How messages name it. */
  title: string
  /** The variable daprd reads, and the one the app container gets from the same Secret. */
  envName: string
  /** The pod-template annotation naming the Secret. */
  secretAnnotation: string
  /** The Secret name in the Dapr docs. */
  defaultSecretName: string
  /** Stamped on a pod template by each write, so pods tell which token they started with. */
  generationAnnotation: string
}

/** The key of the token in the Secret: the injector's secretKeyRef always reads `token`. */
export const tokenKey = 'token'

/** On the Secret: the generation of the token it holds, its fingerprint and when it was written. */
export const secretGenerationAnnotation = 'dapr-mtls/token-generation'
export const secretFingerprintAnnotation = 'dapr-mtls/token-sha256'
export const secretUpdatedAnnotation = 'dapr-mtls/token-updated-at'

export const tokenKinds: Record<TokenKind, TokenKindInfo> = {
  api: {
    kind: 'api',
    topic: 'api-token',
    title: 'Dapr API token',
    envName: 'DAPR_API_TOKEN',
    secretAnnotation: 'dapr.io/api-token-secret',
    defaultSecretName: 'dapr-api-token',
    generationAnnotation: 'dapr-mtls/api-token-generation',
  },
  app: {
    kind: 'app',
    topic: 'app-token',
    title: 'app API token',
    envName: 'APP_API_TOKEN',
    secretAnnotation: 'dapr.io/app-token-secret',
    defaultSecretName: 'app-api-token',
    generationAnnotation: 'dapr-mtls/app-token-generation',
  },
}
