// Test helper: the parity rule between the CLI and real Sentry. The CLI may refuse what Sentry accepts only by one of
// its deliberate stricter rules; it must never accept what Sentry refuses.
import {stricterRules} from '../../src/lib/certs/index.js'

/** What real Sentry did with a bundle: started and served (did its workload certificate verify? did it rewrite a file?), or exited. */
export type SentryOutcome =
  {accepted: true; verified: boolean; changedFiles: string[]} | {accepted: false; reason: string}

export interface ParityCase {
  /** The CLI's verdict: 'accepts' or the rule of its refusal. */
  cli: string
  /** Every rule the engine refuses the bundle by (the CLI prints only the first). */
  refusedBy: string[]
  sentry: SentryOutcome
}

const stricter = new Set<string>(stricterRules.map((rule) => rule.rule))

/** Why the CLI and Sentry disagree beyond the stricter rules; undefined when they agree. */
export function parityProblem({cli, refusedBy, sentry}: ParityCase): string | undefined {
  if (!sentry.accepted) {
    return cli === 'accepts' ? `the CLI accepts a bundle Sentry refuses: ${sentry.reason}` : undefined
  }
  if (cli === 'accepts') {
    // Accepting means more than Sentry starting: its workload certificates verify, and it keeps the files as written.
    if (!sentry.verified) return 'the CLI accepts a bundle whose workload certificates do not verify'
    if (sentry.changedFiles.length > 0)
      return `the CLI accepts a bundle Sentry rewrites (${sentry.changedFiles.join(', ')})`
    return undefined
  }
  const notStricter = [cli, ...refusedBy].filter((rule) => !stricter.has(rule))
  return notStricter.length === 0
    ? undefined
    : `Sentry starts, but the CLI refuses by ${[...new Set(notStricter)].join(', ')}, not a deliberate stricter rule`
}

/** How the two verdicts relate, for the table: "same", "stricter" (allowed) or "MISMATCH". */
export function parityMark(parity: ParityCase): string {
  if (parityProblem(parity)) return 'MISMATCH'
  return parity.sentry.accepted && parity.cli !== 'accepts' ? 'stricter' : 'same'
}
