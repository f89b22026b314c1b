// `<topic> delete -k`: detaches the chosen workloads (annotation and variable removed, rolled), then deletes the
// Secret; refused while another workload still uses it, since its new pods could not start.
import {Flags} from '@oclif/core'

import {prepareDelete} from '../tokens/service.js'
import {rollFlags, scopeFlags, TokenCommand, workloadFlags} from './base.js'

export abstract class TokenDelete extends TokenCommand<typeof TokenDelete> {
  static override flags = {
    ...scopeFlags,
    ...workloadFlags('Every workload of the namespaces that uses the Secret.'),
    force: Flags.boolean({summary: 'Delete the Secret even while workloads still use it.'}),
    ...rollFlags,
  }

  async run() {
    this.requireCluster('delete')
    const request = this.tokenRequest({workloadsAllowed: true})
    const prepared = await prepareDelete(await this.tokenCluster(), {...request, force: this.flags.force})
    return this.execute(prepared, (workloads) =>
      this.commandLine(
        'delete',
        workloads.map((w) => `--workload ${w}`),
      ),
    )
  }
}
