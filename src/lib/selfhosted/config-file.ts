// The self-hosted Dapr Configuration file (default ~/.dapr/config.yaml): created with mTLS on, or edited in place
// with comments and unrelated settings kept, never clobbered.
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {isMap, parseDocument} from 'yaml'

import {UserError} from '../errors.js'

export function defaultConfigFile(): string {
  return path.join(homedir(), '.dapr', 'config.yaml')
}

const newConfig = (enabled: boolean): string => `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: daprConfig
spec:
  mtls:
    enabled: ${enabled}
    workloadCertTTL: 24h
    allowedClockSkew: 15m
`

export type ConfigChange = 'created' | 'updated' | 'unchanged'

/** Pure: the new text of a config file with spec.mtls.enabled set, or undefined when nothing changes. */
export function withMtlsEnabled(text: string, enabled: boolean, source: string): string | undefined {
  const doc = parseDocument(text)
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new UserError(`${source} is not a valid YAML Configuration: ${doc.errors[0]?.message ?? 'not a mapping'}`, {
      hint: 'Fix the file or pass another one with --config-file; nothing was changed.',
    })
  }
  if (doc.getIn(['spec', 'mtls', 'enabled']) === enabled) return undefined
  doc.setIn(['spec', 'mtls', 'enabled'], enabled)
  return doc.toString()
}

export async function setMtlsInConfigFile(
  file: string,
  enabled: boolean,
  options: {dryRun?: boolean} = {},
): Promise<ConfigChange> {
  let current: string | undefined
  try {
    current = await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot read ${file}: ${String(error)}`)
  }
  if (current === undefined) {
    if (!options.dryRun) {
      await fs.mkdir(path.dirname(file), {recursive: true})
      await fs.writeFile(file, newConfig(enabled), {flag: 'wx'})
    }
    return 'created'
  }
  const updated = withMtlsEnabled(current, enabled, file)
  if (updated === undefined) return 'unchanged'
  if (!options.dryRun) {
    // Keep the old file beside the new one, and the new one's mode as the old one's.
    const {mode} = await fs.stat(file)
    await fs.copyFile(file, `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`)
    const temp = `${file}.tmp-${process.pid}`
    await fs.writeFile(temp, updated, {mode})
    await fs.rename(temp, file)
  }
  return 'updated'
}

/** spec.mtls.enabled of a Configuration file; a missing file is an error that points at -k. */
export async function readMtlsEnabled(file: string): Promise<boolean> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch {
    throw new UserError(`no Dapr Configuration file at ${file}`, {
      hint: 'Create one with `dapr init --enable-mtls`, or pass --config-file. To check a Kubernetes cluster, add -k.',
    })
  }
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new UserError(`${file} is not valid YAML: ${doc.errors[0]?.message ?? ''}`)
  return doc.getIn(['spec', 'mtls', 'enabled']) === true
}
