// The trust bundle an install starts with: generated here or brought by the user, and in both cases checked by
// Sentry's rules before Helm runs. Generated ones get the install namespace in the issuer's SPIFFE subject, so a later
// `renew-certificate -k --private-key` makes a root with the same key.
import {defaultClockSkewMs, defaultTrustDomain} from '../certs/index.js'
import type {KeyLoadOptions} from '../renewal/inputs.js'
import {buildNewBundle, type NewBundle} from '../renewal/new-bundle.js'
import type {InstallOptions} from './options.js'
import {effectiveValue, latestVersion} from './values.js'

export async function installBundle(
  options: InstallOptions,
  keyOptions: KeyLoadOptions = {},
): Promise<NewBundle | undefined> {
  const source = options.certificates
  if (source.kind === 'sentry') return undefined
  const settings = {
    // A trust domain set with --set is the one Sentry will use, so the generated root names it too.
    trustDomain: effectiveValue(options.userValues, 'global.mtls.controlPlaneTrustDomain') ?? defaultTrustDomain,
    namespace: options.namespace,
    clockSkewMs: defaultClockSkewMs,
    // The runtime version being installed is the Sentry that will read the bundle; "latest" is not known here.
    sentryVersion: options.runtimeVersion === latestVersion ? undefined : options.runtimeVersion,
  }
  return buildNewBundle(source.mode, settings, undefined, keyOptions)
}
