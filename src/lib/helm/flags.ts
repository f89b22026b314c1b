// The flags `dapr init -k` adds, with the official CLI's names and defaults, and the official `--flag=false` spelling.
// None has a parse-time default, so init can tell a given flag from an absent one and refuse the other mode's flags.
import {Flags} from '@oclif/core'

import {clusterFlags, timeoutFlag} from '../flags.js'

const group = 'KUBERNETES'

export const installFlags = {
  namespace: Flags.string({
    char: 'n',
    summary: 'Namespace to install the control plane into; created if missing (-k) [default: dapr-system].',
    helpGroup: group,
  }),
  kubeconfig: clusterFlags.kubeconfig,
  context: clusterFlags.context,
  'enable-ha': Flags.boolean({
    summary: 'Run three replicas of each control-plane service (-k).',
    allowNo: true,
    helpGroup: group,
  }),
  wait: Flags.boolean({summary: 'Wait until the control plane is ready (-k).', allowNo: true, helpGroup: group}),
  timeout: timeoutFlag('timeout', {
    summary: 'How long Helm may take, including --wait: seconds or a duration such as 90s, 5m (-k) [default: 5m].',
    helpGroup: group,
  }),
  'runtime-version': Flags.string({
    summary: 'Dapr version: chart version and image tag (-k) [default: latest, or $DAPR_RUNTIME_VERSION].',
    helpGroup: group,
  }),
  set: Flags.string({
    summary: 'A chart value, key=value (k1=v1,k2=v2 also works); repeatable, applied after the other flags (-k).',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: group,
  }),
  chart: Flags.string({
    summary:
      'Chart to install: a local path or an oci:// reference, for air-gapped clusters (-k) [default: dapr from the Dapr Helm repository, or $DAPR_HELM_REPO_URL].',
    helpGroup: group,
  }),
  'generate-certs': Flags.boolean({
    summary:
      'Generate the root and issuer here, so `renew-certificate --private-key` can keep the root later (-k; see --root-key-out).',
    helpGroup: group,
  }),
  'dry-run': Flags.boolean({
    summary: 'Print the helm command and the values it would set (certificates as fingerprints); change nothing (-k).',
    helpGroup: group,
  }),
}

/** The Dapr docs write `--enable-mtls=false`; oclif spells a false boolean `--no-enable-mtls`. */
export function normalizeBooleanValues(argv: string[]): string[] {
  return argv.map((arg) => {
    const match = /^--(enable-mtls|enable-ha|wait)=(true|false)$/i.exec(arg)
    if (!match) return arg
    return match[2]?.toLowerCase() === 'true' ? `--${match[1]}` : `--no-${match[1]}`
  })
}
