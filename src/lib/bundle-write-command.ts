// The base of commands that write a trust bundle (renew-certificate, rollback, and rotate later): the cluster (-k) or
// the certificates directory as one target with its backup policy, everything read and checked before the first
// line of progress, then always the same order: plan (--dry-run stops here), question at a terminal, write, result,
// restarts, and what is left to do.
import type {Command} from '@oclif/core'

import type {BackupStore} from './backups/record.js'
import {backupPolicyOf, certsDirOf} from './flags.js'
import {type ClusterSession, KubeCommand} from './kube-command.js'
import type {KeyLoadOptions} from './renewal/inputs.js'
import type {RenewalMode} from './renewal/mode.js'
import {clusterNextSteps} from './renewal/next-steps.js'
import {renderPlan} from './renewal/plan.js'
import {applyRenewal, type PreparedRenewal, prepareRenewal} from './renewal/renew.js'
import {type BundleWriteResult, noRestarts, withRestarts} from './renewal/result.js'
import type {BundleTarget} from './renewal/target.js'
import {type RestartFlags, restartRequestOf} from './restarts/request.js'
import {planRestarts, type RestartPlan, restartPlanLines} from './restarts/run.js'
import {certsDirBackupStore} from './selfhosted/backups.js'
import {renewalNextSteps} from './selfhosted/next-steps.js'
import {certsDirTarget} from './selfhosted/target.js'

interface WriteFlags extends RestartFlags {
  kubernetes?: boolean
  'certs-dir'?: string
  'sentry-version'?: string
  'backup-dir'?: string
  keep?: number
  'dry-run'?: boolean
  yes?: boolean
}

/** Where the bundle is written, and its backups for a rollback to choose from. */
export interface WritePlace {
  session: ClusterSession | undefined
  target: BundleTarget
  backups: BackupStore
}

export interface PreparedWrite extends WritePlace {
  prepared: PreparedRenewal
  restarts: RestartPlan | undefined
  nextSteps: string[]
}

export abstract class BundleWriteCommand<T extends typeof Command> extends KubeCommand<T> {
  /**
   * Reads and checks everything a write needs: the place, the new bundle (from `mode`), the restarts. Throws before
   * anything is written or printed when any of it is wrong.
   */
  protected async prepareWrite(
    writtenBy: string,
    mode: (place: WritePlace) => RenewalMode | Promise<RenewalMode>,
    keyOptions: KeyLoadOptions = {},
  ): Promise<PreparedWrite> {
    const flags = this.flags as WriteFlags
    const request = restartRequestOf(flags)
    const session = flags.kubernetes ? await this.cluster() : undefined
    const backup = backupPolicyOf(flags, writtenBy, this.backupEvents())
    const certsDir = certsDirOf(flags)
    const place: WritePlace = session
      ? {
          session,
          target: session.kube.clusterTarget(session.clients, session.controlPlane, backup),
          backups: session.kube.clusterBackupStore(backup.dir, session.clients, session.controlPlane),
        }
      : {
          session,
          target: certsDirTarget(certsDir, {sentryVersion: flags['sentry-version'], backup}),
          backups: certsDirBackupStore(backup.dir, certsDir),
        }
    const chosen = await mode(place)
    const restarts = session ? await planRestarts(session, request) : undefined
    const prepared = await prepareRenewal(place.target, chosen, {
      restarts: restarts && session ? restartPlanLines(restarts, session.controlPlane.namespace) : [],
      keyOptions,
    })
    const {plan} = prepared
    const nextSteps = session
      ? clusterNextSteps({
          rootKept: plan.rootPublicKeyKept,
          restartingControlPlane: request.controlPlane,
          restartingApps: request.apps?.namespaces,
        })
      : renewalNextSteps(place.target.location, !plan.rootPublicKeyKept)
    return {...place, prepared, restarts, nextSteps}
  }

  /**
   * Shows the plan and stops (--dry-run, or nothing to write), or asks at a terminal, announces, writes, reports,
   * restarts, and says what is left.
   */
  protected async finishWrite(
    write: PreparedWrite,
    texts: {question: string; announce: () => Promise<void> | void; success: string; unchanged: string},
  ): Promise<BundleWriteResult> {
    const flags = this.flags as WriteFlags
    const {session, prepared, nextSteps} = write
    const {plan} = prepared
    const stop = (flags['dry-run'] ?? false) || plan.unchanged
    if (session) this.bannerFrom(stop ? plan.current : plan.next)
    if (stop) {
      const result = noRestarts({plan, written: false, backup: undefined}, plan.unchanged ? [] : nextSteps)
      this.print(result, () => renderPlan(plan))
      if (plan.unchanged) this.progress('info', texts.unchanged)
      return result
    }
    if (session) await this.confirmWrite(renderPlan(plan), texts.question, flags.yes)
    await texts.announce()
    for (const warning of plan.warnings) this.progress('warning', warning)
    const written = await applyRenewal(write.target, prepared)
    this.result('success', texts.success)
    const restarted = session && write.restarts ? await this.restartAfterWrite(session, write.restarts) : undefined
    const result = withRestarts(written, restarted, nextSteps)
    // Self-hosted, the steps are commands to paste, a block of the result; with -k, notes beside it.
    if (!session && !this.jsonEnabled()) this.log(['', ...nextSteps].join('\n'))
    for (const step of session ? nextSteps : []) this.progress('info', step)
    return result
  }
}
