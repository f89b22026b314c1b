// Flags shared by several commands: where the certificates live (-k for the cluster, --certs-dir for disk) and how
// to reach the cluster. One definition each, so help text and behaviour match everywhere.
import {Flags} from '@oclif/core'

import {defaultCertsDir} from './selfhosted/certs-dir.js'

export const kubernetesFlag = Flags.boolean({
  char: 'k',
  summary: 'Work on the Kubernetes cluster of the current kubeconfig context (without -k: the certificates on disk).',
})

export const certsDirFlag = Flags.string({
  summary: 'Self-hosted certificates directory.',
  default: () => Promise.resolve(defaultCertsDir()),
  defaultHelp: () => Promise.resolve('~/.dapr/certs'),
})

export const clusterFlags = {
  kubeconfig: Flags.string({
    summary: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).',
    helpGroup: 'KUBERNETES',
  }),
  context: Flags.string({summary: 'The kubeconfig context to use.', helpGroup: 'KUBERNETES'}),
  'request-timeout': Flags.integer({
    summary: 'Seconds one request to the API server may take [default: 30].',
    min: 1,
    helpGroup: 'KUBERNETES',
  }),
  namespace: Flags.string({
    char: 'n',
    summary: 'The Dapr control-plane namespace (default: found from the daprsystem Configuration).',
    helpGroup: 'KUBERNETES',
  }),
}

export const validUntilFlag = Flags.integer({
  summary: 'Validity of the new root and issuer certificates, in days (1 to 36500) [default: 365].',
  min: 1,
  max: 36_500,
})
