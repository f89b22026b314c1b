// `dapr mtls expiry`: when every root and the issuer expire, with the exit codes a monitoring job acts on.
import {buildExpiryReport, expiryExitCode, type ExpiryReport, renderExpiryReport} from '../../lib/expiry.js'
import {certsDirFlag, certsDirOf, kubernetesFlag, warnDaysFlag} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {outputFlag} from '../../lib/output/format.js'
import {rotationNote} from '../../lib/rotation/phases.js'
import {readCertsDir} from '../../lib/selfhosted/certs-dir.js'
import {readLocalRotationState} from '../../lib/selfhosted/rotation-state.js'

export default class Expiry extends KubeCommand<typeof Expiry> {
  static override summary = 'Show when the root and issuer certificates expire.'
  static override description = `Lists every root in ca.crt and the issuer. The first line is the official CLI's: "Root certificate expires in <hours> hours. Expiry date: ...".
Exit codes: 0 all valid beyond --warn-days, 3 one expires within --warn-days, 4 one has expired or is not yet valid, 1 the certificates could not be read.`

  static override selfHostedOnlyFlags = ['certs-dir']
  static override examples = [
    '<%= config.bin %> mtls expiry',
    '<%= config.bin %> mtls expiry -o wide',
    '<%= config.bin %> mtls expiry -k --warn-days 60 -o json',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    'warn-days': warnDaysFlag,
    output: outputFlag,
  }

  async run(): Promise<ExpiryReport> {
    const warnDays = this.flags['warn-days']
    let report: ExpiryReport
    if (this.flags.kubernetes) {
      const {kube, clients, controlPlane} = await this.cluster()
      const {namespace} = controlPlane
      const [read, rotation] = await Promise.all([
        kube.readTrustBundleOrAnchors(clients, controlPlane),
        kube.readRotationState(clients, namespace).catch(() => undefined),
      ])
      const readable = 'bundle' in read
      report = buildExpiryReport(
        readable ? read.bundle : {rootCertPem: read.rootCertPem, issuerCertPem: '', issuerKeyPem: ''},
        {
          source: 'kubernetes',
          location: `${namespace}/${kube.trustBundleName}`,
          warnDays,
          clockSkewMs: controlPlane.config.clockSkewMs,
          sentryVersion: controlPlane.sentryVersion,
          problems: readable ? kube.trustBundleProblems(read) : [],
          rotation: readable ? rotationNote(read.bundle, rotation?.state) : undefined,
          issuerUnreadable: readable
            ? undefined
            : `needs get on secrets ${kube.trustBundleName} in namespace ${namespace} (${read.secretError}); roots read from the ConfigMap`,
        },
      )
    } else {
      const {dir, bundle} = await readCertsDir(certsDirOf(this.flags))
      const rotation = await readLocalRotationState(dir).catch(() => undefined)
      report = buildExpiryReport(bundle, {
        source: 'self-hosted',
        location: dir,
        warnDays,
        rotation: rotationNote(bundle, rotation),
      })
    }
    this.print(report, (format) => renderExpiryReport(report, {wide: format === 'wide'}))
    process.exitCode = expiryExitCode(report.status)
    return report
  }
}
