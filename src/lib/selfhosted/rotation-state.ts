// The state of a self-hosted root rotation: a folder of its own under ~/.dapr/rotation/, one per certificates
// directory, never inside the directory Sentry watches (Sentry reloads whenever anything changes there). It holds the
// new root, the pending issuer (its key 0600, the folder 0700) and the old roots; never the new root's private key.
import {createHash} from 'node:crypto'
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {describeCause, UserError} from '../errors.js'
import {makeDirectory, writeFileAtomic} from '../local-files.js'
import type {RotationState} from '../rotation/phases.js'

const files = {
  newRoot: 'new-root.crt',
  issuerCert: 'pending-issuer.crt',
  issuerKey: 'pending-issuer.key',
  oldRoots: 'old-roots.crt',
  times: 'times.json',
  certsDir: 'certs-dir',
} as const

/** ~/.dapr/rotation/<first 12 hex of the SHA-256 of the certificates directory's absolute path>. */
export function rotationStateDir(certsDir: string): string {
  const id = createHash('sha256').update(path.resolve(certsDir)).digest('hex').slice(0, 12)
  return path.join(homedir(), '.dapr', 'rotation', id)
}

export async function readLocalRotationState(certsDir: string): Promise<RotationState | undefined> {
  const dir = rotationStateDir(certsDir)
  const read = (name: string) => fs.readFile(path.join(dir, name), 'utf8')
  let times: string
  try {
    times = await read(files.times)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UserError(`cannot read the rotation state in ${dir}: ${describeCause(error)}`, {
      hint: 'Check the folder and its permissions.',
    })
  }
  const parsed = JSON.parse(times) as Pick<
    RotationState,
    'startedAt' | 'rootAddedAt' | 'rootAddCompletedAt' | 'issuerSwitchedAt'
  >
  const [newRootCertPem, pendingIssuerCertPem, pendingIssuerKeyPem, oldRootsCertPem] = await Promise.all(
    [files.newRoot, files.issuerCert, files.issuerKey, files.oldRoots].map((name) => read(name)),
  )
  return {
    ...parsed,
    newRootCertPem: newRootCertPem ?? '',
    pendingIssuerCertPem: pendingIssuerCertPem ?? '',
    pendingIssuerKeyPem: pendingIssuerKeyPem ?? '',
    oldRootsCertPem: oldRootsCertPem ?? '',
  }
}

/** Writes the state; times.json last, so a state that reads back is complete. */
export async function writeLocalRotationState(certsDir: string, state: RotationState): Promise<void> {
  const dir = rotationStateDir(certsDir)
  await makeDirectory(dir, 0o700)
  await writeFileAtomic(path.join(dir, files.certsDir), `${path.resolve(certsDir)}\n`, 0o600)
  await writeFileAtomic(path.join(dir, files.newRoot), state.newRootCertPem, 0o644)
  await writeFileAtomic(path.join(dir, files.issuerCert), state.pendingIssuerCertPem, 0o644)
  await writeFileAtomic(path.join(dir, files.issuerKey), state.pendingIssuerKeyPem, 0o600)
  await writeFileAtomic(path.join(dir, files.oldRoots), state.oldRootsCertPem, 0o644)
  const times = {
    startedAt: state.startedAt,
    rootAddedAt: state.rootAddedAt,
    rootAddCompletedAt: state.rootAddCompletedAt,
    issuerSwitchedAt: state.issuerSwitchedAt,
  }
  await writeFileAtomic(path.join(dir, files.times), `${JSON.stringify(times, undefined, 2)}\n`, 0o600)
}

export async function deleteLocalRotationState(certsDir: string): Promise<void> {
  await fs.rm(rotationStateDir(certsDir), {recursive: true, force: true})
}
