// Test helper: the CLI's verdict on a bundle, as a user gets it: `dapr mtls renew-certificate` bringing the bundle's
// three files into a real certificates directory, with the exit code, the rule named on stderr, and the directory
// before and after.
import path from 'node:path'

import {generateBundle} from '../../src/lib/certs/index.js'
import {type BundleFiles, writeBundleFiles} from './bundle-corpus.js'
import {type CliResult, dapr} from './cli.js'
import {snapshot} from './dir-snapshot.js'

export interface RenewVerdict {
  /** 'accepts' (exit 0), or the rule id the one-line refusal ends with. */
  verdict: string
  result: CliResult
  certsDir: string
  /** The certificates directory, file by file, before and after the command. */
  before: Record<string, string>
  after: Record<string, string>
  /** Everything under HOME/.dapr/backups afterwards, where the replaced files are kept (outside the directory). */
  backups: Record<string, string>
}

/** The rule id at the end of a refusal line: "<file>: <problem> (<rule>)", maybe followed by "(and N more)". */
export function refusalRule(stderr: string): string | undefined {
  const [line = ''] = stderr.split('\n').filter((l) => l.trim() !== '')
  return /\(([a-z0-9-]+)\)(?: \(and \d+ more\))?$/.exec(line)?.[1]
}

/**
 * Runs renew-certificate in `workDir/<name>` (its own HOME, so nothing lands in the real ~/.dapr) over a certificates
 * directory that holds a valid bundle, bringing `files`; with `--sentry-version` when given.
 */
export async function renewWithBundle(
  workDir: string,
  name: string,
  files: BundleFiles,
  sentryVersion?: string,
): Promise<RenewVerdict> {
  const home = path.join(workDir, name)
  const inputs = path.join(home, 'bring')
  const certsDir = path.join(home, 'certs')
  writeBundleFiles(inputs, files)
  const current = (await generateBundle({namespace: 'default', validityDays: 365})).bundle
  writeBundleFiles(certsDir, {
    'ca.crt': current.rootCertPem,
    'issuer.crt': current.issuerCertPem,
    'issuer.key': current.issuerKeyPem,
  })
  const before = snapshot(certsDir)
  const result = await dapr(
    [
      'mtls',
      'renew-certificate',
      '--certs-dir',
      certsDir,
      '--ca-root-certificate',
      path.join(inputs, 'ca.crt'),
      '--issuer-public-certificate',
      path.join(inputs, 'issuer.crt'),
      '--issuer-private-key',
      path.join(inputs, 'issuer.key'),
      ...(sentryVersion ? ['--sentry-version', sentryVersion] : []),
    ],
    {env: {HOME: home}},
  )
  const verdict = result.exitCode === 0 ? 'accepts' : (refusalRule(result.stderr) ?? `exit ${result.exitCode}`)
  const backups = snapshot(path.join(home, '.dapr', 'backups'))
  return {verdict, result, certsDir, before, after: snapshot(certsDir), backups}
}
