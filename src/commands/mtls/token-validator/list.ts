// `dapr mtls token-validator list`: the token validators Sentry is configured with, where Sentry reads them.
import {Flags} from '@oclif/core'

import {UserError} from '../../../lib/errors.js'
import {kubernetesFlag} from '../../../lib/flags.js'
import {KubeCommand} from '../../../lib/kube-command.js'
import {outputFlag} from '../../../lib/output/format.js'
import {defaultConfigFile} from '../../../lib/selfhosted/config-file.js'
import {readSentrySettings} from '../../../lib/selfhosted/sentry-config.js'
import {renderValidators, type TokenValidatorList} from '../../../lib/settings/show.js'

export default class TokenValidatorListCommand extends KubeCommand<typeof TokenValidatorListCommand> {
  static override summary = "List Sentry's token validators."
  static override selfHostedOnlyFlags = ['config-file']
  static override examples = [
    '<%= config.bin %> mtls token-validator list',
    '<%= config.bin %> mtls token-validator list -k -o json',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    output: outputFlag,
    'config-file': Flags.string({
      summary: 'Self-hosted: the Configuration file Sentry reads [default: ~/.dapr/config.yaml].',
    }),
  }

  async run(): Promise<TokenValidatorList> {
    let result: TokenValidatorList
    if (this.flags.kubernetes) {
      const session = await this.cluster()
      void this.readBundleAlongside(session)
      const {namespace, config} = session.controlPlane
      if (!config.found) {
        throw new UserError(`no daprsystem Configuration in namespace ${namespace}`, {
          hint: 'Is Dapr installed there? Pass -n with the control-plane namespace.',
        })
      }
      result = {location: `daprsystem in namespace ${namespace}`, tokenValidators: config.tokenValidators}
    } else {
      const file = this.flags['config-file'] ?? defaultConfigFile()
      result = {location: file, tokenValidators: (await readSentrySettings(file)).tokenValidators}
    }
    this.print(result, () => renderValidators(result, this.flags.kubernetes ? 'kubernetes' : 'self-hosted'))
    return result
  }
}
