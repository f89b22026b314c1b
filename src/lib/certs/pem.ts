// PEM text as Dapr stores it: split into blocks (a file may hold several), re-encoded with one trailing newline.
import {describeCause, UserError} from '../errors.js'

export interface PemBlock {
  /** The label after BEGIN, e.g. `CERTIFICATE`, `EC PRIVATE KEY`. */
  type: string
  /** RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy encrypted keys); empty for most blocks. */
  headers: Record<string, string>
  der: Buffer
  /** The block re-encoded: BEGIN line, headers, base64 body, END line, one trailing newline. */
  text: string
}

const blockPattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/

/** The PEM blocks in `text`, in order; text around them is ignored, as Go's pem.Decode does. */
export function splitPem(text: string, source: string): PemBlock[] {
  const blocks: PemBlock[] = []
  for (const match of text.matchAll(blockPattern)) {
    const [, type = '', body = '', endType] = match
    const position = `PEM block ${blocks.length + 1} (${type})`
    if (endType !== type) {
      throw new UserError(`${source}: ${position} ends with "END ${endType}"`, {hint: hintForBadPem})
    }
    const headers: Record<string, string> = {}
    const lines = body.split(/\r?\n/).map((line) => line.trim())
    let line = lines.shift()
    while (line !== undefined && line.includes(':')) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim()
      line = lines.shift()
    }
    const base64 = [line ?? '', ...lines].join('')
    if (base64 === '' || !base64Pattern.test(base64)) {
      throw new UserError(`${source}: ${position} is not valid base64`, {hint: hintForBadPem})
    }
    const der = Buffer.from(base64, 'base64')
    blocks.push({type, headers, der, text: encodePem(type, der, headers)})
  }
  const begins = text.match(/-----BEGIN /g)?.length ?? 0
  if (begins !== blocks.length) {
    throw new UserError(`${source}: PEM block ${blocks.length + 1} has no matching END line`, {hint: hintForBadPem})
  }
  return blocks
}

export function encodePem(type: string, der: Uint8Array, headers: Record<string, string> = {}): string {
  const headerLines = Object.entries(headers).map(([key, value]) => `${key}: ${value}\n`)
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')
  const head = headerLines.length > 0 ? `${headerLines.join('')}\n` : ''
  return `-----BEGIN ${type}-----\n${head}${body.endsWith('\n') ? body : `${body}\n`}-----END ${type}-----\n`
}

/** PEM text as written to disk or a Secret: `\n` line ends and exactly one trailing newline. */
export function normalizePem(text: string): string {
  return `${text.replace(/\r\n/g, '\n').trimEnd()}\n`
}

/** "an EC PRIVATE KEY", "an X509 CRL", "a PUBLIC KEY": a block type as a sentence names it. */
export function withArticle(type: string): string {
  // Vowels, and acronyms read letter by letter that start with a vowel sound.
  return `${/^(?:[AEIOU]|RSA\b|X509\b)/.test(type) ? 'an' : 'a'} ${type}`
}

export const hintForBadPem = 'The file may be truncated or edited; export it again as PEM.'

/** Why a decoder failed, in words (never OpenSSL's or the ASN.1 parser's own text). */
export function reason(error: unknown): string {
  return describeCause(error)
}
