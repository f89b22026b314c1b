// The real-Sentry harness's interface (test/dapr/sentry.ts, built on another branch): real Sentry 1.16.2 or 1.18.0
// started self-hosted on a certificates directory. Declared here so the parity test type-checks before that branch
// is merged; the merge brings the implementation and this declaration can go.
export declare function sentryVerdict(
  version: '1.16.2' | '1.18.0',
  certsDir: string,
  options?: {trustDomain?: string},
): Promise<{accepted: true; signed: unknown; filesChanged: boolean} | {accepted: false; reason: string}>
