// `dapr version`: the same line as `dapr --version`, as the official CLI has a version command too.
import {BaseCommand} from '../lib/command.js'

interface VersionResult {
  version: string
  platform: string
  arch: string
  node: string
}

export default class Version extends BaseCommand<typeof Version> {
  static override summary = 'Show the version of this CLI (the same as --version).'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']

  async run(): Promise<VersionResult> {
    this.log(this.config.userAgent)
    return {
      version: this.config.version,
      platform: this.config.platform,
      arch: this.config.arch,
      node: process.version,
    }
  }
}
