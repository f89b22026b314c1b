// The environment variables self-hosted daprd reads for mTLS (DESIGN.md section 11), as shell lines that read the
// files at eval time. The docs' DAPR_CERT_CHAIN and DAPR_CERT_KEY are read by no current daprd and would hand the
// issuer private key to every child process, so they come only when asked for.
import path from 'node:path'

import {bundleFileNames} from '../certs/index.js'
import {bashQuote, powershellQuote} from '../output/shell-quote.js'

export const shells = ['bash', 'powershell'] as const
export type Shell = (typeof shells)[number]

export interface EnvLine {
  name: string
  /** A file whose content is the value, or a literal value. */
  file?: string
  value?: string
}

export interface EnvSettings {
  namespace: string
  /** Sentry's --trust-domain; daprd's default, localhost, makes it wait forever for a cluster.local Sentry. */
  trustDomain: string
  withIssuerKey: boolean
}

export const issuerKeyWarning =
  'DAPR_CERT_CHAIN and DAPR_CERT_KEY are read by no current daprd (1.16 to 1.18 checked); they put the issuer private key into the environment of every process started from this shell.'

export function mtlsEnv(dir: string, settings: EnvSettings): EnvLine[] {
  const lines: EnvLine[] = [
    {name: 'DAPR_TRUST_ANCHORS', file: path.join(dir, bundleFileNames.rootCert)},
    {name: 'NAMESPACE', value: settings.namespace},
    {name: 'DAPR_CONTROLPLANE_TRUST_DOMAIN', value: settings.trustDomain},
  ]
  if (settings.withIssuerKey) {
    lines.push(
      {name: 'DAPR_CERT_CHAIN', file: path.join(dir, bundleFileNames.issuerCert)},
      {name: 'DAPR_CERT_KEY', file: path.join(dir, bundleFileNames.issuerKey)},
    )
  }
  return lines
}

export function renderEnv(lines: EnvLine[], shell: Shell): string {
  return lines
    .map(({name, file, value}) => {
      if (shell === 'bash') {
        return file === undefined
          ? `export ${name}=${bashQuote(value ?? '')}`
          : `export ${name}="$(cat ${bashQuote(file)})"`
      }
      return file === undefined
        ? `$env:${name} = ${powershellQuote(value ?? '')}`
        : `$env:${name} = Get-Content -Raw ${powershellQuote(file)}`
    })
    .join('\n')
}
