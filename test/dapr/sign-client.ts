// Runs the Go sign client (test/dapr/go/cmd/signclient): asks a real Sentry for a workload certificate as daprd does
// and reports what came back, judged by Go's own verifier against the anchors given.
import {execFile} from 'node:child_process'

import {daprBinaries} from './binaries.js'

export type TokenValidator = 'insecure' | 'jwks' | 'kubernetes' | 'unknown'

export interface SignWorkloadOptions {
  /** Sentry's gRPC address, `127.0.0.1:<port>`. */
  address: string
  /** PEM file of the anchors: the only roots trusted, for Sentry's serving certificate and the workload chain. */
  caFile: string
  /** Sentry's trust domain (its `--trust-domain`), default `cluster.local`. */
  trustDomain?: string
  /** Sentry's namespace (its NAMESPACE env), default `default` as for self-hosted Sentry. */
  sentryNamespace?: string
  /** App ID to request, default `app`. */
  id?: string
  /** Namespace to request, default `default`. */
  namespace?: string
  /** Trust domain to request; Sentry uses `public` when it is empty. */
  requestTrustDomain?: string
  tokenFile?: string
  /** Default as daprd: `jwks` with a token file, else `unknown` (Sentry's default validator). */
  validator?: TokenValidator
  /** CSR key, default `ecdsa` (P-256): Sentry 1.16.2 with an ECDSA issuer cannot sign Ed25519 CSRs. */
  key?: 'ecdsa' | 'ed25519' | 'rsa'
  /** Bound for the whole exchange, default 10 s. */
  timeoutMs?: number
  /** Only complete the TLS handshake (Sentry authorised by its SPIFFE ID) and report Sentry's chain. */
  handshakeOnly?: boolean
}

export interface SignResult {
  /** The TLS handshake completed: Sentry's chain verified against the anchors and its SPIFFE ID matched. */
  handshake: boolean
  signed: boolean
  /** Both verifications below passed and the certificate carries the CSR's key. */
  verified: boolean
  /** gRPC status code and message, a TLS error, or what failed verification. */
  error?: string
  serverSpiffeId?: string
  serverChainPem?: string
  /** Verified with ExtKeyUsageAny, as daprd verifies its peers. */
  verifiedAnyUsage: boolean
  /** Verified with Go's default usage (serverAuth). */
  verifiedServerAuth: boolean
  spiffeId?: string
  notBefore?: string
  notAfter?: string
  /** Hexadecimal. */
  serialNumber?: string
  issuerSubject?: string
  signatureAlgorithm?: string
  /** The workload certificate chain Sentry returned (leaf first). */
  chainPem?: string
  /** The trust anchors Sentry returned with it. */
  trustChainPem?: string
  /** The sign client's exit code: 0 signed and verified (or handshake done with handshakeOnly), else 1. */
  exitCode: number
}

/** Runs the sign client; rejects only when it could not run or was misused (exit 2), never for Sentry's answer. */
export async function signWorkload(options: SignWorkloadOptions): Promise<SignResult> {
  const {signclient} = await daprBinaries()
  const args = [
    `-address=${options.address}`,
    `-ca=${options.caFile}`,
    `-trust-domain=${options.trustDomain ?? 'cluster.local'}`,
    `-sentry-namespace=${options.sentryNamespace ?? 'default'}`,
    `-id=${options.id ?? 'app'}`,
    `-namespace=${options.namespace ?? 'default'}`,
    `-request-trust-domain=${options.requestTrustDomain ?? ''}`,
    `-key=${options.key ?? 'ecdsa'}`,
    `-timeout=${options.timeoutMs ?? 10_000}ms`,
  ]
  if (options.tokenFile !== undefined) args.push(`-token-file=${options.tokenFile}`)
  if (options.validator !== undefined) args.push(`-validator=${options.validator}`)
  if (options.handshakeOnly) args.push('-handshake-only')
  const {code, stdout, stderr} = await new Promise<{code: number; stdout: string; stderr: string}>((resolve) => {
    execFile(signclient, args, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({code, stdout, stderr})
    })
  })
  if (code !== 0 && code !== 1) {
    throw new Error(`signclient ${args.join(' ')} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`)
  }
  return {...(JSON.parse(stdout) as Omit<SignResult, 'exitCode'>), exitCode: code}
}
