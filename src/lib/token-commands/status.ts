// `<topic> status -k`: per namespace, the Secret (age, generation), the workloads that use it and the pods still on
// an older token. Exit 3 when something needs doing (a used Secret missing, older pods, a token changed elsewhere).
import {ExitCode} from '../output/exit-codes.js'
import {outputFlag} from '../output/format.js'
import {renderTokenStatus, type TokenStatusReport} from '../tokens/status.js'
import {readTokenStatus} from '../tokens/service.js'
import {scopeFlags, TokenCommand} from './base.js'

export abstract class TokenStatus extends TokenCommand<typeof TokenStatus> {
  static override flags = {...scopeFlags, output: outputFlag}

  async run(): Promise<TokenStatusReport> {
    this.requireCluster('status')
    const request = this.tokenRequest({workloadsAllowed: false})
    const report = await readTokenStatus(await this.tokenCluster(), request)
    this.print(report, () => renderTokenStatus(report))
    if (!report.healthy) process.exitCode = ExitCode.warning
    return report
  }
}
