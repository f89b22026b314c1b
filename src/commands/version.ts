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

  run(): Promise<VersionResult> {
    this.log(this.config.userAgent)
    const {version, platform, arch} = this.config
    return Promise.resolve({version, platform, arch, node: process.version})
  }
}
