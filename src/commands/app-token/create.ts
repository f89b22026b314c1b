// `dapr app-token create`: create the app API token Secret in application namespaces and point workloads at it.
import {TokenCreate} from '../../lib/token-commands/create.js'

export default class AppTokenCreate extends TokenCreate {
  static override kind = 'app' as const
  static override summary = 'Create the app API token Secret in application namespaces and point workloads at it.'
  static override description = `A new token is 32 random bytes, base64, one per namespace (or the one in --from-file, everywhere), in Secret app-api-token (key token) of each namespace; it is never printed unless --show. An existing Secret is kept.
--workload or --all-workloads (every Dapr-enabled workload of the namespaces) adds the dapr.io/app-token-secret annotation to the pod template and rolls the workload. daprd then sends the token to the app in the dapr-api-token header, and the app container gets the same token as APP_API_TOKEN (a secretKeyRef to the Secret, not a copy) to check it against.`

  static override examples = [
    '<%= config.bin %> app-token create -k --app-namespace orders --app-namespace payments',
    '<%= config.bin %> app-token create -k --workload orders/deployment/checkout',
    '<%= config.bin %> app-token create -k --all-namespaces --all-workloads --dry-run',
    'vault read -field=token secret/dapr | <%= config.bin %> app-token create -k --app-namespace orders --from-file -',
  ]
}
