// `dapr api-token create`: create the Dapr API token Secret in application namespaces and point workloads at it.
import {TokenCreate} from '../../lib/token-commands/create.js'

export default class ApiTokenCreate extends TokenCreate {
  static override kind = 'api' as const
  static override summary = 'Create the Dapr API token Secret in application namespaces and point workloads at it.'
  static override description = `A new token is 32 random bytes, base64, one per namespace (or the one in --from-file, everywhere), in Secret dapr-api-token (key token) of each namespace; it is never printed unless --show. An existing Secret is kept.
--workload or --all-workloads (every Dapr-enabled workload of the namespaces) adds the dapr.io/api-token-secret annotation to the pod template and rolls the workload. daprd then refuses every API call without the dapr-api-token header (401), the app's own calls to its sidecar included, so the app container gets the same token as DAPR_API_TOKEN (a secretKeyRef to the Secret, not a copy); the Dapr SDKs send it from there.`

  static override examples = [
    '<%= config.bin %> api-token create -k --app-namespace orders --app-namespace payments',
    '<%= config.bin %> api-token create -k --workload orders/deployment/checkout',
    '<%= config.bin %> api-token create -k --all-namespaces --all-workloads --dry-run',
    'vault read -field=token secret/dapr | <%= config.bin %> api-token create -k --app-namespace orders --from-file -',
  ]
}
