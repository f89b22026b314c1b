// `<topic> rotate -k`: a new token in every Secret of the scope, and a roll of every workload that uses it, each
// stamped with the new generation so `status` can tell the pods that still hold the old one.
import {Flags} from '@oclif/core'

import {UsageError} from '../errors.js'
import {prepareRotate} from '../tokens/service.js'
import {fromFileFlag, rollFlags, scopeFlags, showFlag, TokenCommand} from './base.js'

export abstract class TokenRotate extends TokenCommand<typeof TokenRotate> {
  static override flags = {
    ...scopeFlags,
    'from-file': fromFileFlag,
    show: showFlag,
    'restart-only': Flags.boolean({
      summary: 'Write no new token: restart the workloads still stamped with an older generation (resumes a rotation).',
    }),
    workload: Flags.string({
      summary: 'With --restart-only: only this workload, <namespace>/<kind>/<name> (repeatable).',
      multiple: true,
      dependsOn: ['restart-only'],
    }),
    ...rollFlags,
  }

  async run() {
    this.requireCluster('rotate')
    if (this.flags['restart-only'] && (this.flags['from-file'] !== undefined || this.flags.show)) {
      throw new UsageError('--restart-only writes no token: drop --from-file and --show')
    }
    const request = this.tokenRequest({workloadsAllowed: true})
    const givenToken = this.flags['restart-only'] ? undefined : await this.givenToken()
    const prepared = await prepareRotate(await this.tokenCluster(), {
      ...request,
      restartOnly: this.flags['restart-only'],
    })
    return this.execute(
      prepared,
      (workloads) => this.commandLine('rotate', ['--restart-only', ...workloads.map((w) => `--workload ${w}`)]),
      givenToken,
    )
  }
}
