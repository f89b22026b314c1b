// `mtls doctor` without -k: the bundle in the certificates directory, checked as a renewal would check it, plus what
// only a directory can get wrong: an issuer key others may read, and backups kept where Sentry watches.
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {bundleFileNames} from '../certs/index.js'
import {legacyBackupsFolder} from '../selfhosted/backups.js'
import {readCertsDir} from '../selfhosted/certs-dir.js'
import {shellWord} from '../output/shell-quote.js'
import {localDaprdTrusting} from '../selfhosted/daprd-processes.js'
import {readLocalRotationState} from '../selfhosted/rotation-state.js'
import {bundleChecks, type DoctorCheck} from './checks.js'
import {rotationCheck} from './rotation-check.js'
import {type DoctorReport, doctorReport} from './report.js'

export async function certsDirDoctor(
  dir: string,
  options: {warnDays: number; sentryVersion: string | undefined},
): Promise<DoctorReport> {
  const {bundle, files} = await readCertsDir(dir, {needsKey: true})
  const checks = bundleChecks(bundle, {
    warnDays: options.warnDays,
    sentryVersion: options.sentryVersion,
    sources: bundleFileNames,
  })
  const mode = (await fs.stat(files.issuerKey)).mode & 0o777
  checks.push(keyModeCheck(mode))
  const legacy = path.join(dir, legacyBackupsFolder)
  checks.push(
    backupsCheck(
      await fs.stat(legacy).then(
        () => legacy,
        () => undefined,
      ),
    ),
  )
  const rotation = await readLocalRotationState(dir)
  const processes = rotation ? await localDaprdTrusting(rotation.oldRootsCertPem + rotation.newRootCertPem) : []
  checks.push(rotationCheck(bundle, rotation, processes, `dapr mtls rotate --certs-dir ${shellWord(dir)}`))
  return doctorReport('self-hosted', dir, options.sentryVersion, checks)
}

/** Pure: the issuer key is a secret: readable by its owner only. */
export function keyModeCheck(mode: number): DoctorCheck {
  const title = 'issuer.key is readable by its owner only'
  const octal = mode.toString(8).padStart(4, '0')
  if ((mode & 0o077) === 0) return {id: 'key-mode', title, status: 'ok', detail: `mode ${octal}`}
  return {
    id: 'key-mode',
    title,
    status: 'warn',
    detail: `mode ${octal}: others on this machine can read the issuer private key`,
    hint: 'chmod 600 issuer.key',
  }
}

/** Pure: backups inside the watched directory make Sentry reload at every write; the next write moves them out. */
export function backupsCheck(legacyFolder: string | undefined): DoctorCheck {
  const title = 'nothing but the bundle in the directory Sentry watches'
  if (legacyFolder === undefined) return {id: 'backups-location', title, status: 'ok', detail: 'no backups inside it'}
  return {
    id: 'backups-location',
    title,
    status: 'warn',
    detail: `${legacyFolder} holds backups: Sentry reloads on any change in the directory it watches`,
    hint: 'The next renewal or rollback moves them to ~/.dapr/backups (or --backup-dir), outside the directory.',
  }
}
