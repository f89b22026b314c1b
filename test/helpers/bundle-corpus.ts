// Test helper: the corpus of trust bundles operators really bring (made with OpenSSL as they would, plus the
// step-style pair, the Dapr docs' recipe and this CLI's own bundle), each with the verdicts we expect and why. The
// expectations are written down here; the parity test holds them against real Sentry and the real CLI.
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {generateBundle, type ValidationRule} from '../../src/lib/certs/index.js'
import type {KeyFormat, KeyType, OpenSslDir} from './openssl.js'

export type SentryVersion = '1.16.2' | '1.18.0'
export const sentryVersions: readonly SentryVersion[] = ['1.16.2', '1.18.0']

export type BundleFiles = Record<'ca.crt' | 'issuer.crt' | 'issuer.key', string>

/** Writes the three files into `dir` (created if missing), the key 0600 like every file here. */
export function writeBundleFiles(dir: string, files: BundleFiles): string {
  mkdirSync(dir, {recursive: true})
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text, {mode: 0o600})
  return dir
}

export type Verdict = 'accepts' | 'refuses'

export interface Expectation {
  /** What real Sentry does at start-up with the files as given. */
  sentry: Record<SentryVersion, Verdict>
  /** The CLI's verdict with `--sentry-version <version>`: 'accepts', or the rule of its first refusal. */
  cli: Record<SentryVersion, ValidationRule | 'accepts'>
  /** Why: the step of Sentry's start-up (or our stricter rule) that decides. */
  why: string
}

export interface CorpusBundle {
  name: string
  description: string
  files: BundleFiles
  expected: Expectation
}

const both = <T>(value: T): Record<SentryVersion, T> => ({'1.16.2': value, '1.18.0': value})

/** Both Sentry versions start, and the CLI accepts. */
function accepted(why: string): Expectation {
  return {sentry: both('accepts'), cli: both('accepts'), why}
}

/** Both Sentry versions exit, and the CLI refuses by `rule`. */
function refused(rule: ValidationRule, why: string): Expectation {
  return {sentry: both('refuses'), cli: both(rule), why}
}

/** Sentry starts, but the CLI refuses by one of its deliberate stricter rules. */
function stricter(rule: ValidationRule, why: string): Expectation {
  return {sentry: both('accepts'), cli: both(rule), why}
}

/** Sentry 1.16.2 cannot sign with this issuer key type ("unsupported key type"); 1.18.0 can. */
function newKeyType(why: string): Expectation {
  return {
    sentry: {'1.16.2': 'refuses', '1.18.0': 'accepts'},
    cli: {'1.16.2': 'issuer-key-type', '1.18.0': 'accepts'},
    why,
  }
}

const dayMs = 24 * 60 * 60 * 1000

/** A date `days` from now in OpenSSL's YYYYMMDDHHMMSSZ form (negative for the past). */
function opensslDate(days: number): string {
  return new Date(Date.now() + days * dayMs)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
}

interface Ca {
  cert: string
  key: string
}

interface CaOptions {
  keyType?: KeyType
  keyFormat?: KeyFormat
  subject?: string
  extensions?: string
  digest?: string
  days?: number
  /** Days from now, for certificates OpenSSL must date with `openssl ca` (expired, not yet valid). */
  from?: number
  to?: number
  /** The CA that signs it; a self-signed root when absent. */
  signer?: Ca
  /** An existing key file, instead of a new one. */
  reuseKey?: string
}

/** Extension profiles every corpus bundle draws from (openssl.cnf sections). */
const profiles: Record<string, string[]> = {
  corpus_root: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier = hash',
  ],
  corpus_intermediate: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
  ],
  corpus_issuer: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
  ],
  issuer_pathlen0: ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign'],
  root_pathlen0: ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign'],
  issuer_eku_server: ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = serverAuth'],
  issuer_eku_client: ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = clientAuth'],
  issuer_eku_server_client: ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = serverAuth,clientAuth'],
  issuer_eku_any: ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = anyExtendedKeyUsage'],
  issuer_eku_code_signing: ['basicConstraints = critical,CA:TRUE', 'extendedKeyUsage = codeSigning'],
  root_eku_client: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'extendedKeyUsage = clientAuth',
  ],
  intermediate_eku_client: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'extendedKeyUsage = clientAuth',
  ],
  issuer_not_ca: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature'],
  issuer_no_cert_sign: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,digitalSignature,cRLSign'],
  root_no_cert_sign: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,digitalSignature,cRLSign',
    'subjectKeyIdentifier = hash',
  ],
  issuer_unknown_critical: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    '1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:policy',
  ],
  root_unknown_critical: [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
    '1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:policy',
  ],
  // `step certificate create --profile root-ca` and `--profile intermediate-ca` (smallstep's x509util templates, with
  // the key identifiers Go's CreateCertificate adds).
  step_root_ca: [
    'basicConstraints = critical,CA:TRUE,pathlen:1',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
  ],
  step_intermediate_ca: [
    'basicConstraints = critical,CA:TRUE,pathlen:0',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
  ],
}

// The Dapr docs' "Setup & configure mTLS certificates" recipe: root.conf, and issuer.conf that only adds pathlen:0.
// Root and issuer get the same subject.
function docsConf(pathLength: string): string {
  return [
    '[req]',
    'distinguished_name = req_distinguished_name',
    'x509_extensions = v3_req',
    'prompt = no',
    '[req_distinguished_name]',
    'C = US',
    'ST = VA',
    'L = Daprville',
    'O = dapr.io/sentry',
    'OU = dapr.io/sentry',
    'CN = cluster.local',
    '[v3_req]',
    `basicConstraints = critical, CA:true${pathLength}`,
    'keyUsage = critical, digitalSignature, cRLSign, keyCertSign',
    'extendedKeyUsage = serverAuth, clientAuth',
    'subjectAltName = @alt_names',
    '[alt_names]',
    'DNS.1 = cluster.local',
    '',
  ].join('\n')
}

/** Builds every bundle of the corpus in `dir` (about 50; a few seconds of OpenSSL). */
export async function buildCorpus(dir: OpenSslDir): Promise<CorpusBundle[]> {
  for (const [section, lines] of Object.entries(profiles)) dir.profile(section, lines)
  const corpus: CorpusBundle[] = []
  let serial = 0

  /** A CA certificate and its key, named uniquely in the directory. */
  const ca = (label: string, options: CaOptions = {}): Ca => {
    serial += 1
    const base = `${serial}-${label}`
    const key = options.reuseKey ?? `${base}.key`
    if (!options.reuseKey) dir.key(key, options.keyType ?? 'ec-p256', options.keyFormat)
    const common = {
      key,
      subject: options.subject ?? (options.signer ? `/O=${label} issuer ${serial}` : `/O=${label} root ${serial}`),
      digest: options.digest,
      days: options.days ?? (options.signer ? 365 : 700),
      ...(options.from !== undefined
        ? {startDate: opensslDate(options.from), endDate: opensslDate(options.to ?? 365)}
        : {}),
    }
    if (options.signer) {
      dir.signed(`${base}.crt`, {
        ...common,
        caCert: options.signer.cert,
        caKey: options.signer.key,
        extensions: options.extensions ?? 'corpus_issuer',
      })
    } else {
      dir.root(`${base}.crt`, {...common, extensions: options.extensions ?? 'corpus_root'})
    }
    return {cert: `${base}.crt`, key}
  }
  const pem = (...names: string[]) => names.map((name) => dir.read(name)).join('')
  const add = (name: string, description: string, files: BundleFiles, expected: Expectation): void => {
    corpus.push({name, description, files, expected})
  }
  /** A root and an issuer it signs, with options for each; the bundle's files are root, issuer, issuer key. */
  const pair = (label: string, rootOptions: CaOptions = {}, issuerOptions: Omit<CaOptions, 'signer'> = {}) => {
    const root = ca(label, rootOptions)
    const issuer = ca(label, {...issuerOptions, signer: root})
    return {
      root,
      issuer,
      files: {'ca.crt': pem(root.cert), 'issuer.crt': pem(issuer.cert), 'issuer.key': pem(issuer.key)},
    }
  }

  // Baseline and extended key usage: Go's Verify with no KeyUsages means serverAuth, nested along the chain.
  add(
    'ec-p256-no-eku',
    'P-256 root and issuer, no extendedKeyUsage (the shape Sentry generates)',
    pair('base').files,
    accepted('no EKU anywhere: Go skips certificates without EKU in checkChainForKeyUsage'),
  )
  add(
    'eku-issuer-server-auth',
    'issuer EKU serverAuth',
    pair('eku-s', {}, {extensions: 'issuer_eku_server'}).files,
    accepted('serverAuth is what Verify asks for'),
  )
  add(
    'eku-issuer-client-auth-only',
    'issuer EKU clientAuth only (the user report)',
    pair('eku-c', {}, {extensions: 'issuer_eku_client'}).files,
    refused('extended-key-usage', 'Verify: "certificate specifies an incompatible key usage"'),
  )
  add(
    'eku-root-client-auth-only',
    'root EKU clientAuth only, issuer without EKU',
    pair('eku-rc', {extensions: 'root_eku_client'}).files,
    refused('extended-key-usage', 'checkChainForKeyUsage walks the whole chain, the root included'),
  )
  add(
    'eku-issuer-server-and-client',
    'issuer EKU serverAuth, clientAuth',
    pair('eku-sc', {}, {extensions: 'issuer_eku_server_client'}).files,
    accepted('serverAuth is listed'),
  )
  add(
    'eku-issuer-any',
    'issuer EKU anyExtendedKeyUsage',
    pair('eku-any', {}, {extensions: 'issuer_eku_any'}).files,
    accepted('anyExtendedKeyUsage allows every usage'),
  )
  add(
    'eku-issuer-code-signing',
    'issuer EKU codeSigning only',
    pair('eku-cs', {}, {extensions: 'issuer_eku_code_signing'}).files,
    refused('extended-key-usage', 'codeSigning rules out serverAuth'),
  )

  // Signature algorithms: Go's CheckSignatureFrom refuses SHA-1 and MD5 (checkSignature with allowSHA1=false).
  add(
    'sha1-issuer',
    'issuer signed ecdsa-with-SHA1 by its root',
    pair('sha1-i', {}, {digest: 'sha1'}).files,
    refused('insecure-signature', 'Verify finds no parent: "insecure algorithm ECDSA-SHA1"'),
  )
  add(
    'sha1-root',
    'root self-signed with ecdsa-with-SHA1',
    pair('sha1-r', {digest: 'sha1'}).files,
    refused('insecure-signature', 'the anchor self-signature check: "certificate in trust anchor is not self-signed"'),
  )
  add(
    'md5-rsa-root',
    'RSA-2048 root self-signed with md5WithRSAEncryption',
    pair('md5-r', {keyType: 'rsa-2048', digest: 'md5'}).files,
    refused('insecure-signature', 'MD5 is refused by the anchor self-signature check'),
  )
  add(
    'sha384-issuer',
    'issuer signed ecdsa-with-SHA384',
    pair('sha384', {}, {digest: 'sha384'}).files,
    accepted('SHA-384 is accepted'),
  )
  add(
    'sha512-issuer',
    'issuer signed ecdsa-with-SHA512',
    pair('sha512', {}, {digest: 'sha512'}).files,
    accepted('SHA-512 is accepted'),
  )

  // Root key types and sizes.
  add(
    'rsa-1024-root',
    'RSA-1024 root (sha256), P-256 issuer',
    pair('rsa1024', {keyType: 'rsa-1024', digest: 'sha256'}).files,
    stricter('rsa-key-size', 'Go verifies RSA from 1024 bits; we refuse under 2048'),
  )
  add(
    'rsa-2048-root',
    'RSA-2048 root, P-256 issuer',
    pair('rsa2048', {keyType: 'rsa-2048', digest: 'sha256'}).files,
    accepted('RSA-2048 root'),
  )
  add(
    'rsa-4096-root',
    'RSA-4096 root, P-256 issuer',
    pair('rsa4096', {keyType: 'rsa-4096', digest: 'sha256'}).files,
    accepted('RSA-4096 root'),
  )
  add('p384-root', 'P-384 root, P-256 issuer', pair('p384r', {keyType: 'ec-p384'}).files, accepted('P-384 root'))
  add(
    'ed25519-root-ec-issuer',
    'Ed25519 root, P-256 issuer',
    pair('ed-root', {keyType: 'ed25519'}).files,
    accepted('the root key type does not matter to signing; only the issuer key does'),
  )

  // Issuer key types and encodings: dapr/kit EncodePrivateKey before 0.18 handles only *ecdsa.PrivateKey.
  add(
    'ed25519-issuer-key',
    'Ed25519 issuer key (PKCS#8) under a P-256 root',
    pair('ed-iss', {}, {keyType: 'ed25519'}).files,
    newKeyType('1.16.2: "unsupported key type ed25519.PrivateKey"'),
  )
  add(
    'rsa-issuer-key-pkcs8',
    'RSA-2048 issuer key, PKCS#8',
    pair('rsa-iss8', {}, {keyType: 'rsa-2048', keyFormat: 'pkcs8'}).files,
    newKeyType('1.16.2: "unsupported key type *rsa.PrivateKey"'),
  )
  add(
    'rsa-issuer-key-pkcs1',
    'RSA-2048 issuer key, PKCS#1 (RSA PRIVATE KEY)',
    pair('rsa-iss1', {}, {keyType: 'rsa-2048', keyFormat: 'pkcs1'}).files,
    newKeyType('1.16.2: "unsupported key type *rsa.PrivateKey"'),
  )
  add(
    'p384-issuer-key',
    'P-384 issuer key',
    pair('p384i', {}, {keyType: 'ec-p384'}).files,
    accepted('ECDSA of any curve'),
  )
  add(
    'issuer-key-sec1',
    'issuer key SEC1 (EC PRIVATE KEY)',
    pair('sec1', {}, {keyFormat: 'sec1'}).files,
    accepted('kit reads EC PRIVATE KEY'),
  )
  add(
    'issuer-key-pkcs8',
    'issuer key PKCS#8 (PRIVATE KEY)',
    pair('pkcs8', {}, {keyFormat: 'pkcs8'}).files,
    accepted('kit reads PRIVATE KEY'),
  )

  // Intermediates: kit's DecodePEMCertificatesChain wants each certificate signed by the next.
  {
    const root = ca('chain')
    const intermediate = ca('chain-int', {signer: root, extensions: 'corpus_intermediate'})
    const issuer = ca('chain-iss', {signer: intermediate})
    const files = (...names: string[]) => ({
      'ca.crt': pem(root.cert),
      'issuer.crt': pem(...names),
      'issuer.key': pem(issuer.key),
    })
    add(
      'intermediate-leaf-first',
      'issuer.crt = issuer, intermediate',
      files(issuer.cert, intermediate.cert),
      accepted("the intermediate goes to Verify's pool"),
    )
    add(
      'intermediate-root-first',
      'issuer.crt = intermediate, issuer',
      files(intermediate.cert, issuer.cert),
      refused('issuer-chain-order', '"certificate chain is not valid"'),
    )
    add(
      'intermediate-missing',
      'issuer.crt = issuer only, its intermediate nowhere',
      files(issuer.cert),
      refused('issuer-chains-to-anchor', 'Verify: "certificate signed by unknown authority"'),
    )
    add(
      'intermediate-with-root-appended',
      'issuer.crt = issuer, intermediate, root',
      files(issuer.cert, intermediate.cert, root.cert),
      accepted('the trailing self-signed root is dropped'),
    )
    add(
      'ca-holds-intermediate',
      'ca.crt = root, intermediate; issuer.crt = issuer, intermediate',
      {...files(issuer.cert, intermediate.cert), 'ca.crt': pem(root.cert, intermediate.cert)},
      refused('anchor-self-signed', '"certificate in trust anchor is not self-signed"'),
    )
  }
  {
    const {root, issuer, files} = pair('root-appended')
    add(
      'issuer-with-root-appended',
      'issuer.crt = issuer, root',
      {...files, 'issuer.crt': pem(issuer.cert, root.cert)},
      accepted('the trailing self-signed root is dropped'),
    )
  }

  // Validity: Sentry checks only the anchors' self-signatures; Verify checks the chain it builds, at its own clock.
  {
    const {files} = pair('extra-old')
    const old = ca('extra-old-expired', {from: -800, to: -30})
    add(
      'expired-extra-anchor',
      'ca.crt = an expired old root, then the valid root the issuer chains to',
      {...files, 'ca.crt': pem(old.cert) + files['ca.crt']},
      accepted('only self-signatures are checked in ca.crt'),
    )
  }
  {
    const {files} = pair('extra-next')
    const next = ca('extra-next-future', {from: 30, to: 800})
    add(
      'not-yet-valid-extra-anchor',
      'ca.crt = the valid root, then a root valid from next month',
      {...files, 'ca.crt': files['ca.crt'] + pem(next.cert)},
      accepted('only self-signatures are checked in ca.crt'),
    )
  }
  {
    const root = ca('old-only', {from: -400, to: -1})
    const issuer = ca('old-only', {signer: root, from: -300, to: 200})
    add(
      'issuer-under-expired-root',
      'the only root the issuer chains to has expired',
      {'ca.crt': pem(root.cert), 'issuer.crt': pem(issuer.cert), 'issuer.key': pem(issuer.key)},
      refused('validity-period', 'Verify: "certificate signed by unknown authority" (the expired root is refused)'),
    )
  }
  {
    const oldRoot = ca('rekey', {from: -800, to: -10, subject: '/O=rekeyed root'})
    const newRoot = ca('rekey', {reuseKey: oldRoot.key, subject: '/O=rekeyed root'})
    const issuer = ca('rekey', {signer: newRoot})
    add(
      'root-key-renewal-old-root-expired',
      'ca.crt = expired root and its renewal (same key, same subject)',
      {'ca.crt': pem(oldRoot.cert, newRoot.cert), 'issuer.crt': pem(issuer.cert), 'issuer.key': pem(issuer.key)},
      accepted('Go tries both parents with that name; the valid one makes the chain'),
    )
  }
  add(
    'issuer-not-yet-valid',
    'issuer valid from tomorrow',
    pair('future-iss', {}, {from: 1, to: 300}).files,
    refused('validity-period', 'Verify: "certificate has expired or is not yet valid"'),
  )
  add(
    'issuer-expired',
    'issuer expired yesterday',
    pair('expired-iss', {}, {from: -100, to: -1}).files,
    refused('validity-period', 'Verify: "certificate has expired or is not yet valid"'),
  )
  add(
    'issuer-outlives-root',
    'root valid 100 days, issuer 365',
    pair('outlive', {days: 100}, {days: 365}).files,
    stricter('issuer-within-anchor', 'Sentry does not compare the dates'),
  )

  // Path length.
  add(
    'root-pathlen0-no-intermediate',
    'root pathlen:0 signs the issuer directly',
    pair('pl0', {extensions: 'root_pathlen0'}).files,
    stricter('anchor-path-length', 'Sentry verifies the issuer as a leaf (0 intermediates); workload chains then fail'),
  )
  {
    const root = ca('pl0-int', {extensions: 'root_pathlen0'})
    const intermediate = ca('pl0-int', {signer: root, extensions: 'corpus_intermediate'})
    const issuer = ca('pl0-int', {signer: intermediate})
    add(
      'root-pathlen0-with-intermediate',
      'root pathlen:0, root -> intermediate -> issuer',
      {'ca.crt': pem(root.cert), 'issuer.crt': pem(issuer.cert, intermediate.cert), 'issuer.key': pem(issuer.key)},
      refused('anchor-path-length', 'Verify: "too many intermediates for path length constraint"'),
    )
  }
  add(
    'issuer-pathlen0',
    'issuer pathlen:0',
    pair('ipl0', {}, {extensions: 'issuer_pathlen0'}).files,
    accepted('the issuer may sign leaves only, which is all Sentry does'),
  )
  {
    const root = ca('int-eku')
    const intermediate = ca('int-eku', {signer: root, extensions: 'intermediate_eku_client'})
    const issuer = ca('int-eku', {signer: intermediate})
    add(
      'eku-intermediate-client-auth-only',
      'intermediate EKU clientAuth only, issuer and root without EKU',
      {'ca.crt': pem(root.cert), 'issuer.crt': pem(issuer.cert, intermediate.cert), 'issuer.key': pem(issuer.key)},
      refused('extended-key-usage', "the intermediate's EKU limits the chain"),
    )
  }

  // Critical extensions Go's parser does not handle make Verify refuse the certificate.
  add(
    'issuer-unknown-critical-extension',
    'issuer with a private extension marked critical',
    pair('crit-i', {}, {extensions: 'issuer_unknown_critical'}).files,
    refused('critical-extension', 'Verify: "unhandled critical extension"'),
  )
  add(
    'root-unknown-critical-extension',
    'root with a private extension marked critical',
    pair('crit-r', {extensions: 'root_unknown_critical'}).files,
    refused('critical-extension', 'the self-signature check passes, but Verify refuses the root as a parent'),
  )

  // CA flags.
  add(
    'issuer-not-ca',
    'issuer basicConstraints CA:FALSE',
    pair('notca', {}, {extensions: 'issuer_not_ca'}).files,
    stricter('issuer-is-ca', "Sentry's check needs basicConstraints and keyCertSign both absent to refuse"),
  )
  add(
    'issuer-without-key-cert-sign',
    'issuer CA:TRUE, keyUsage without keyCertSign',
    pair('nocertsign', {}, {extensions: 'issuer_no_cert_sign'}).files,
    stricter('issuer-is-ca', 'Sentry starts; every workload certificate then fails CheckSignatureFrom'),
  )
  add(
    'root-without-key-cert-sign',
    'root keyUsage without keyCertSign',
    pair('root-nocs', {extensions: 'root_no_cert_sign'}).files,
    refused('anchor-is-ca', '"certificate in trust anchor is not self-signed: ... parent certificate cannot sign"'),
  )
  {
    const root = ca('self')
    add(
      'issuer-is-root',
      'issuer.crt and ca.crt are the same self-signed root; issuer.key is its key',
      {'ca.crt': pem(root.cert), 'issuer.crt': pem(root.cert), 'issuer.key': pem(root.key)},
      refused('issuer-is-root', '"issuer chain is empty after re-encoding"'),
    )
  }
  {
    const mine = pair('mine')
    const other = pair('other')
    add(
      'issuer-from-another-root',
      'issuer signed by a root that is not in ca.crt',
      {...mine.files, 'ca.crt': other.files['ca.crt']},
      refused('issuer-chains-to-anchor', 'Verify: "certificate signed by unknown authority"'),
    )
    add(
      'key-does-not-match',
      'issuer.key belongs to another issuer',
      {...mine.files, 'issuer.key': other.files['issuer.key']},
      refused('issuer-key-matches', '"issuer key does not match issuer certificate"'),
    )
  }

  // PEM shapes: kit stops reading a certificate file at the first block that is not a CERTIFICATE.
  {
    const first = pair('pem-a')
    const second = pair('pem-b')
    const crl = dir.crl(`${serial}-pem-a.crl`, {caCert: first.root.cert, caKey: first.root.key})
    const anchors = first.files['ca.crt'] + crl + second.files['ca.crt']
    add(
      'ca-crl-block-before-issuer-root',
      'ca.crt = root A, a CRL, root B; the issuer chains to root B',
      {...second.files, 'ca.crt': anchors},
      refused('non-certificate-block', 'root B is never read: "certificate signed by unknown authority"'),
    )
    add(
      'ca-crl-block-after-issuer-root',
      'ca.crt = root A, a CRL, root B; the issuer chains to root A',
      {...first.files, 'ca.crt': anchors},
      stricter('non-certificate-block', 'Sentry starts with root A only and drops root B without a word'),
    )
  }
  {
    const {files} = pair('text')
    add(
      'leading-text-before-pem',
      'ca.crt and issuer.crt start with comment lines',
      {
        ...files,
        'ca.crt': `# Dapr trust anchors\nrotated by ops\n${files['ca.crt']}`,
        'issuer.crt': `issuer for cluster.local\n${files['issuer.crt']}`,
      },
      accepted("Go's pem.Decode skips text before a block"),
    )
  }

  // Recipes people follow.
  {
    dir.write('root.conf', docsConf(''))
    dir.write('issuer.conf', docsConf(', pathlen:0'))
    const run = (...args: string[]) => dir.openssl(...args)
    run('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'docs-root.key')
    run(
      'req',
      '-new',
      '-nodes',
      '-sha256',
      '-key',
      'docs-root.key',
      '-out',
      'docs-root.csr',
      '-config',
      'root.conf',
      '-extensions',
      'v3_req',
    )
    run(
      'x509',
      '-req',
      '-sha256',
      '-days',
      '365',
      '-in',
      'docs-root.csr',
      '-signkey',
      'docs-root.key',
      '-outform',
      'PEM',
      '-out',
      'docs-root.pem',
      '-extfile',
      'root.conf',
      '-extensions',
      'v3_req',
    )
    run('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'docs-issuer.key')
    run(
      'req',
      '-new',
      '-sha256',
      '-key',
      'docs-issuer.key',
      '-out',
      'docs-issuer.csr',
      '-config',
      'issuer.conf',
      '-extensions',
      'v3_req',
    )
    run(
      'x509',
      '-req',
      '-in',
      'docs-issuer.csr',
      '-CA',
      'docs-root.pem',
      '-CAkey',
      'docs-root.key',
      '-CAcreateserial',
      '-outform',
      'PEM',
      '-out',
      'docs-issuer.pem',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      'issuer.conf',
      '-extensions',
      'v3_req',
    )
    add(
      'dapr-docs-openssl-recipe',
      "the Dapr docs' root.conf/issuer.conf recipe: same subject on root and issuer, EKU serverAuth+clientAuth, SAN",
      {'ca.crt': pem('docs-root.pem'), 'issuer.crt': pem('docs-issuer.pem'), 'issuer.key': pem('docs-issuer.key')},
      // Both expire on the same day: accepted, with the expiry-overlap warning.
      accepted(
        "Go picks the parent by name and signature: the root has the issuer's issuer name, the issuer fails its own key",
      ),
    )
  }
  {
    const root = ca('step', {subject: '/CN=cluster.local', extensions: 'step_root_ca', days: 3650})
    const issuer = ca('step', {
      subject: '/CN=cluster.local',
      signer: root,
      extensions: 'step_intermediate_ca',
      days: 365,
    })
    add(
      'step-root-and-intermediate-ca',
      'step certificate create --profile root-ca, then --profile intermediate-ca',
      {'ca.crt': pem(root.cert), 'issuer.crt': pem(issuer.cert), 'issuer.key': pem(issuer.key)},
      accepted('root pathlen:1 leaves room for the issuer and workloads'),
    )
  }
  {
    const generated = await generateBundle({namespace: 'default', validityDays: 365})
    add(
      'cli-generated',
      "this CLI's own bundle (generateBundle)",
      {
        'ca.crt': generated.bundle.rootCertPem,
        'issuer.crt': generated.bundle.issuerCertPem,
        'issuer.key': generated.bundle.issuerKeyPem,
      },
      accepted('P-256, no EKU, no pathlen on the root'),
    )
  }
  return corpus
}
