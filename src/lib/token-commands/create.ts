// `<topic> create -k`: the token Secret in each namespace (a new token, or --from-file) and the workloads pointed at
// it: the annotation for the injector, and the same Secret as a variable in the app container.
import {Flags} from '@oclif/core'

import {prepareCreate} from '../tokens/service.js'
import {fromFileFlag, rollFlags, scopeFlags, showFlag, TokenCommand, workloadFlags} from './base.js'

export abstract class TokenCreate extends TokenCommand<typeof TokenCreate> {
  static override flags = {
    ...scopeFlags,
    ...workloadFlags('Every Dapr-enabled workload of the namespaces.'),
    'from-file': fromFileFlag,
    show: showFlag,
    force: Flags.boolean({summary: 'Point workloads at this Secret even when they name another one for this token.'}),
    ...rollFlags,
  }

  async run() {
    this.requireCluster('create')
    const request = this.tokenRequest({workloadsAllowed: true})
    const givenToken = await this.givenToken()
    const prepared = await prepareCreate(await this.tokenCluster(), {...request, givenToken, force: this.flags.force})
    const namespaces = request.scope.allNamespaces
      ? ['--all-namespaces']
      : request.scope.namespaces.map((n) => `--app-namespace ${n}`)
    return this.execute(
      prepared,
      (workloads) => this.commandLine('create', [...namespaces, ...workloads.map((w) => `--workload ${w}`)]),
      givenToken,
    )
  }
}
