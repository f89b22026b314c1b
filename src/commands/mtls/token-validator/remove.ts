// `dapr mtls token-validator remove jwks`: takes Sentry's JWKS token validator out of its settings.
import {Args} from '@oclif/core'

import {SettingsCommand, settingsFlags} from '../../../lib/settings-command.js'
import type {SettingsResult} from '../../../lib/settings/change.js'
import {tokenValidatorsOf} from '../../../lib/settings/mtls-settings.js'
import {assertValidatorName, withoutValidator} from '../../../lib/settings/token-validators.js'

export default class TokenValidatorRemove extends SettingsCommand<typeof TokenValidatorRemove> {
  static override summary = "Remove Sentry's JWKS token validator."
  static override description = `Sentry reads validators only at start: restart it afterwards (-k: --restart). Self-hosted, with no validator left Sentry turns its insecure validator back on. Removing a validator that is not there changes nothing.`

  static override examples = [
    '<%= config.bin %> mtls token-validator remove jwks -k --restart',
    '<%= config.bin %> mtls token-validator remove jwks',
  ]

  static override args = {
    name: Args.string({description: 'The validator to remove: jwks.', required: true}),
  }

  static override flags = settingsFlags

  async run(): Promise<SettingsResult> {
    assertValidatorName(this.args.name)
    return this.change((current) => {
      const kept = withoutValidator(tokenValidatorsOf(current), this.args.name)
      return {tokenValidators: kept.length > 0 ? kept : null}
    })
  }
}
