// `dapr app-token status`: show the app API token of each application namespace.
import {TokenStatus} from '../../lib/token-commands/status.js'

export default class AppTokenStatus extends TokenStatus {
  static override kind = 'app' as const
  static override summary = 'Show the app API token of each application namespace.'
  static override description = `Per namespace: the Secret (missing, or its age and generation), the workloads that use it, and the running pods still on an older token (told by the generation stamped on their template when a rotation rolled them).
Exit codes: 0 nothing to do; 3 a used Secret is missing, pods run an older token, or the token was changed by other hands; 1 the cluster could not be read.`

  static override examples = [
    '<%= config.bin %> app-token status -k --all-namespaces',
    '<%= config.bin %> app-token status -k --app-namespace orders -o json',
  ]
}
