import {Flags} from '@oclif/core'

import {UserError} from '../../lib/errors.js'
import {kubernetesFlag} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {outputFlag} from '../../lib/output/format.js'
import {defaultConfigFile, readMtlsEnabled} from '../../lib/selfhosted/config-file.js'

interface MtlsResult {
  mtlsEnabled: boolean
  /** The control-plane namespace (-k), or the Configuration file (self-hosted). */
  location: string
  trustDomain?: string
  allowedClockSkew?: string
  workloadCertTTL?: string
}

export default class Mtls extends KubeCommand<typeof Mtls> {
  static override summary = 'Check whether mutual TLS is enabled.'
  static override description = `With -k: reads spec.mtls of the daprsystem Configuration. Without -k: reads the self-hosted Configuration file.`

  static override selfHostedOnlyFlags = ['config-file']
  static override examples = ['<%= config.bin %> mtls -k', '<%= config.bin %> mtls -k -o json']

  static override flags = {
    kubernetes: kubernetesFlag,
    output: outputFlag,
    'config-file': Flags.string({summary: 'Self-hosted Dapr Configuration file [default: ~/.dapr/config.yaml].'}),
  }

  async run(): Promise<MtlsResult> {
    let result: MtlsResult
    let where: string
    if (this.flags.kubernetes) {
      const session = await this.cluster()
      this.fetchBannerBundle(session)
      const config = await session.kube.readDaprSystemConfig(session.clients, session.namespace)
      if (!config.found) {
        throw new UserError(
          `error checking mTLS: system configuration daprsystem not found in namespace ${session.namespace}`,
          {
            hint: 'Is Dapr installed there? Pass -n with the control-plane namespace.',
          },
        )
      }
      const {mtlsEnabled, trustDomain, allowedClockSkew, workloadCertTTL} = config
      result = {mtlsEnabled, location: session.namespace, trustDomain, allowedClockSkew, workloadCertTTL}
      where = 'your Kubernetes cluster'
    } else {
      const file = this.flags['config-file'] ?? defaultConfigFile()
      result = {mtlsEnabled: await readMtlsEnabled(file), location: file}
      where = `the self-hosted configuration ${file}`
    }
    // The official sentence, trailing space included, so scripts that match it keep working.
    this.print(result, () => `Mutual TLS is ${result.mtlsEnabled ? 'enabled' : 'disabled'} in ${where} `)
    return result
  }
}
