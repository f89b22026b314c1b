// Test helper: a temporary directory where OpenSSL makes and inspects keys and certificates, as an operator would.
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {TrustBundle} from '../../src/lib/certs/index.js'

// Extension profiles for `openssl req -x509` / `openssl x509 -req`; each test picks one by section name.
const config = `
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[root_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[issuer]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[not_ca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
[no_cert_sign]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
subjectKeyIdentifier = hash
# \`openssl ca\`, for the certificates \`openssl req\` and \`openssl x509\` cannot date (expired, not yet valid).
[dated_ca]
database = index.txt
serial = serial.txt
new_certs_dir = .
policy = keep_subject
default_md = default
default_crl_days = 30
unique_subject = no
preserve = yes
email_in_dn = no
[keep_subject]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
`

/** Key types OpenSSL makes here; RSA sizes in bits. */
export type KeyType = 'ec-p256' | 'ec-p384' | 'ed25519' | 'rsa-1024' | 'rsa-2048' | 'rsa-4096'

/** How a private key file is encoded: SEC1 (`EC PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`). */
export type KeyFormat = 'sec1' | 'pkcs1' | 'pkcs8'

/** What `root()` and `signed()` take besides the key and subject. */
export interface CertificateOptions {
  key: string
  subject: string
  /** Lifetime from now; or give `startDate` and `endDate` (OpenSSL's YYYYMMDDHHMMSSZ) for any window. */
  days?: number
  startDate?: string
  endDate?: string
  /** A section of openssl.cnf (see `profile()`). */
  extensions?: string
  /** OpenSSL's digest name (sha1, sha256, md5...); omit for Ed25519 and for OpenSSL's default. */
  digest?: string
}

export class OpenSslDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'dapr-certs-test-'))

  constructor() {
    this.write('openssl.cnf', config)
  }

  path(name: string): string {
    return path.join(this.dir, name)
  }

  write(name: string, text: string): string {
    writeFileSync(this.path(name), text)
    return this.path(name)
  }

  read(name: string): string {
    return readFileSync(this.path(name), 'utf8')
  }

  readBinary(name: string): Buffer {
    return readFileSync(this.path(name))
  }

  /** Runs openssl in the directory; returns stdout, throws with stderr when it fails. */
  openssl(...args: string[]): string {
    return execFileSync('openssl', args, {cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  }

  /** Like openssl(), but returns the exit status and both streams instead of throwing. */
  tryOpenssl(...args: string[]): {ok: boolean; output: string} {
    try {
      return {ok: true, output: this.openssl(...args)}
    } catch (error) {
      const {stdout, stderr} = error as {stdout?: string; stderr?: string}
      return {ok: false, output: `${stdout ?? ''}${stderr ?? ''}`}
    }
  }

  writeBundle(bundle: TrustBundle, prefix = ''): void {
    this.write(`${prefix}ca.crt`, bundle.rootCertPem)
    this.write(`${prefix}issuer.crt`, bundle.issuerCertPem)
    this.write(`${prefix}issuer.key`, bundle.issuerKeyPem)
  }

  /** A P-256 key in SEC1 form (`EC PRIVATE KEY`), the form Dapr's docs make. */
  ecKey(name: string): string {
    return this.key(name, 'ec-p256')
  }

  /** A new private key of `type`, written in `format` (default: SEC1 for EC keys, PKCS#8 for the others). */
  key(name: string, type: KeyType, format?: KeyFormat): string {
    const [algorithm, size = ''] = type.split('-')
    if (algorithm === 'ec') {
      const curve = size === 'p384' ? 'secp384r1' : 'prime256v1'
      this.openssl('ecparam', '-name', curve, '-genkey', '-noout', '-out', name)
    } else if (algorithm === 'rsa') {
      this.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${size}`, '-out', name)
    } else {
      this.openssl('genpkey', '-algorithm', 'ED25519', '-out', name)
    }
    const wanted = format ?? (algorithm === 'ec' ? 'sec1' : 'pkcs8')
    // OpenSSL truncates -out before it reads -in, so conversions go through a second file.
    const convert = (...args: string[]) => {
      this.openssl(...args, '-in', name, '-out', `${name}.converted`)
      renameSync(this.path(`${name}.converted`), this.path(name))
    }
    if (wanted === 'pkcs8' && algorithm === 'ec') convert('pkcs8', '-topk8', '-nocrypt')
    if (wanted === 'pkcs1') convert('pkey', '-traditional')
    return this.read(name)
  }

  /** Adds a section of extensions to openssl.cnf, for `extensions:`; each line as in a config file. */
  profile(section: string, lines: string[]): string {
    appendFileSync(this.path('openssl.cnf'), `[${section}]\n${lines.join('\n')}\n`)
    return section
  }

  /** A self-signed root made by `openssl req -x509` (or `openssl ca -selfsign` when dated); subject as in `-subj`. */
  root(name: string, options: CertificateOptions): string {
    if (options.startDate !== undefined) return this.dated(name, options)
    this.openssl(
      'req',
      '-x509',
      '-new',
      '-config',
      'openssl.cnf',
      '-extensions',
      options.extensions ?? 'root',
      '-key',
      options.key,
      '-subj',
      opensslSubject(options.subject),
      ...lifetimeAndOutput(name, options),
    )
    return this.read(name)
  }

  /** A certificate for `key` signed by a CA, through a CSR and `openssl x509 -req` (or `openssl ca` when dated). */
  signed(name: string, options: CertificateOptions & {caCert: string; caKey: string}): string {
    if (options.startDate !== undefined) return this.dated(name, options)
    this.csr(name, options)
    this.openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      options.caCert,
      '-CAkey',
      options.caKey,
      '-extfile',
      'openssl.cnf',
      '-extensions',
      options.extensions ?? 'issuer',
      ...lifetimeAndOutput(name, options),
    )
    return this.read(name)
  }

  /** A CRL issued by a CA of this directory: a PEM block that is not a certificate, as found in real bundles. */
  crl(name: string, options: {caCert: string; caKey: string}): string {
    this.opensslCa('-gencrl', '-cert', options.caCert, '-keyfile', options.caKey, '-out', name)
    return this.read(name)
  }

  private csr(name: string, options: CertificateOptions): void {
    this.openssl(
      'req',
      '-new',
      '-config',
      'openssl.cnf',
      '-key',
      options.key,
      '-subj',
      opensslSubject(options.subject),
      '-out',
      `${name}.csr`,
    )
  }

  /** `openssl ca`: any validity window, self-signed (no caCert) or signed by a CA of this directory. */
  private dated(name: string, options: CertificateOptions & {caCert?: string; caKey?: string}): string {
    this.csr(name, options)
    const signer = options.caCert
      ? ['-cert', options.caCert, '-keyfile', options.caKey ?? '']
      : ['-selfsign', '-keyfile', options.key]
    this.opensslCa(
      ...signer,
      '-in',
      `${name}.csr`,
      '-out',
      name,
      '-startdate',
      options.startDate ?? '',
      '-enddate',
      options.endDate ?? '',
      '-extfile',
      'openssl.cnf',
      '-extensions',
      options.extensions ?? (options.caCert ? 'issuer' : 'root'),
      '-notext',
      ...(options.digest === undefined ? [] : ['-md', options.digest]),
    )
    return this.read(name)
  }

  /** `openssl ca` with the [dated_ca] section, its database created on first use. */
  private opensslCa(...args: string[]): void {
    if (!existsSync(this.path('index.txt'))) {
      this.write('index.txt', '')
      this.write('serial.txt', `${randomBytes(8).toString('hex').replace(/^./, '1')}\n`)
    }
    this.openssl('ca', '-batch', '-config', 'openssl.cnf', '-name', 'dated_ca', ...args)
  }

  /** The public key of a key or certificate file, as PEM SubjectPublicKeyInfo. */
  publicKeyOf(name: string): string {
    const text = this.read(name)
    return text.includes('CERTIFICATE')
      ? this.openssl('x509', '-in', name, '-noout', '-pubkey')
      : this.openssl('pkey', '-in', name, '-pubout')
  }

  /**
   * A root and an issuer signed by it, named `<prefix>ca.crt`, `<prefix>root.key`, `<prefix>issuer.crt` and
   * `<prefix>issuer.key`: the bundle an operator brings, made the way Dapr's docs make one.
   */
  bundle(
    prefix: string,
    options: {issuerExtensions?: string; rootSubject?: string; issuerSubject?: string; issuerKeyType?: KeyType} = {},
  ) {
    this.ecKey(`${prefix}root.key`)
    this.root(`${prefix}ca.crt`, {
      key: `${prefix}root.key`,
      subject: options.rootSubject ?? '/O=cluster.local',
      days: 700,
    })
    this.key(`${prefix}issuer.key`, options.issuerKeyType ?? 'ec-p256')
    this.signed(`${prefix}issuer.crt`, {
      key: `${prefix}issuer.key`,
      subject: options.issuerSubject ?? '/O=dapr-issuer',
      days: 365,
      caCert: `${prefix}ca.crt`,
      caKey: `${prefix}root.key`,
      extensions: options.issuerExtensions,
    })
  }

  /** The three flags that bring certificates, for files in this directory. */
  byoFlags(rootCert: string, issuerCert: string, issuerKey: string): string[] {
    return [
      '--ca-root-certificate',
      this.path(rootCert),
      '--issuer-public-certificate',
      this.path(issuerCert),
      '--issuer-private-key',
      this.path(issuerKey),
    ]
  }

  cleanup(): void {
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** The flags `openssl req -x509` and `openssl x509 -req` share: lifetime, digest and output file. */
function lifetimeAndOutput(name: string, options: CertificateOptions): string[] {
  const digest = options.digest === undefined ? [] : [`-${options.digest}`]
  return ['-days', String(options.days ?? 365), ...digest, '-out', name]
}

/**
 * A subject for `-subj`, where `/` separates attributes: a `/` inside a value (spiffe://…, dapr.io/sentry) is escaped
 * unless it already is, so subjects can be written as they read.
 */
export function opensslSubject(subject: string): string {
  return subject.replace(/(?<!\\)\/(?![A-Za-z][A-Za-z0-9.]*=)/g, '\\/')
}

/** The DER bytes of a certificate's subject Name, read straight from the encoding (not re-encoded by a library). */
export function rawSubject(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? ''
  const der = Buffer.from(body.replace(/\s/g, ''), 'base64')
  const certificate = readTlv(der, 0)
  const tbs = readTlv(der, certificate.contentStart)
  let offset = tbs.contentStart
  if (der[offset] === 0xa0) offset = readTlv(der, offset).end // [0] version
  for (let skip = 0; skip < 4; skip++) offset = readTlv(der, offset).end // serial, signature, issuer, validity
  return der.subarray(offset, readTlv(der, offset).end)
}

function readTlv(der: Buffer, offset: number): {contentStart: number; end: number} {
  const first = der[offset + 1] ?? 0
  if (first < 0x80) return {contentStart: offset + 2, end: offset + 2 + first}
  const lengthBytes = first & 0x7f
  const length = der.subarray(offset + 2, offset + 2 + lengthBytes).reduce((value, byte) => value * 256 + byte, 0)
  return {contentStart: offset + 2 + lengthBytes, end: offset + 2 + lengthBytes + length}
}
