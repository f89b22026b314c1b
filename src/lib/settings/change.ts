// A change to Sentry's settings, in two steps shared by `mtls set` and `mtls token-validator`: prepare (read spec.mtls
// where it lives, build the edit from it, plan; nothing is written) and apply (write). The result says what changed
// and what is left to do.
import type {AppRestartOutcome, RestartOutcome} from '../kube/index.js'
import type {MtlsSpec} from './mtls-settings.js'
import {type FieldChange, type MtlsEdit, planEdit, type SettingsContext, type SettingsPlan} from './plan.js'
import type {SettingsTarget} from './target.js'

export interface PreparedChange {
  plan: SettingsPlan
  context: SettingsContext
}

export interface SettingsResult {
  location: string
  changes: FieldChange[]
  written: boolean
  warnings: string[]
  consequences: string[]
  restarts: RestartOutcome[]
  appRestarts: AppRestartOutcome[]
  nextSteps: string[]
}

/** Reads spec.mtls, builds the edit from it (which may refuse), and plans it; writes nothing. */
export async function prepareChange(
  target: SettingsTarget,
  editOf: (current: MtlsSpec) => MtlsEdit,
  extraWarnings: string[] = [],
): Promise<PreparedChange> {
  const {mtls, context} = await target.read()
  const plan = planEdit(mtls, editOf(mtls), context)
  return {plan: {...plan, warnings: [...extraWarnings, ...plan.warnings]}, context}
}

/** Pure: what is left for the user once the write is done, given what this run restarted. */
export function settingsNextSteps(
  prepared: PreparedChange,
  options: {sentryRestarted: boolean; appsRestarted: boolean},
): string[] {
  const {plan, context} = prepared
  const fields = new Set(plan.changes.map((change) => change.field))
  const forSentry = fields.has('workloadCertTTL') || fields.has('allowedClockSkew') || fields.has('tokenValidators')
  const steps: string[] = []
  if (forSentry && context.mode === 'self-hosted') {
    steps.push(`Restart Sentry: it reads ${context.location} only when it starts.`)
  }
  if (forSentry && context.mode === 'kubernetes' && !options.sentryRestarted) {
    steps.push(
      `Restart Sentry so it reads the new settings: kubectl rollout restart deployment/dapr-sentry -n ${context.namespace ?? ''} (or add --restart).`,
    )
  }
  if (fields.has('enabled') && !options.appsRestarted) {
    steps.push(
      'Restart every Dapr-enabled application (dapr mtls restart-apps -k): until then new pods get the new mTLS setting, running ones keep the old, and the two cannot call each other.',
    )
  }
  return steps
}

/** The result sentence and the changes, for stdout. */
export function renderSettingsResult(result: SettingsResult): string {
  if (result.changes.length === 0)
    return `spec.mtls of ${result.location} already has these settings; nothing was written.`
  const lines = [`Updated spec.mtls of ${result.location}:`]
  for (const change of result.changes) lines.push(`  ${change.field}: ${change.from} → ${change.to}`)
  return lines.join('\n')
}
