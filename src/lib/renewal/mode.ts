// Which of the three renewal modes the flags ask for: fresh certificates, a new root signed with an existing root
// key, or certificates the user brings. Mixed or partial flag sets are usage errors, never silently ignored.
import type {TrustBundle} from '../certs/index.js'
import {UsageError} from '../errors.js'

export const defaultValidityDays = 365
export const maxValidityDays = 36_500

export type RenewalMode =
  | {kind: 'fresh'; validityDays: number}
  | {kind: 'root-key'; rootKeyFile: string; validityDays: number}
  | {kind: 'provided'; rootCertFile: string; issuerCertFile: string; issuerKeyFile: string}
  /** A rollback: the bundle a backup holds, put back as it is. */
  | {kind: 'backup'; backup: string; bundle: TrustBundle}

export interface RenewalFlags {
  'private-key'?: string
  'ca-root-certificate'?: string
  'issuer-private-key'?: string
  'issuer-public-certificate'?: string
  'valid-until'?: number
}

const providedFlags = ['ca-root-certificate', 'issuer-public-certificate', 'issuer-private-key'] as const

export function resolveRenewalMode(flags: RenewalFlags): RenewalMode {
  for (const name of ['private-key', ...providedFlags] as const) {
    if (flags[name] !== undefined && flags[name].trim() === '') {
      throw new UsageError(`--${name} is empty`, `Give --${name} the path of a PEM file.`)
    }
  }
  const given = providedFlags.filter((name) => flags[name] !== undefined)
  const validityDays = flags['valid-until'] ?? defaultValidityDays
  if (validityDays < 1 || validityDays > maxValidityDays || !Number.isInteger(validityDays)) {
    throw new UsageError(`--valid-until must be a whole number of days from 1 to ${maxValidityDays}`)
  }
  if (given.length > 0) {
    if (given.length < providedFlags.length) {
      const missing = providedFlags.filter((name) => flags[name] === undefined)
      throw new UsageError(
        `bringing your own certificates needs all three of --ca-root-certificate, --issuer-public-certificate and --issuer-private-key; missing ${missing.map((m) => `--${m}`).join(', ')}`,
      )
    }
    if (flags['private-key'] !== undefined) {
      throw new UsageError(
        '--private-key cannot be combined with --ca-root-certificate, --issuer-public-certificate and --issuer-private-key',
        'Use --private-key to sign a new root with an existing key, or the three certificate flags to bring your own.',
      )
    }
    if (flags['valid-until'] !== undefined) {
      throw new UsageError(
        '--valid-until cannot be combined with certificates you bring',
        'Their validity is set by the certificates themselves; drop --valid-until.',
      )
    }
    return {
      kind: 'provided',
      rootCertFile: flags['ca-root-certificate'] ?? '',
      issuerCertFile: flags['issuer-public-certificate'] ?? '',
      issuerKeyFile: flags['issuer-private-key'] ?? '',
    }
  }
  if (flags['private-key'] !== undefined) return {kind: 'root-key', rootKeyFile: flags['private-key'], validityDays}
  return {kind: 'fresh', validityDays}
}

/** The official CLI's second progress line for each mode. */
export function modeMessage(mode: RenewalMode): string {
  switch (mode.kind) {
    case 'fresh':
      return 'Generating fresh certificates'
    case 'root-key':
      return `Using the root private key in ${mode.rootKeyFile} to generate the root certificate`
    case 'provided':
      return 'Using provided certificates'
    case 'backup':
      return `Restoring the trust bundle saved in ${mode.backup}`
  }
}
