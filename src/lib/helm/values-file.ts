// The certificate values file Helm reads: mode 0600 in a private (0700) temporary directory that is removed when the
// install ends, also when it is interrupted, so the issuer key never outlives the command on disk.
import {rmSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {onInterrupt} from '../interrupts.js'

/** Runs `use` with the path of a file holding `content`, or with no file when there is no content. */
export async function withValuesFile<T>(
  content: string | undefined,
  use: (file: string | undefined) => Promise<T>,
): Promise<T> {
  if (content === undefined) return use(undefined)
  const dir = await mkdtemp(path.join(tmpdir(), 'dapr-init-'))
  // Helm, in the same process group, gets the signal too; the file goes before this process exits.
  const unregister = onInterrupt(() => {
    rmSync(dir, {recursive: true, force: true})
  })
  try {
    const file = path.join(dir, 'certificates.yaml')
    await writeFile(file, content, {mode: 0o600, flag: 'wx'})
    return await use(file)
  } finally {
    unregister()
    await rm(dir, {recursive: true, force: true})
  }
}
