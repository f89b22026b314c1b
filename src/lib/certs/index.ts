// The certificate engine: generate, parse, validate and describe Dapr trust bundles. Pure: crypto only, no I/O.
export {type ParsedCertificate, parseCertificates} from './certificate.js'
export {anchorsInUse, issuerChainOf, issuerChainsTo} from './chain.js'
export {
  type CertificateInfo,
  type CertificateState,
  certificateState,
  describeBundle,
  type ExpiryLevel,
  expiryLevel,
  hoursPhrase,
  timeLeft,
} from './describe.js'
export {parseGoDuration} from './duration.js'
export {type GeneratedBundle, type GenerateOptions, generateBundle} from './generate.js'
export {EncryptedKeyError, isEncryptedKey, parsePrivateKey, privateKeyToPem, WrongPassphraseError} from './keys.js'
export {
  type BundleSources,
  bundleFileNames,
  defaultClockSkewMs,
  defaultTrustDomain,
  defaultValidityDays,
  type TrustBundle,
} from './trust-bundle.js'
export {
  allKeyTypesSince,
  type IssuerKeyRule,
  issuerKeyRule,
  type IssuerKeyType,
  issuerKeyType,
} from './issuer-key-rule.js'
export {
  assertValidBundle,
  formatProblem,
  hintFor,
  type StricterRule,
  stricterRules,
  type ValidateOptions,
  type ValidationProblem,
  type ValidationReport,
  type ValidationRule,
  validateBundle,
  validationRules,
} from './validate.js'
