import {Flags} from '@oclif/core'

import {UserError} from '../../lib/errors.js'
import {kubernetesFlag} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import type {BundleProblem} from '../../lib/expiry.js'
import {ExitCode} from '../../lib/output/exit-codes.js'
import {outputFlag} from '../../lib/output/format.js'
import {renderProblems} from '../../lib/output/problems.js'
import {defaultConfigFile} from '../../lib/selfhosted/config-file.js'
import {readSentrySettings} from '../../lib/selfhosted/sentry-config.js'
import type {TokenValidatorSpec} from '../../lib/settings/mtls-settings.js'
import {renderSettings} from '../../lib/settings/show.js'

interface MtlsResult {
  mtlsEnabled: boolean
  /** The control-plane namespace (-k), or the Configuration file (self-hosted). */
  location: string
  /** The trust domain Sentry really uses (its --trust-domain arg). */
  trustDomain?: string
  allowedClockSkew: string
  workloadCertTTL: string
  tokenValidators: TokenValidatorSpec[]
  /** The version the dapr-sentry image tag names, when it names one. */
  sentryVersion?: string | undefined
  /** A trust bundle Sentry would regenerate or refuse: critical, exit 4. */
  problems?: BundleProblem[]
}

const selfHostedMtlsNote =
  "Self-hosted, daprd turns mTLS on with its --enable-mtls flag, not with this file (Sentry reads the file's workloadCertTTL, allowedClockSkew and tokenValidators)."

export default class Mtls extends KubeCommand<typeof Mtls> {
  static override summary =
    "Show the mTLS settings: on or off, Sentry's certificate TTL, clock skew and token validators."
  static override description = `With -k: reads spec.mtls of the daprsystem Configuration, and the trust domain and version of the dapr-sentry that runs. Without -k: reads the self-hosted Configuration file Sentry reads; self-hosted, daprd's own --enable-mtls flag is what turns mTLS on.`

  static override selfHostedOnlyFlags = ['config-file']
  static override examples = [
    '<%= config.bin %> mtls',
    '<%= config.bin %> mtls --config-file ~/.dapr/config.yaml -o json',
    '<%= config.bin %> mtls -k',
    '<%= config.bin %> mtls -k -o json',
  ]

  static override flags = {
    kubernetes: kubernetesFlag,
    output: outputFlag,
    'config-file': Flags.string({summary: 'Self-hosted Dapr Configuration file [default: ~/.dapr/config.yaml].'}),
  }

  async run(): Promise<MtlsResult> {
    let result: MtlsResult
    let sentence: string
    if (this.flags.kubernetes) {
      const session = await this.cluster()
      const {controlPlane} = session
      const bundle = this.readBundleAlongside(session)
      const {config, namespace} = controlPlane
      if (!config.found) {
        throw new UserError(
          `error checking mTLS: system configuration daprsystem not found in namespace ${namespace}`,
          {
            hint: 'Is Dapr installed there? Pass -n with the control-plane namespace.',
          },
        )
      }
      const current = await bundle
      result = {
        mtlsEnabled: config.mtlsEnabled,
        location: namespace,
        trustDomain: controlPlane.trustDomain,
        allowedClockSkew: config.allowedClockSkew,
        workloadCertTTL: config.workloadCertTTL,
        tokenValidators: config.tokenValidators,
        sentryVersion: controlPlane.sentryVersion,
        problems: current ? session.kube.trustBundleProblems(current) : [],
      }
      // The official sentence, trailing space included, so scripts that match it keep working.
      sentence = `Mutual TLS is ${config.mtlsEnabled ? 'enabled' : 'disabled'} in your Kubernetes cluster `
    } else {
      const file = this.flags['config-file'] ?? defaultConfigFile()
      const {mtlsEnabled, allowedClockSkew, workloadCertTTL, tokenValidators} = await readSentrySettings(file)
      result = {mtlsEnabled, location: file, allowedClockSkew, workloadCertTTL, tokenValidators}
      // Self-hosted, the file does not switch mTLS (DESIGN.md section 11): saying "enabled" would mislead.
      sentence = `spec.mtls.enabled is ${result.mtlsEnabled} in the self-hosted configuration ${file}\n${selfHostedMtlsNote}`
    }
    const problems = result.problems ?? []
    const mode = this.flags.kubernetes ? 'kubernetes' : 'self-hosted'
    this.print(result, () => [sentence, renderSettings(result, mode), ...renderProblems(problems)].join('\n'))
    if (problems.length > 0) process.exitCode = ExitCode.critical
    return result
  }
}
