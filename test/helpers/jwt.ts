// JSON Web Tokens for Sentry's JWKS validator, made with node:crypto alone: a key's JWKS, and an RS256/ES256/EdDSA
// token signed by a private key with the kid and claims given.
import {generateKeyPairSync, type JsonWebKey, type KeyObject, sign} from 'node:crypto'

export type JwtKeyType = 'rsa' | 'ec' | 'ed25519'

export function generateSigningKey(type: JwtKeyType = 'rsa'): {privateKey: KeyObject; publicKey: KeyObject} {
  if (type === 'rsa') return generateKeyPairSync('rsa', {modulusLength: 2048})
  if (type === 'ec') return generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return generateKeyPairSync('ed25519')
}

/** The public JWK of a key, with its kid and use "sig". */
export function publicJwk(publicKey: KeyObject, kid: string): JsonWebKey {
  return {...publicKey.export({format: 'jwk'}), kid, use: 'sig'}
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

/** A compact JWS of the claims, its header naming the kid; `iat` and `nbf` default to a minute ago. */
export function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const type = privateKey.asymmetricKeyType
  const alg = type === 'rsa' ? 'RS256' : type === 'ec' ? 'ES256' : 'EdDSA'
  const now = Math.floor(Date.now() / 1000)
  const header = base64url(JSON.stringify({alg, typ: 'JWT', kid}))
  const payload = base64url(JSON.stringify({iat: now - 60, nbf: now - 60, ...claims}))
  const input = `${header}.${payload}`
  const digest = type === 'ed25519' ? null : 'sha256'
  const signature = sign(
    digest,
    Buffer.from(input),
    type === 'ec' ? {key: privateKey, dsaEncoding: 'ieee-p1363'} : privateKey,
  )
  return `${input}.${base64url(signature)}`
}
