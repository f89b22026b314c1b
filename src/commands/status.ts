import {DaprNotInstalledError, UserError, UsageError} from '../lib/errors.js'
import {kubernetesFlag} from '../lib/flags.js'
import {KubeCommand} from '../lib/kube-command.js'
import type {ComponentStatus} from '../lib/kube/index.js'
import {ExitCode} from '../lib/output/exit-codes.js'
import {outputFlag} from '../lib/output/format.js'

interface StatusResult {
  namespace: string
  healthy: boolean
  components: ComponentStatus[]
}

const notInstalled = 'No status returned. Is Dapr initialized in your cluster?'

export default class Status extends KubeCommand<typeof Status> {
  static override summary = 'Show the health of the Dapr control plane.'
  static override description = `One row per control-plane workload (sentry, operator, sidecar injector, placement, scheduler). HEALTHY is True only when every desired replica is ready; REPLICAS is the desired count; VERSION is the image tag.
Exit codes: 0 all healthy, 3 a component is not healthy, 1 Dapr was not found or the cluster could not be read.`

  static override examples = ['<%= config.bin %> status -k', '<%= config.bin %> status -k -o json | jq .healthy']

  static override flags = {kubernetes: kubernetesFlag, output: outputFlag}

  async run(): Promise<StatusResult> {
    if (!this.flags.kubernetes) {
      throw new UsageError('status reads the control plane of a Kubernetes cluster: add -k')
    }
    const session = await this.cluster().catch((error: unknown) => {
      throw error instanceof DaprNotInstalledError ? new UserError(notInstalled, {hint: error.hint}) : error
    })
    this.fetchBannerBundle(session)
    const components = await session.kube.readControlPlaneStatus(session.clients, session.namespace)
    if (components.length === 0)
      throw new UserError(notInstalled, {hint: `Nothing found in namespace ${session.namespace}.`})
    const result = {namespace: session.namespace, healthy: components.every((c) => c.healthy), components}
    this.print(result, (format) => session.kube.renderStatus(components, {wide: format === 'wide'}))
    if (!result.healthy) process.exitCode = ExitCode.warning
    return result
  }
}
