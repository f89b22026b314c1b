// `dapr mtls set`: Sentry's workload certificate TTL and allowed clock skew, and (-k) whether mTLS is on, written where
// they are read (the daprsystem Configuration, or the self-hosted Configuration file), with what the change means.
import {Flags} from '@oclif/core'

import {type ChangeOptions, SettingsCommand, settingsFlags} from '../../lib/settings-command.js'
import type {SettingsResult} from '../../lib/settings/change.js'
import {assertEnabledChangeAllowed, settingsEdit} from '../../lib/settings/plan.js'

export default class MtlsSet extends SettingsCommand<typeof MtlsSet> {
  static override summary = "Set Sentry's workload certificate TTL and clock skew, or (-k) switch mTLS on or off."
  static override description = `Durations are Go's (25s, 1h30m). Only Sentry reads workloadCertTTL and allowedClockSkew, once at start: with -k, --restart restarts dapr-sentry after the change; self-hosted, restart Sentry yourself.
With -k the daprsystem Configuration is patched only if nobody changed it since it was read; other fields stay. --enabled is read by the sidecar injector for each new pod, so it needs --restart-apps (restart every Dapr-enabled app right away) or --force (you restart them): until all have restarted, sidecars with and without mTLS cannot call each other.
Self-hosted, the Configuration file Sentry reads is edited in place, comments kept; --enabled does not apply there (daprd's --enable-mtls flag switches mTLS).`

  static override clusterOnlyFlags = [...SettingsCommand.clusterOnlyFlags, 'restart-apps', 'force', 'concurrency']
  static override examples = [
    '<%= config.bin %> mtls set -k --workload-cert-ttl 12h --allowed-clock-skew 5m --restart',
    '<%= config.bin %> mtls set -k --enabled=false --restart-apps',
    '<%= config.bin %> mtls set --workload-cert-ttl 2m --config-file ~/.dapr/config.yaml',
  ]

  static override flags = {
    ...settingsFlags,
    'workload-cert-ttl': Flags.string({summary: 'Validity of the workload certificates Sentry signs, e.g. 24h.'}),
    'allowed-clock-skew': Flags.string({summary: 'How far back certificates start, for clocks that differ, e.g. 15m.'}),
    enabled: Flags.option({options: ['true', 'false'] as const, summary: 'Switch mTLS on or off for new pods (-k).'})(),
    'restart-apps': Flags.boolean({summary: 'With --enabled: restart every Dapr-enabled app after the change (-k).'}),
    force: Flags.boolean({summary: 'With --enabled: change it without restarting the apps (-k).'}),
    concurrency: Flags.integer({summary: 'Apps restarted at a time with --restart-apps [default: 5].', min: 1}),
  }

  async run(): Promise<SettingsResult> {
    const {flags} = this
    const mode = flags.kubernetes ? 'kubernetes' : 'self-hosted'
    const enabled = flags.enabled === undefined ? undefined : flags.enabled === 'true'
    const edit = settingsEdit(
      {
        workloadCertTTL: flags['workload-cert-ttl'],
        allowedClockSkew: flags['allowed-clock-skew'],
        enabled,
        appFlag: ['restart-apps', 'force', 'concurrency'].find(
          (name) => flags[name as keyof typeof flags] !== undefined,
        ),
      },
      mode,
    )
    const options: ChangeOptions = {
      check: (plan) => {
        assertEnabledChangeAllowed(plan, {restartApps: flags['restart-apps'] ?? false, force: flags.force ?? false})
      },
      ...(flags['restart-apps'] ? {restartApps: {concurrency: flags.concurrency ?? 5}} : {}),
    }
    return this.change(() => edit, options)
  }
}
