// Self-hosted `dapr init --enable-mtls`: certificates in the certificates directory (never replacing existing ones
// without --force), the Configuration file with mTLS on, and optionally the new root key written for later renewals.
import type {BackupPolicy} from '../backups/record.js'
import {type CertificateInfo, defaultTrustDomain} from '../certs/index.js'
import {UsageError, UserError} from '../errors.js'
import {holdInterrupts} from '../interrupts.js'
import {assertWritable} from '../local-files.js'
import {ExitCode} from '../output/exit-codes.js'
import {buildNewBundle, warningLine} from '../renewal/new-bundle.js'
import type {KeyLoadOptions} from '../renewal/inputs.js'
import type {RenewalMode} from '../renewal/mode.js'
import {rfc1123} from '../output/time-layouts.js'
import {presentBundleFiles, writeCertsDir} from './certs-dir.js'
import {applyConfigEdit, type ConfigChange, planMtlsConfig} from './config-file.js'
import {assertKeyFileWritable, writeKeyFile} from './key-file.js'
import {initNextSteps} from './next-steps.js'
import {issuerSpiffeSettings, selfHostedDefaults} from './target.js'

export interface SelfHostedInitOptions {
  certsDir: string
  configFile: string
  enableMtls: boolean
  mode: RenewalMode
  trustDomain: string
  /** The Sentry version the certificates are for (--sentry-version); undefined when unknown. */
  sentryVersion?: string | undefined
  force: boolean
  /** True when --trust-domain was given: it then names the trust domain even for certificates you bring. */
  trustDomainGiven?: boolean
  rootKeyOut: string | undefined
  keyOptions?: KeyLoadOptions
  /** Where the replaced certificates are backed up (with --force), and how many backups to keep. */
  backup?: BackupPolicy
}

export interface SelfHostedInitResult {
  mtlsEnabled: boolean
  certsDir: string | undefined
  configFile: string
  configFileChange: ConfigChange
  /** The copy of the Configuration file kept beside it when it was edited. */
  configFileBackup: string | undefined
  backupDir: string | undefined
  rootKeyFile: string | undefined
  /** The trust domain Sentry must be started with (--trust-domain) and daprd must expect. */
  trustDomain: string | undefined
  certificates: CertificateInfo[]
  /** Validation warnings about the new certificates (for example a short validity), as "<source>: <message>". */
  warnings: string[]
}

export async function initSelfHosted(options: SelfHostedInitOptions): Promise<SelfHostedInitResult> {
  const result: SelfHostedInitResult = {
    mtlsEnabled: options.enableMtls,
    certsDir: undefined,
    configFile: options.configFile,
    configFileChange: 'unchanged',
    configFileBackup: undefined,
    backupDir: undefined,
    rootKeyFile: undefined,
    trustDomain: undefined,
    certificates: [],
    warnings: [],
  }
  if (!options.enableMtls) {
    const config = await planMtlsConfig(options.configFile, false)
    result.configFileBackup = await applyConfigEdit(config)
    result.configFileChange = config.change
    return result
  }
  // Every check, the Configuration file's and every target's writability included, happens before the first write.
  if (options.rootKeyOut !== undefined && options.mode.kind !== 'fresh') {
    throw new UsageError(
      '--root-key-out only applies when a new root key is generated',
      'Drop --root-key-out: it saves the key of a root this command generates, and here the root comes from you.',
    )
  }
  const existing = await presentBundleFiles(options.certsDir)
  if (existing.length > 0 && !options.force) {
    throw new UserError(`certificates already exist in ${options.certsDir}`, {
      hint: 'Renew them with `dapr mtls renew-certificate`, or pass --force to replace them (the old ones are backed up).',
    })
  }
  await assertWritable(options.certsDir, 'directory', '--certs-dir')
  if (options.rootKeyOut !== undefined) await assertKeyFileWritable(options.rootKeyOut)
  const config = await planMtlsConfig(options.configFile, true)
  const settings = {...selfHostedDefaults, trustDomain: options.trustDomain, sentryVersion: options.sentryVersion}
  const next = await buildNewBundle(options.mode, settings, undefined, options.keyOptions)
  // Ctrl-C is held from the first write to the last, so init ends with all of it done, or (before the certificates
  // are renamed into place) none of it.
  const guard = holdInterrupts({held: 'Finishing the writes first, so the set-up is not left half done.'})
  let interrupted: boolean
  try {
    const written = await writeCertsDir(options.certsDir, next.bundle, {
      guard,
      ...(options.backup ? {backup: options.backup} : {}),
    })
    if (options.rootKeyOut !== undefined && next.rootKeyPem !== undefined) {
      await writeKeyFile(options.rootKeyOut, next.rootKeyPem)
      result.rootKeyFile = options.rootKeyOut
    }
    result.configFileBackup = await applyConfigEdit(config)
    result.configFileChange = config.change
    result.certsDir = options.certsDir
    result.backupDir = written.backupDir
  } finally {
    interrupted = guard.release()
  }
  if (interrupted) {
    throw new UserError(`interrupted after the set-up in ${options.certsDir} was written in full`, {
      hint: 'Check it with `dapr mtls expiry`.',
      exitCode: ExitCode.interrupted,
    })
  }
  result.certificates = next.certificates
  result.trustDomain = trustDomainOf(next.bundle.issuerCertPem, options)
  result.warnings = next.warnings.map(warningLine)
  return result
}

/**
 * The trust domain to start Sentry with: the one given, else the one the issuer's SPIFFE subject names, else the
 * default. A root's subject (C=US, O=...) is never one.
 */
function trustDomainOf(
  issuerCertPem: string,
  options: Pick<SelfHostedInitOptions, 'trustDomain' | 'trustDomainGiven'>,
) {
  if (options.trustDomainGiven) return options.trustDomain
  return issuerSpiffeSettings(issuerCertPem)?.trustDomain ?? options.trustDomain
}

/** What init did and what to run next; commands name --certs-dir only when it is not the default. */
export function renderSelfHostedInit(result: SelfHostedInitResult): string {
  const config = `Configuration ${result.configFile} ${result.configFileChange} (spec.mtls.enabled: ${result.mtlsEnabled})`
  if (!result.mtlsEnabled || result.certsDir === undefined) return `Mutual TLS is disabled. ${config}`
  const root = result.certificates.find((c) => c.role === 'root')
  return [
    `Success! mTLS certificates written to ${result.certsDir}, valid through ${root ? rfc1123(root.notAfter) : ''}.`,
    config,
    '',
    ...initNextSteps(result.certsDir, result.trustDomain ?? defaultTrustDomain, result.configFile),
  ].join('\n')
}
