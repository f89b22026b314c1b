// A JWKS for Sentry's JWKS token validator, checked before it is written: it parses, publishes no private or secret
// key, and holds at least one public key Sentry can verify tokens with and find by its kid (Sentry's JWT library picks
// the key by the token's kid). Pure: node:crypto parses the keys, nothing is read or written.
import {createPublicKey, type JsonWebKey} from 'node:crypto'

import {UserError} from '../errors.js'

/** Members that hold private or secret key material (RFC 7518 section 6). */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const minRsaBits = 2048
const curves: Record<string, string[]> = {EC: ['P-256', 'P-384'], OKP: ['Ed25519']}

export interface JwksKey {
  kid: string
  /** "RSA 2048", "EC P-256", "OKP Ed25519". */
  type: string
}

export interface CheckedJwks {
  /** The JWKS as compact JSON, what is written as the validator's source. */
  json: string
  usable: JwksKey[]
  /** Keys Sentry cannot use, with the reason; they are written as given. */
  unusable: string[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function keyName(key: Record<string, unknown>, index: number): string {
  return typeof key.kid === 'string' && key.kid !== '' ? `key ${index + 1} (kid ${key.kid})` : `key ${index + 1}`
}

/** Why a key is no use to Sentry, or its description when it is usable. Refuses keys that must not be published. */
function judgeKey(key: Record<string, unknown>, index: number, source: string): JwksKey | string {
  const name = keyName(key, index)
  const secret = privateMembers.filter((member) => member in key)
  if (secret.length > 0 || key.kty === 'oct') {
    throw new UserError(
      `${source}: ${name} holds private or secret key material (${secret.length > 0 ? secret.map((m) => `"${m}"`).join(', ') : 'kty "oct"'})`,
      {
        hint: 'Publish only public keys in a JWKS; the private key stays with whoever signs the tokens. Nothing was changed.',
      },
    )
  }
  let type: string
  try {
    const publicKey = createPublicKey({key: key as JsonWebKey, format: 'jwk'})
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0
    if (publicKey.asymmetricKeyType === 'rsa' && bits < minRsaBits) {
      throw new UserError(`${source}: ${name} is a ${bits}-bit RSA key, too weak to trust`, {
        hint: `Use RSA keys of at least ${minRsaBits} bits, EC P-256/P-384 or Ed25519. Nothing was changed.`,
      })
    }
    type = publicKey.asymmetricKeyType === 'rsa' ? `RSA ${bits}` : `${String(key.kty)} ${String(key.crv)}`
  } catch (error) {
    if (error instanceof UserError) throw error
    return `${name} is not a public key (${(error as Error).message})`
  }
  const kty = String(key.kty)
  if (kty !== 'RSA' && !(curves[kty] ?? []).includes(String(key.crv))) {
    return `${name} is ${type}: the usable types are RSA, EC P-256/P-384 and Ed25519`
  }
  if (key.use !== undefined && key.use !== 'sig') return `${name} is for use ${JSON.stringify(key.use)}, not signatures`
  if (typeof key.kid !== 'string' || key.kid === '') return `${name} has no kid, so no token can name it`
  return {kid: key.kid, type}
}

/** Parses and checks a JWKS given as text; throws a UserError naming the key and the rule it breaks. */
export function checkJwks(text: string, source: string): CheckedJwks {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${source} is not JSON: ${(error as Error).message}`, {
      hint: 'Give a JWKS: {"keys": [{"kty": ..., "kid": ..., ...}]}. Nothing was changed.',
    })
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.keys)) {
    throw new UserError(`${source} is not a JWKS: it has no "keys" list`, {
      hint: 'Give a JWKS: {"keys": [{"kty": ..., "kid": ..., ...}]}. Nothing was changed.',
    })
  }
  const usable: JwksKey[] = []
  const unusable: string[] = []
  parsed.keys.forEach((key, index) => {
    const verdict = isRecord(key) ? judgeKey(key, index, source) : `key ${index + 1} is not a JSON object`
    if (typeof verdict === 'string') unusable.push(verdict)
    else usable.push(verdict)
  })
  if (usable.length === 0) {
    throw new UserError(
      `${source} holds no public key Sentry can verify tokens with${unusable.length > 0 ? `: ${unusable.join('; ')}` : ' (the keys list is empty)'}`,
      {
        hint: 'It needs an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 public key with a kid. Nothing was changed.',
      },
    )
  }
  const duplicate = usable.find((key, index) => usable.findIndex((other) => other.kid === key.kid) !== index)
  if (duplicate !== undefined) {
    throw new UserError(`${source} has two keys with kid ${duplicate.kid}`, {
      hint: 'Give every key its own kid: a token names the one key that verifies it. Nothing was changed.',
    })
  }
  return {json: JSON.stringify(parsed), usable, unusable}
}
