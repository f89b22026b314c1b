// `dapr app-token delete`: delete the app API token Secret, after detaching the workloads that use it.
import {TokenDelete} from '../../lib/token-commands/delete.js'

export default class AppTokenDelete extends TokenDelete {
  static override kind = 'app' as const
  static override summary = 'Delete the app API token Secret, after detaching the workloads that use it.'
  static override description = `Refused while a workload still uses the Secret (its new pods could not start), unless --force. --workload or --all-workloads (every workload that uses it) first removes the dapr.io/app-token-secret annotation and the APP_API_TOKEN variable and rolls the workload.`

  static override examples = [
    '<%= config.bin %> app-token delete -k --app-namespace orders --all-workloads',
    '<%= config.bin %> app-token delete -k --app-namespace orders --dry-run',
  ]
}
