// Flags shared by several commands: where the certificates live (-k for the cluster, --certs-dir for disk), how to
// reach the cluster, and the certificates a user brings. One definition each, so help text and behaviour match
// everywhere; and the one rule that a flag of the other mode is refused rather than silently ignored.
import {Flags} from '@oclif/core'

import {type BackupEvents, type BackupPolicy, defaultBackupDir, defaultKeep} from './backups/record.js'
import {parseGoDuration} from './certs/duration.js'
import {UsageError} from './errors.js'
import {defaultCertsDir} from './selfhosted/certs-dir.js'

export const kubernetesFlag = Flags.boolean({
  char: 'k',
  summary: 'Work on the Kubernetes cluster of the current kubeconfig context (without -k: the certificates on disk).',
})

// No parse-time default, so a given --certs-dir can be told from an absent one (assertFlagsFitMode).
export const certsDirFlag = Flags.string({summary: 'Self-hosted certificates directory [default: ~/.dapr/certs].'})

export function certsDirOf(flags: {'certs-dir'?: string | undefined}): string {
  return flags['certs-dir'] ?? defaultCertsDir()
}

export const defaultTimeoutSeconds = 300

// Self-hosted only: with -k the version is read from the cluster's dapr-sentry.
export const sentryVersionFlag = Flags.string({
  summary: 'Sentry version, e.g. 1.18.0 [default: the ECDSA-only issuer key rule every Sentry accepts].',
})

/** Seconds from plain seconds (30) or a Go duration (30s, 5m, 1h30m), one parser for every timeout flag. */
export function parseSeconds(text: string, flag: string): number {
  const fail = (): never => {
    throw new UsageError(
      `--${flag} "${text}" is not a duration`,
      'Give seconds (30) or a duration such as 30s, 5m or 1h30m.',
    )
  }
  let seconds: number
  if (/^\d+(\.\d+)?$/.test(text.trim())) seconds = Number(text)
  else {
    try {
      seconds = parseGoDuration(text, `--${flag}`) / 1000
    } catch {
      return fail()
    }
  }
  if (!(seconds >= 1)) {
    throw new UsageError(
      `--${flag} must be at least 1 second (got ${text})`,
      'Give seconds (30) or a duration such as 30s or 5m.',
    )
  }
  return seconds
}

/** A timeout flag: seconds or a duration, read by parseSeconds. */
export function timeoutFlag(flag: string, options: {summary: string; helpGroup?: string}) {
  return Flags.custom<number>({
    ...options,
    helpValue: '<seconds|duration>',
    parse: (input) => Promise.resolve(parseSeconds(input, flag)),
  })()
}

export const bringYourOwnFlags = {
  'ca-root-certificate': Flags.string({summary: 'Root certificate(s) you bring (PEM).'}),
  'issuer-public-certificate': Flags.string({summary: 'Issuer certificate you bring (PEM).'}),
  'issuer-private-key': Flags.string({summary: 'Issuer private key you bring (PEM).'}),
}

export const clusterFlags = {
  kubeconfig: Flags.string({
    summary: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).',
    helpGroup: 'KUBERNETES',
  }),
  context: Flags.string({summary: 'The kubeconfig context to use.', helpGroup: 'KUBERNETES'}),
  'request-timeout': timeoutFlag('request-timeout', {
    summary: 'How long one request to the API server may take: seconds or a duration such as 30s, 2m [default: 30s].',
    helpGroup: 'KUBERNETES',
  }),
  namespace: Flags.string({
    char: 'n',
    summary: 'The Dapr control-plane namespace (default: found from the daprsystem Configuration).',
    helpGroup: 'KUBERNETES',
  }),
}

export const validUntilFlag = Flags.integer({
  summary: 'Validity of the new root and issuer certificates, in days (1 to 36500) [default: 365].',
  min: 1,
  max: 36_500,
})

/** Which flags belong to one mode only. Such flags have no parse-time default: undefined means not given. */
export interface ModeFlags {
  selfHostedOnly: readonly string[]
  clusterOnly: readonly string[]
}

/** A flag of the other mode is a mistake worth stopping for: it would otherwise be silently ignored. */
export function assertFlagsFitMode(
  kubernetes: boolean,
  flags: Partial<Record<string, unknown>>,
  modeFlags: ModeFlags,
): void {
  const given = (kubernetes ? modeFlags.selfHostedOnly : modeFlags.clusterOnly).find(
    (name) => flags[name] !== undefined,
  )
  if (given === undefined) return
  if (kubernetes) throw new UsageError(`--${given} is only valid for self-hosted mode`, `Drop --${given} or -k.`)
  throw new UsageError(
    `--${given} is only valid with -k: it only applies to a Kubernetes cluster`,
    `Add -k to work on the cluster, or drop --${given} to work on the certificates on disk.`,
  )
}

/** --keep: every write keeps this many backups of the bundle it replaces. */
export const keepFlag = Flags.integer({
  summary: `How many backups of this bundle to keep; older ones are pruned [default: ${defaultKeep}].`,
  min: 1,
})

export const backupDirFlag = Flags.string({summary: 'Where backups are kept [default: ~/.dapr/backups].'})

/** How a writing command keeps its backups, from --backup-dir and --keep. */
export function backupPolicyOf(
  flags: {'backup-dir'?: string | undefined; keep?: number | undefined},
  writtenBy: string,
  events: BackupEvents,
): BackupPolicy {
  return {dir: flags['backup-dir'] ?? defaultBackupDir(), writtenBy, keep: flags.keep ?? defaultKeep, events}
}

export const defaultConcurrency = 5

/** The one bound of a restart, control plane and apps together. */
export const restartTimeoutFlag = timeoutFlag('timeout', {
  summary: `How long the whole restart may take: seconds or a duration such as 90s, 5m [default: ${defaultTimeoutSeconds / 60}m].`,
})

/** Which Dapr-enabled applications to restart and how many at a time (restart-apps, --restart-apps). */
export const appSelectionFlags = {
  'app-namespace': Flags.string({
    summary: 'Restart only the applications in this namespace (repeatable) [default: all namespaces].',
    multiple: true,
  }),
  'all-namespaces': Flags.boolean({char: 'A', summary: 'Restart the applications in every namespace (the default).'}),
  concurrency: Flags.integer({
    summary: `How many applications restart at a time [default: ${defaultConcurrency}].`,
    min: 1,
  }),
}

/** --restart and --restart-apps on the commands that write a trust bundle (renew-certificate, rollback, rotate). */
export const restartFlags = {
  restart: Flags.boolean({
    summary: 'Restart the control plane after the write (-k): dapr-sentry first, then the rest.',
  }),
  'restart-apps': Flags.boolean({
    summary:
      'Then restart every Dapr-enabled Deployment, StatefulSet and DaemonSet, so sidecars get the new roots (-k; implies --restart).',
  }),
  ...appSelectionFlags,
  timeout: restartTimeoutFlag,
}

/** The restart flags, all cluster-only. */
export const restartFlagNames = Object.keys(restartFlags)

/** The flags of every command that writes a trust bundle: restarts, backups, the plan and the question. */
export const bundleWriteFlags = {
  ...restartFlags,
  'backup-dir': backupDirFlag,
  keep: keepFlag,
  'dry-run': Flags.boolean({summary: 'Print the plan (what would be written and restarted); change nothing.'}),
  yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation at a terminal (-k).'}),
}

export const bundleWriteClusterOnlyFlags = [...restartFlagNames, 'yes']

/** The warning window of expiry checks: whole days, as the banner counts them. */
export const warnDaysFlag = Flags.integer({
  summary: 'Warn (exit 3) when a certificate expires within this many days.',
  default: 30,
  min: 0,
})
