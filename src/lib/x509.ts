// The one door to @peculiar/x509: it needs a Reflect polyfill loaded before it and a WebCrypto provider.
import 'reflect-metadata'

import {webcrypto} from 'node:crypto'

import {cryptoProvider} from '@peculiar/x509'

cryptoProvider.set(webcrypto)

export {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509'
