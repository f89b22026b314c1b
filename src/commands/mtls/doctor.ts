// `dapr mtls doctor`: is the trust bundle healthy, and would a renewal go through? One row per check, exit by the worst.
import {doctorExitCode} from '../../lib/doctor/checks.js'
import {type DoctorReport, renderDoctor} from '../../lib/doctor/report.js'
import {certsDirFlag, certsDirOf, kubernetesFlag, warnDaysFlag, sentryVersionFlag} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {outputFlag} from '../../lib/output/format.js'

export default class Doctor extends KubeCommand<typeof Doctor> {
  static override summary = 'Check that the trust bundle is healthy and that a renewal would go through.'
  static override description = `Each check is OK, WARN or FAIL with a one-line fix (ERROR when it could not be checked): the Secret and ConfigMap roots byte-identical (else Sentry generates a new CA), every root self-signed, the issuer chaining to a root with its key, the whole bundle by the rules a renewal applies for the Sentry version that runs, the expiry of the issuer and of the root it chains to, expired roots that can be pruned, root and issuer expiring together. With -k also: sidecars whose DAPR_TRUST_ANCHORS lack the root in use (grouped by owner), Sentry's own keys, Helm/Argo CD/Flux ownership, and whether you may do what a renewal needs (missing rights printed as a Role and RoleBinding to apply).
Exit codes: 0 all OK, 3 a warning, 4 a failure (expired, or a bundle Sentry would refuse or regenerate), 1 something could not be checked.`

  static override selfHostedOnlyFlags = ['certs-dir', 'sentry-version']
  static override examples = [
    '<%= config.bin %> mtls doctor -k',
    '<%= config.bin %> mtls doctor -k -o json | jq \'.checks[] | select(.status != "ok")\'',
    '<%= config.bin %> mtls doctor --certs-dir ~/.dapr/certs',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    'certs-dir': certsDirFlag,
    'sentry-version': sentryVersionFlag,
    'warn-days': warnDaysFlag,
    output: outputFlag,
  }

  async run(): Promise<DoctorReport> {
    const warnDays = this.flags['warn-days']
    let report: DoctorReport
    if (this.flags.kubernetes) {
      const session = await this.cluster()
      const {clusterDoctor} = await import('../../lib/doctor/cluster.js')
      report = await clusterDoctor(session, {warnDays})
    } else {
      const {certsDirDoctor} = await import('../../lib/doctor/certs-dir.js')
      report = await certsDirDoctor(certsDirOf(this.flags), {warnDays, sentryVersion: this.flags['sentry-version']})
    }
    this.print(report, () => renderDoctor(report))
    process.exitCode = doctorExitCode(report.checks)
    return report
  }
}
