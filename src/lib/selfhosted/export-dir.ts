// Writing an exported trust bundle to a directory: created if missing, every file mode 0600 from its first byte, and
// existing files never replaced without --force (checked for all three before the first write).
import path from 'node:path'

import {bundleFileNames, type TrustBundle} from '../certs/index.js'
import {describeCause, UserError} from '../errors.js'
import {makeDirectory, writeFileAtomic} from '../local-files.js'
import {presentBundleFiles} from './certs-dir.js'

export async function exportBundle(dir: string, bundle: TrustBundle, options: {force: boolean}): Promise<string[]> {
  const files: [string, string][] = [
    [bundleFileNames.rootCert, bundle.rootCertPem],
    [bundleFileNames.issuerCert, bundle.issuerCertPem],
    [bundleFileNames.issuerKey, bundle.issuerKeyPem],
  ]
  // An empty file would look like an export that worked and fail only when Sentry or daprd reads it.
  const missing = files.filter(([, content]) => content.trim() === '').map(([name]) => name)
  if (missing.length > 0) {
    throw new UserError(`the trust bundle has no ${missing.join(', ')}; nothing was written`, {
      hint: 'Sentry fills the dapr-trust-bundle Secret when it starts: check that it runs, or renew the certificates.',
    })
  }
  const absolute = path.resolve(dir)
  const existing = await presentBundleFiles(absolute)
  if (existing.length > 0 && !options.force) {
    throw new UserError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}`, {
      hint: 'Choose another directory with --out, or pass --force to overwrite; nothing was written.',
    })
  }
  const written: string[] = []
  try {
    await makeDirectory(absolute, 0o755)
    for (const [name, content] of files) {
      const file = path.join(absolute, name)
      // A replaced 0644 issuer.key never holds the key, and a symlink is replaced rather than written through.
      await writeFileAtomic(file, content, 0o600)
      written.push(file)
    }
  } catch (error) {
    const done = written.length > 0 ? `written so far: ${written.join(', ')}` : 'nothing was written'
    if (error instanceof UserError && written.length === 0) throw error
    throw new UserError(`cannot write to ${absolute}: ${describeCause(error)}`, {
      hint: `Check that the directory is writable; ${done}.`,
    })
  }
  return written
}
