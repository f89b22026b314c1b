// Writing an exported trust bundle to a directory: created if missing, every file mode 0600, and existing files
// never replaced without --force (checked for all three before the first write).
import {promises as fs} from 'node:fs'
import path from 'node:path'

import type {TrustBundle} from '../certs/index.js'
import {UserError} from '../errors.js'
import {bundleFiles, presentBundleFiles} from './certs-dir.js'

export async function exportBundle(dir: string, bundle: TrustBundle, options: {force: boolean}): Promise<string[]> {
  const absolute = path.resolve(dir)
  const existing = await presentBundleFiles(absolute)
  if (existing.length > 0 && !options.force) {
    throw new UserError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}`, {
      hint: 'Choose another directory with --out, or pass --force to overwrite; nothing was written.',
    })
  }
  await fs.mkdir(absolute, {recursive: true, mode: 0o755})
  const files: [string, string][] = [
    [bundleFiles.rootCert, bundle.rootCertPem],
    [bundleFiles.issuerCert, bundle.issuerCertPem],
    [bundleFiles.issuerKey, bundle.issuerKeyPem],
  ]
  const written: string[] = []
  for (const [name, content] of files) {
    const file = path.join(absolute, name)
    await fs.writeFile(file, content, {mode: 0o600})
    // writeFile keeps the mode of a file it overwrites.
    await fs.chmod(file, 0o600)
    written.push(file)
  }
  return written
}
