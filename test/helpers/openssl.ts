// Test helper: a temporary directory where OpenSSL makes and inspects keys and certificates, as an operator would.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
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
`

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
    this.openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name)
    return this.read(name)
  }

  /** A self-signed root made by `openssl req -x509` with the given extension section; subject as in `-subj`. */
  root(name: string, options: {key: string; subject: string; days: number; extensions?: string}): string {
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
      '-days',
      String(options.days),
      '-out',
      name,
    )
    return this.read(name)
  }

  /** A certificate for `key` signed by a root, through a CSR and `openssl x509 -req`. */
  signed(
    name: string,
    options: {key: string; subject: string; days: number; caCert: string; caKey: string; extensions?: string},
  ): string {
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
      '-days',
      String(options.days),
      '-out',
      name,
    )
    return this.read(name)
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
  bundle(prefix: string, options: {issuerExtensions?: string; rootSubject?: string; issuerSubject?: string} = {}) {
    this.ecKey(`${prefix}root.key`)
    this.root(`${prefix}ca.crt`, {
      key: `${prefix}root.key`,
      subject: options.rootSubject ?? '/O=cluster.local',
      days: 700,
    })
    this.ecKey(`${prefix}issuer.key`)
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
