// `dapr status -k`: the health of the control-plane workloads, and whether the trust bundle Sentry reads is consistent.
import {DaprNotInstalledError, UserError, UsageError} from '../lib/errors.js'
import type {BundleProblem} from '../lib/expiry.js'
import {kubernetesFlag} from '../lib/flags.js'
import {KubeCommand} from '../lib/kube-command.js'
import type {ComponentStatus} from '../lib/kube/index.js'
import {ExitCode} from '../lib/output/exit-codes.js'
import {outputFlag} from '../lib/output/format.js'
import {renderProblems} from '../lib/output/problems.js'

interface StatusResult {
  namespace: string
  healthy: boolean
  /** The version the dapr-sentry image tag names, when it names one. */
  sentryVersion: string | undefined
  components: ComponentStatus[]
  /** A trust bundle Sentry would regenerate or refuse: critical, exit 4. */
  problems: BundleProblem[]
}

const notInstalled = 'No status returned. Is Dapr initialized in your cluster?'

export default class Status extends KubeCommand<typeof Status> {
  static override summary = 'Show the health of the Dapr control plane.'
  static override description = `One row per control-plane workload (sentry, operator, sidecar injector, placement, scheduler). HEALTHY is True only when every desired replica is ready; REPLICAS is the desired count; VERSION is the image tag. A trust bundle whose ConfigMap differs from its Secret (Sentry would generate a new CA at its next reload) is reported below the table.
Exit codes: 0 all healthy, 3 a component is not healthy, 4 the trust bundle is broken, 1 Dapr was not found or the cluster could not be read.`

  static override examples = ['<%= config.bin %> status -k', '<%= config.bin %> status -k -o json | jq .healthy']

  static override flags = {kubernetes: kubernetesFlag, output: outputFlag}

  async run(): Promise<StatusResult> {
    if (!this.flags.kubernetes) {
      throw new UsageError('status reads the control plane of a Kubernetes cluster: add -k')
    }
    const session = await this.cluster().catch((error: unknown) => {
      throw error instanceof DaprNotInstalledError ? new UserError(notInstalled, {hint: error.hint}) : error
    })
    const {kube, clients, controlPlane} = session
    const bundle = this.readBundleAlongside(session)
    const components = await kube.readControlPlaneStatus(clients, controlPlane.namespace)
    if (components.length === 0)
      throw new UserError(notInstalled, {hint: `Nothing found in namespace ${controlPlane.namespace}.`})
    const current = await bundle
    const result: StatusResult = {
      namespace: controlPlane.namespace,
      healthy: components.every((c) => c.healthy),
      sentryVersion: controlPlane.sentryVersion,
      components,
      problems: current ? kube.trustBundleProblems(current) : [],
    }
    this.print(result, (format) =>
      [kube.renderStatus(components, {wide: format === 'wide'}), ...renderProblems(result.problems)].join('\n'),
    )
    if (result.problems.length > 0) process.exitCode = ExitCode.critical
    else if (!result.healthy) process.exitCode = ExitCode.warning
    return result
  }
}
