// The raw fields of a DER certificate that Go's verifier compares byte for byte (names, key, signature algorithm),
// read straight from the encoding: a library that re-encodes them could hide a difference Go would see.

/** One DER element: its tag, its content octets and the whole encoding (tag, length and content). */
export interface DerElement {
  tag: number
  content: Buffer
  encoded: Buffer
}

export interface RawExtension {
  oid: string
  critical: boolean
  value: Buffer
}

export interface RawCertificate {
  /** 1 for v1, 3 for v3 (the encoded version field plus one). */
  version: number
  issuer: Buffer
  subject: Buffer
  subjectPublicKeyInfo: Buffer
  /** The outer signature algorithm, the one Go checks: its OID and the DER of its parameters (empty when absent). */
  signatureAlgorithm: {oid: string; parameters: Buffer}
  extensions: RawExtension[]
}

export const derTag = {boolean: 0x01, integer: 0x02, oid: 0x06, sequence: 0x30} as const

export function readRawCertificate(der: Buffer): RawCertificate {
  const [certificate] = derElements(der)
  const [tbs, signatureAlgorithm] = derElements(expect(certificate, derTag.sequence).content)
  const fields = derElements(expect(tbs, derTag.sequence).content)
  const versionField = fields[0]?.tag === 0xa0 ? fields[0] : undefined
  const [versionNumber] = versionField ? derElements(versionField.content) : []
  const at = (index: number): DerElement => expect(fields[(versionField ? 1 : 0) + index])
  const extensionsField = fields.find((field) => field.tag === 0xa3)
  const [extensions] = extensionsField ? derElements(extensionsField.content) : []
  return {
    version: versionNumber ? derInteger(versionNumber) + 1 : 1,
    issuer: at(2).encoded,
    subject: at(4).encoded,
    subjectPublicKeyInfo: at(5).encoded,
    signatureAlgorithm: algorithmIdentifier(expect(signatureAlgorithm, derTag.sequence)),
    extensions: extensions ? derElements(extensions.content).map(extension) : [],
  }
}

/** The elements encoded one after another in `der`. */
export function derElements(der: Buffer): DerElement[] {
  const elements: DerElement[] = []
  let offset = 0
  while (offset < der.length) {
    const tag = der[offset]
    const first = der[offset + 1]
    if (tag === undefined || first === undefined) throw new Error('truncated DER')
    let length = first
    let contentStart = offset + 2
    if (first >= 0x80) {
      const count = first & 0x7f
      length = der.subarray(contentStart, contentStart + count).reduce((value, byte) => value * 256 + byte, 0)
      contentStart += count
    }
    const end = contentStart + length
    if (end > der.length) throw new Error('truncated DER')
    elements.push({tag, content: der.subarray(contentStart, end), encoded: der.subarray(offset, end)})
    offset = end
  }
  return elements
}

export function derOid(element: DerElement | undefined): string {
  const arcs: bigint[] = []
  let value = 0n
  for (const byte of expect(element, derTag.oid).content) {
    value = value * 128n + BigInt(byte & 0x7f)
    if ((byte & 0x80) === 0) {
      arcs.push(value)
      value = 0n
    }
  }
  const [first = 0n, ...rest] = arcs
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n]
  return [...head, ...rest].join('.')
}

export function derInteger(element: DerElement | undefined): number {
  return expect(element, derTag.integer).content.reduce((value, byte) => value * 256 + byte, 0)
}

function algorithmIdentifier(element: DerElement): RawCertificate['signatureAlgorithm'] {
  const [oid, parameters] = derElements(element.content)
  return {oid: derOid(oid), parameters: parameters?.encoded ?? Buffer.alloc(0)}
}

function extension(element: DerElement): RawExtension {
  const parts = derElements(expect(element, derTag.sequence).content)
  const flag = parts.length === 3 ? expect(parts[1], derTag.boolean) : undefined
  const value = expect(parts[parts.length - 1])
  return {oid: derOid(parts[0]), critical: flag !== undefined && flag.content[0] !== 0, value: value.content}
}

function expect(element: DerElement | undefined, tag?: number): DerElement {
  if (!element) throw new Error('missing DER element')
  if (tag !== undefined && element.tag !== tag) throw new Error(`unexpected DER tag 0x${element.tag.toString(16)}`)
  return element
}
