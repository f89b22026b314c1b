// The daprd processes running on this machine, with the trust anchors each was started with (its environment):
// what the self-hosted rotation checks before the issuer moves to a new root. Linux only (/proc); elsewhere, and for
// processes of other users, the anchors cannot be read and the rotation says so.
import {promises as fs} from 'node:fs'

import {parseCertificates} from '../certs/index.js'
import {holdsAnchor, type Sidecar} from '../rotation/phases.js'

/** Pure: a process's NUL-separated environment or command line as a list. */
function nulList(raw: Buffer): string[] {
  return raw
    .toString()
    .split('\0')
    .filter((part) => part !== '')
}

/** Pure: a daprd process as a Sidecar, from its command line and environment (undefined when unreadable). */
export function daprdSidecar(pid: number, argv: string[], environ: string[] | undefined): Sidecar {
  const appIdIndex = argv.findIndex((arg) => arg === '--app-id' || arg === '-app-id')
  const inline = argv.find((arg) => /^--?app-id=/.test(arg))?.split('=')[1]
  const appId = inline ?? (appIdIndex >= 0 ? argv[appIdIndex + 1] : undefined)
  const anchors = environ?.find((entry) => entry.startsWith('DAPR_TRUST_ANCHORS='))
  return {
    name: `pid ${pid}${appId ? ` (app ${appId})` : ''}`,
    owner: `daprd${appId ? ` --app-id ${appId}` : ''} (pid ${pid})`,
    replaceable: true,
    trustAnchorsPem: environ === undefined ? undefined : (anchors?.slice('DAPR_TRUST_ANCHORS='.length) ?? ''),
  }
}

/** Every running daprd of this machine; undefined where processes cannot be listed (no /proc). */
export async function localDaprdProcesses(): Promise<Sidecar[] | undefined> {
  let entries: string[]
  try {
    entries = await fs.readdir('/proc')
  } catch {
    return undefined
  }
  const found: Sidecar[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if (pid === process.pid) continue
    try {
      const comm = (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim()
      if (!comm.startsWith('daprd')) continue
      const argv = nulList(await fs.readFile(`/proc/${pid}/cmdline`))
      const environ = await fs.readFile(`/proc/${pid}/environ`).then(nulList, () => undefined)
      found.push(daprdSidecar(pid, argv, environ))
    } catch {
      // The process ended while being read.
    }
  }
  return found
}

/**
 * The daprd processes of one bundle: those trusting one of `rootsPem` (or whose anchors cannot be read), so a
 * daprd of another set-up on the same machine is left out. Undefined where processes cannot be listed.
 */
export async function localDaprdTrusting(rootsPem: string): Promise<Sidecar[] | undefined> {
  const processes = await localDaprdProcesses()
  if (processes === undefined) return undefined
  const roots = parseCertificates(rootsPem, 'roots')
  return processes.filter(
    (daprd) =>
      daprd.trustAnchorsPem === undefined || roots.some((root) => holdsAnchor(daprd.trustAnchorsPem ?? '', root)),
  )
}
