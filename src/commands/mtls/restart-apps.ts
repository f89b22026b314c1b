// `dapr mtls restart-apps -k`: restarts the Dapr-enabled applications (every one, those of some namespaces, or exactly
// those named with --only, as the resume hint of an interrupted or failed restart names them), a few at a time.
import {Flags} from '@oclif/core'

import {UsageError} from '../../lib/errors.js'
import {
  appSelectionFlags,
  defaultConcurrency,
  defaultTimeoutSeconds,
  kubernetesFlag,
  restartTimeoutFlag,
} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {appSelectionOf, type RestartRequest} from '../../lib/restarts/request.js'
import {planRestarts, type RestartsResult} from '../../lib/restarts/run.js'

export default class RestartApps extends KubeCommand<typeof RestartApps> {
  static override summary = 'Restart the Dapr-enabled applications, so their sidecars get the current trust anchors.'
  static override description = `Restarts every Deployment, StatefulSet and DaemonSet whose pod template has a truthy dapr.io/enabled annotation, as kubectl rollout restart does, at most --concurrency at a time, each waited for with kubectl's rollout rules, all within one --timeout. A sidecar keeps the trust anchors it was injected with until its pod is replaced. Pods no rollout can replace (bare pods, Jobs) are listed, not touched.
A restart that fails or is interrupted ends with the exact command that resumes with only what did not finish (--only <namespace>/<kind>/<name>, repeatable). The control plane is not restarted here (renew-certificate --restart does that, sidecar injector first).`

  static override examples = [
    '<%= config.bin %> mtls restart-apps -k',
    '<%= config.bin %> mtls restart-apps -k --app-namespace shop --app-namespace payments --concurrency 10',
    '<%= config.bin %> mtls restart-apps -k --only shop/deployment/checkout --only shop/sts/cart',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    ...appSelectionFlags,
    only: Flags.string({
      summary:
        'Restart exactly this workload, <namespace>/<kind>/<name> (repeatable); kinds: deployment|deploy, statefulset|sts, daemonset|ds.',
      multiple: true,
    }),
    timeout: restartTimeoutFlag,
  }

  async run(): Promise<RestartsResult> {
    if (!this.flags.kubernetes)
      throw new UsageError('restart-apps restarts applications on a Kubernetes cluster: add -k')
    const {parseWorkload} = await import('../../lib/kube/apps.js')
    const only = (this.flags.only ?? []).map((reference) => parseWorkload(reference))
    const request: RestartRequest = {
      controlPlane: false,
      apps: appSelectionOf(this.flags, only),
      concurrency: this.flags.concurrency ?? defaultConcurrency,
      timeoutSeconds: this.flags.timeout ?? defaultTimeoutSeconds,
    }
    const session = await this.cluster()
    const plan = await planRestarts(session, request)
    const result = await this.restartAfterWrite(session, plan)
    this.result(
      'success',
      `Restarted ${result.apps.length} Dapr-enabled application${result.apps.length === 1 ? '' : 's'}`,
    )
    return result
  }
}
