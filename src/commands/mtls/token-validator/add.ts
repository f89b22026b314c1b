// `dapr mtls token-validator add jwks`: Sentry's JWKS token validator, checked and written where Sentry reads it, with
// what it means for the clients of this mode said first.
import {Args, Flags} from '@oclif/core'

import {SettingsCommand, settingsFlags} from '../../../lib/settings-command.js'
import type {SettingsResult} from '../../../lib/settings/change.js'
import {tokenValidatorsOf} from '../../../lib/settings/mtls-settings.js'
import {assertValidatorName, jwksValidator, withValidator} from '../../../lib/settings/token-validators.js'

export default class TokenValidatorAdd extends SettingsCommand<typeof TokenValidatorAdd> {
  static override summary =
    "Add Sentry's JWKS token validator: clients prove who they are with a JWT signed by a key of the JWKS."
  static override description = `Sentry resolves a validator's source and CA certificate on its own filesystem, so a JWKS file or CA file given here is written as inline content, and an https URL as it is. The JWKS must hold a public key with a kid (RSA of 2048 bits or more, EC P-256/P-384 or Ed25519) and no private key.
With -k, injected sidecars keep using the Kubernetes validator; the JWKS validator serves other clients. Self-hosted, any validator turns off Sentry's insecure validator, so daprd, placement and scheduler need a token file (DAPR_SENTRY_TOKEN_FILE). Sentry reads validators only at start: restart it (-k: --restart).`

  static override examples = [
    '<%= config.bin %> mtls token-validator add jwks -k --source https://issuer.example/.well-known/jwks.json --restart',
    '<%= config.bin %> mtls token-validator add jwks --source https://issuer.example/.well-known/jwks.json',
    '<%= config.bin %> mtls token-validator add jwks -k --source ./jwks.json --restart',
  ]

  static override args = {
    name: Args.string({description: 'The validator: jwks (the only one Sentry lets you configure).', required: true}),
  }

  static override flags = {
    ...settingsFlags,
    source: Flags.string({
      summary: 'The JWKS: an https URL Sentry fetches, a JWKS file, or inline JWKS JSON.',
      required: true,
    }),
    'ca-certificate': Flags.string({summary: 'PEM file of the CA of the https server (URL source), written inline.'}),
    'jwks-min-refresh-interval': Flags.string({
      summary: 'Least time between two fetches of the URL [Sentry default: 10m].',
    }),
    'jwks-request-timeout': Flags.string({summary: 'Time one fetch of the URL may take [Sentry default: 30s].'}),
    'insecure-source': Flags.boolean({summary: 'Accept a plain http URL (test set-ups only).'}),
  }

  async run(): Promise<SettingsResult> {
    const {flags} = this
    assertValidatorName(this.args.name)
    const validator = await jwksValidator({
      source: flags.source,
      caCertificate: flags['ca-certificate'],
      minRefreshInterval: flags['jwks-min-refresh-interval'],
      requestTimeout: flags['jwks-request-timeout'],
      insecureSource: flags['insecure-source'],
    })
    return this.change((current) => ({tokenValidators: withValidator(tokenValidatorsOf(current), validator.spec)}), {
      warnings: validator.warnings,
    })
  }
}
