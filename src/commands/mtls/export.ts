import path from 'node:path'

import {Flags} from '@oclif/core'

import {kubernetesFlag} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {exportBundle} from '../../lib/selfhosted/export-dir.js'

export default class Export extends KubeCommand<typeof Export> {
  static override summary = "Export the cluster's root and issuer certificates and the issuer key to a directory."
  static override description = `Writes ca.crt, issuer.crt and issuer.key (mode 0600) from the dapr-trust-bundle Secret. Kubernetes only: -k is accepted but not required. Existing files are not replaced without --force.`

  static override examples = ['<%= config.bin %> mtls export -k -o ./certs']

  static override flags = {
    kubernetes: kubernetesFlag,
    out: Flags.string({char: 'o', summary: 'Directory to write to (created if missing).', default: '.'}),
    force: Flags.boolean({summary: 'Overwrite existing files.'}),
  }

  async run(): Promise<{namespace: string; directory: string; files: string[]}> {
    const {kube, clients, controlPlane} = await this.cluster()
    const {namespace} = controlPlane
    const {bundle} = await kube.readTrustBundle(clients, controlPlane)
    const files = await exportBundle(this.flags.out, bundle, {force: this.flags.force})
    this.bannerFromBundle(bundle)
    const directory = path.resolve(this.flags.out)
    this.result('success', `Trust certs successfully exported to ${directory}`)
    return {namespace, directory, files}
  }
}
