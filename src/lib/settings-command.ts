// The base of the commands that change Sentry's settings (`mtls set`, `mtls token-validator add|remove`): where the
// settings live (-k: the daprsystem Configuration; otherwise the Configuration file Sentry reads), the plan and its
// consequences shown before anything is written (asked about at a terminal), --dry-run, and the restarts after the
// write: dapr-sentry (--restart) and, for an mTLS switch, every Dapr-enabled app.
import {type Command, Flags} from '@oclif/core'

import {UserError} from './errors.js'
import {defaultTimeoutSeconds, kubernetesFlag} from './flags.js'
import {type ClusterSession, KubeCommand} from './kube-command.js'
import type {AppRestartOutcome, NamespacedWorkload, RestartOutcome} from './kube/index.js'
import {confirm} from './output/prompt.js'
import {canPrompt} from './output/terminal.js'
import {configFileTarget} from './selfhosted/sentry-config.js'
import {defaultConfigFile} from './selfhosted/config-file.js'
import {prepareChange, renderSettingsResult, settingsNextSteps, type SettingsResult} from './settings/change.js'
import type {MtlsSpec} from './settings/mtls-settings.js'
import {type MtlsEdit, renderPlan, type SettingsPlan} from './settings/plan.js'

export const settingsFlags = {
  kubernetes: kubernetesFlag,
  'config-file': Flags.string({
    summary: 'Self-hosted: the Configuration file Sentry reads (its --config) [default: ~/.dapr/config.yaml].',
  }),
  restart: Flags.boolean({
    summary: 'Restart dapr-sentry after the change and wait for it (-k): Sentry reads its settings only at start.',
  }),
  timeout: Flags.integer({
    summary: `Seconds the restarts may take in all (-k) [default: ${defaultTimeoutSeconds}].`,
    min: 1,
  }),
  'dry-run': Flags.boolean({summary: 'Print the change and what it means; write nothing.'}),
  yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation at a terminal.'}),
}

interface SettingsFlags {
  kubernetes?: boolean
  'config-file'?: string
  restart?: boolean
  timeout?: number
  'dry-run'?: boolean
  yes?: boolean
}

export interface ChangeOptions {
  /** Warnings found while building the edit (e.g. about the JWKS given). */
  warnings?: string[]
  /** Refuses a plan before anything is written. */
  check?: (plan: SettingsPlan) => void
  /** -k: restart every Dapr-enabled app after an mTLS switch, this many at a time. */
  restartApps?: {concurrency: number}
}

export abstract class SettingsCommand<T extends typeof Command> extends KubeCommand<T> {
  static override selfHostedOnlyFlags = ['config-file']
  static override clusterOnlyFlags = ['restart', 'timeout']

  private get settingsFlags(): SettingsFlags {
    return this.flags as SettingsFlags
  }

  /** Reads the settings, plans the edit, shows it, writes it and restarts what the flags ask for. */
  protected async change(
    editOf: (current: MtlsSpec) => MtlsEdit,
    options: ChangeOptions = {},
  ): Promise<SettingsResult> {
    const flags = this.settingsFlags
    const session = flags.kubernetes ? await this.cluster() : undefined
    if (session) void this.readBundleAlongside(session)
    if (session && flags.restart && session.controlPlane.sentry === undefined) {
      throw new UserError(
        `--restart cannot restart dapr-sentry: ${session.controlPlane.sentryNote ?? 'not found'}; nothing was changed`,
        {
          hint: 'Check -n, or drop --restart and restart Sentry your own way.',
        },
      )
    }
    const target = session
      ? session.kube.clusterSettingsTarget(session.clients, session.controlPlane)
      : configFileTarget(flags['config-file'] ?? defaultConfigFile())
    const prepared = await prepareChange(target, editOf, options.warnings)
    const {plan} = prepared
    options.check?.(plan)
    const switchesMtls = plan.changes.some((change) => change.field === 'enabled')
    const apps =
      session && options.restartApps && switchesMtls ? await session.kube.listDaprWorkloads(session.clients) : undefined
    const result: SettingsResult = {
      location: plan.location,
      changes: plan.changes,
      written: false,
      warnings: plan.warnings,
      consequences: plan.consequences,
      restarts: [],
      appRestarts: [],
      nextSteps: [],
    }
    if (flags['dry-run']) {
      this.print(result, () => renderPlan(plan) + (apps ? `\nRestarts ${apps.length} Dapr-enabled apps.` : ''))
      return result
    }
    if (plan.changes.length > 0) {
      await this.showAndConfirm(plan)
      await target.write(plan.edit)
      result.written = true
    }
    this.print(result, () => renderSettingsResult(result))
    const deadline = Date.now() + (flags.timeout ?? defaultTimeoutSeconds) * 1000
    if (session && flags.restart) result.restarts = await this.restartSentry(session, deadline)
    if (session && apps && options.restartApps) {
      result.appRestarts = await this.restartApps(session, apps, options.restartApps.concurrency, deadline)
    }
    result.nextSteps = settingsNextSteps(prepared, {
      sentryRestarted: result.restarts.length > 0,
      appsRestarted: apps !== undefined,
    })
    for (const step of result.nextSteps) this.progress('info', step)
    return result
  }

  /** The consequences go to stderr before anything is written; at a terminal the whole plan, and a question. */
  private async showAndConfirm(plan: SettingsPlan): Promise<void> {
    if (!this.settingsFlags.yes && canPrompt() && !this.jsonEnabled()) {
      process.stderr.write(renderPlan(plan) + '\n')
      if (!(await confirm('Write this change now?', false))) throw new UserError('cancelled; nothing was changed')
      return
    }
    for (const warning of plan.warnings) this.progress('warning', warning)
    for (const line of plan.consequences) this.progress('info', line)
  }

  private async restartSentry(session: ClusterSession, deadline: number): Promise<RestartOutcome[]> {
    const wait = this.startWait('Restarting dapr-sentry')
    try {
      const outcomes = await session.kube.restartWithSummary(
        session.clients,
        session.controlPlane.namespace,
        [session.kube.sentryWorkload],
        {
          timeoutSeconds: Math.max(1, Math.round((deadline - Date.now()) / 1000)),
          progress: wait.update,
          summary: (text) => {
            wait.stop()
            process.stderr.write(text + '\n')
          },
          done: 'The new settings are written.',
        },
      )
      this.progress('success', 'dapr-sentry has restarted with the new settings.')
      return outcomes
    } finally {
      wait.stop()
    }
  }

  private async restartApps(
    session: ClusterSession,
    apps: NamespacedWorkload[],
    concurrency: number,
    deadline: number,
  ): Promise<AppRestartOutcome[]> {
    const {kube, clients} = session
    this.progress('pending', `Restarting ${apps.length} Dapr-enabled apps, ${concurrency} at a time`)
    const outcomes = await kube.restartApps(clients, apps, {
      concurrency,
      timeoutMs: Math.max(1000, deadline - Date.now()),
      onFinished: (outcome, finished, total) => {
        this.progress(outcome.done ? 'success' : 'warning', kube.appRestartProgress(outcome, finished, total))
      },
    })
    if (outcomes.length > 0) process.stderr.write(kube.renderAppRestartSummary(outcomes) + '\n')
    kube.assertAppRestartsDone(outcomes, {concurrency})
    return outcomes
  }
}
