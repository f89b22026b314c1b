// `dapr api-token rotate`: put a new Dapr API token in every Secret and restart the workloads that use it.
import {TokenRotate} from '../../lib/token-commands/rotate.js'

export default class ApiTokenRotate extends TokenRotate {
  static override kind = 'api' as const
  static override summary = 'Put a new Dapr API token in every Secret and restart the workloads that use it.'
  static override description = `Every Secret of the namespaces gets a new token (a new generation), then every workload that uses it (by the dapr.io/api-token-secret annotation, or a container variable reading the Secret) is restarted, a few at a time, each stamped with the generation so \`api-token status\` can tell the pods that still hold the old token. Workloads with one replica are unavailable while their pod is replaced.
A namespace whose Secret cannot be written is left as it was; the others go on, and the error says which succeeded. --restart-only finishes an interrupted rotation without a new token.`

  static override examples = [
    '<%= config.bin %> api-token rotate -k --all-namespaces',
    '<%= config.bin %> api-token rotate -k --app-namespace orders --concurrency 2 --timeout 600',
    '<%= config.bin %> api-token rotate -k --app-namespace orders --restart-only',
  ]
}
