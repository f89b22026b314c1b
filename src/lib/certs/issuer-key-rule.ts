// Which issuer key types a Sentry version can sign with. dapr/kit before the 1.18 fix encodes only ECDSA keys, so
// Sentry 1.16.x and 1.17.x exit "unsupported key type" on an Ed25519 or RSA issuer key; 1.18.0 signs with all three.
// A version that cannot be read (an image digest, a vendor tag) gets the rule every Sentry accepts: ECDSA only.
import type {KeyObject} from 'node:crypto'

export type IssuerKeyType = 'ECDSA' | 'Ed25519' | 'RSA'

export interface IssuerKeyRule {
  /** The version the rule is for, as given; undefined when unknown. */
  version: string | undefined
  /** "Sentry 1.16.2", or "an unknown Sentry version": how messages name it. */
  sentry: string
  keyTypes: readonly IssuerKeyType[]
}

/** The first release whose Sentry signs with Ed25519 and RSA issuer keys. */
export const allKeyTypesSince = '1.18.0'

const allKeyTypes: readonly IssuerKeyType[] = ['ECDSA', 'Ed25519', 'RSA']
const ecdsaOnly: readonly IssuerKeyType[] = ['ECDSA']

// x.y or x.y.z, with an optional v, a pre-release or vendor suffix after "-" and build metadata after "+".
const versionPattern = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/
// Suffixes that mark a build made before its release (1.18.0-rc.1 may predate the fix); any other suffix names a
// vendor build of that release (1.16.2-mariner, 1.16.2-msft.1).
const preReleasePattern = /^(rc|alpha|beta|dev|pre|snapshot|nightly)/i

export function issuerKeyRule(sentryVersion?: string): IssuerKeyRule {
  const version = sentryVersion?.trim()
  const match = version ? versionPattern.exec(version) : null
  if (!version || !match) return {version: undefined, sentry: 'an unknown Sentry version', keyTypes: ecdsaOnly}
  const core = [match[1], match[2], match[3] ?? '0'].map(Number)
  const preRelease = match[4] !== undefined && preReleasePattern.test(match[4])
  const order = compareCore(core, allKeyTypesSince.split('.').map(Number))
  const signsAll = order > 0 || (order === 0 && !preRelease)
  return {version, sentry: `Sentry ${version}`, keyTypes: signsAll ? allKeyTypes : ecdsaOnly}
}

export function issuerKeyType(key: KeyObject): IssuerKeyType | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'ECDSA'
    case 'ed25519':
      return 'Ed25519'
    case 'rsa':
    case 'rsa-pss':
      return 'RSA'
    default:
      return undefined
  }
}

function compareCore(a: number[], b: number[]): number {
  for (let index = 0; index < 3; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}
