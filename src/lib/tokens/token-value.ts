// Token values: new ones are 32 bytes from the operating system's CSPRNG, base64; given ones are checked to be
// something daprd can compare and send as an HTTP header. A short fingerprint lets status notice a Secret changed by
// another hand without ever showing the token.
import {createHash, randomBytes} from 'node:crypto'

import {UsageError} from '../errors.js'

export const tokenBytes = 32
/** Under this many characters a given token is accepted with a warning: the docs' own recipe makes 24. */
const shortToken = 32

export function newToken(): string {
  return randomBytes(tokenBytes).toString('base64')
}

/** The first 16 hex digits of the token's SHA-256: enough to tell two tokens apart, nothing to guess one from. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16)
}

/** Checks a token given with --from-file; returns warnings. */
export function checkGivenToken(token: string, source: string): string[] {
  // A header value of visible ASCII: daprd compares it byte for byte and sends it as `dapr-api-token`.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(
      `the token in ${source} has spaces, line breaks or characters outside visible ASCII`,
      'A token is one line of visible ASCII (a base64 string, for example); leave out --from-file to get a new one.',
    )
  }
  return token.length < shortToken
    ? [`the token in ${source} has only ${token.length} characters; a new one (no --from-file) has 44`]
    : []
}
