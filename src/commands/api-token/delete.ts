// `dapr api-token delete`: delete the Dapr API token Secret, after detaching the workloads that use it.
import {TokenDelete} from '../../lib/token-commands/delete.js'

export default class ApiTokenDelete extends TokenDelete {
  static override kind = 'api' as const
  static override summary = 'Delete the Dapr API token Secret, after detaching the workloads that use it.'
  static override description = `Refused while a workload still uses the Secret (its new pods could not start), unless --force. --workload or --all-workloads (every workload that uses it) first removes the dapr.io/api-token-secret annotation and the DAPR_API_TOKEN variable and rolls the workload.`

  static override examples = [
    '<%= config.bin %> api-token delete -k --app-namespace orders --all-workloads',
    '<%= config.bin %> api-token delete -k --app-namespace orders --dry-run',
  ]
}
