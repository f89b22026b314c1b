// The environment variables daprd reads for self-hosted mTLS, as shell lines that read the files at eval time, so
// the private key itself is never printed.
import path from 'node:path'

import {bundleFileNames} from '../certs/index.js'

export const shells = ['bash', 'powershell'] as const
export type Shell = (typeof shells)[number]

function bashQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

function powershellQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

export interface EnvLine {
  name: string
  /** A file whose content is the value, or a literal value. */
  file?: string
  value?: string
}

export function mtlsEnv(dir: string, namespace: string): EnvLine[] {
  return [
    {name: 'DAPR_TRUST_ANCHORS', file: path.join(dir, bundleFileNames.rootCert)},
    {name: 'DAPR_CERT_CHAIN', file: path.join(dir, bundleFileNames.issuerCert)},
    {name: 'DAPR_CERT_KEY', file: path.join(dir, bundleFileNames.issuerKey)},
    {name: 'NAMESPACE', value: namespace},
  ]
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
