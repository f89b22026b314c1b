// What the dapr-sentry Deployment says about the Sentry that really runs: its version (from the image tag), its trust
// domain (the --trust-domain arg; Sentry ignores the Configuration's controlPlaneTrustDomain) and the Secret keys it
// reads (--issuer-*-filename; the chart's global.issuerFilenames, e.g. tls.crt/tls.key for cert-manager set-ups).
// Pure: plain objects in, plain data out.
import type {V1Deployment} from '@kubernetes/client-node'

/** The Secret (and ConfigMap) keys Sentry reads the bundle from: the base names of its --issuer-*-filename flags. */
export interface TrustBundleKeys {
  rootCert: string
  issuerCert: string
  issuerKey: string
}

export const defaultTrustBundleKeys: TrustBundleKeys = {
  rootCert: 'ca.crt',
  issuerCert: 'issuer.crt',
  issuerKey: 'issuer.key',
}

/** Sentry's --trust-domain default when the flag is absent. */
export const sentryDefaultTrustDomain = 'localhost'

export interface SentryDeployment {
  image: string
  /** The image tag, 'latest' when there is none, 'digest' for a digest reference. */
  tag: string
  /** "1.16.2" when the tag names a version (also "1.16.2-mariner"); undefined for a digest or a vendor tag. */
  version: string | undefined
  trustDomain: string
  keys: TrustBundleKeys
  jwtEnabled: boolean
}

/** The tag after the last ':' of an image reference; 'digest' for a digest reference, 'latest' when untagged. */
export function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0] ?? ''
  const lastSlash = withoutDigest.lastIndexOf('/')
  const lastColon = withoutDigest.lastIndexOf(':')
  if (lastColon > lastSlash) return withoutDigest.slice(lastColon + 1)
  return image.includes('@') ? 'digest' : 'latest'
}

/** The Dapr version an image tag names ("1.16.2", "v1.18.0", "1.16.2-mariner"), or undefined. */
export function versionOfTag(tag: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(tag)
  return match ? `${match[1]}.${match[2]}.${match[3]}` : undefined
}

/**
 * The value of a Go flag in an argument list, read the way Go's flag package does: `-name value`, `--name value`,
 * `-name=value` or `--name=value`; the last occurrence wins. A boolean flag given bare reads as "true".
 */
export function flagValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? ''
    if (arg === '--') break
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(arg)
    if (!match || match[1] !== name) continue
    if (match[2] !== undefined) value = match[2]
    else {
      const next = args[index + 1]
      value = next !== undefined && !next.startsWith('-') ? next : 'true'
      if (value !== 'true') index++
    }
  }
  return value
}

/** Sentry keys its Secret data by the file's base name, whatever directory the flag names. */
function baseName(file: string): string {
  return (
    file
      .split('/')
      .filter((part) => part !== '')
      .pop() ?? file
  )
}

/** Pure: the Sentry that a dapr-sentry Deployment runs. */
export function sentryFromDeployment(deployment: V1Deployment): SentryDeployment {
  const containers = deployment.spec?.template.spec?.containers ?? []
  const container = containers.find((c) => c.name === 'dapr-sentry') ?? containers[0]
  const image = container?.image ?? ''
  // The chart's debug mode runs `/dlv ... exec /sentry -- <sentry args>`: Sentry's own flags follow the "--".
  const all = [...(container?.command ?? []), ...(container?.args ?? [])]
  const separator = all.indexOf('--')
  const args = separator >= 0 ? all.slice(separator + 1) : all
  const tag = imageTag(image)
  const file = (flag: string, fallback: string) => baseName(flagValue(args, flag) ?? fallback)
  return {
    image,
    tag,
    version: versionOfTag(tag),
    trustDomain: flagValue(args, 'trust-domain') ?? sentryDefaultTrustDomain,
    keys: {
      rootCert: file('issuer-ca-filename', defaultTrustBundleKeys.rootCert),
      issuerCert: file('issuer-certificate-filename', defaultTrustBundleKeys.issuerCert),
      issuerKey: file('issuer-key-filename', defaultTrustBundleKeys.issuerKey),
    },
    jwtEnabled: flagValue(args, 'jwt-enabled') === 'true',
  }
}
