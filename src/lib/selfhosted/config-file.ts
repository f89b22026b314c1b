// The self-hosted Dapr Configuration file (default ~/.dapr/config.yaml): created with mTLS on, or edited in place
// with comments and unrelated settings kept, never clobbered. The edit is worked out before anything is written, so
// a broken file stops `init` before the certificates change, and written last.
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {isMap, parseDocument, type YAMLError} from 'yaml'

import {UserError} from '../errors.js'
import {fileTimestamp} from '../output/time-layouts.js'
import {writeFileAtomic} from './certs-dir.js'

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

export interface ConfigEdit {
  file: string
  change: ConfigChange
  /** The whole new content; empty when the change is 'unchanged'. */
  text: string
}

/** The yaml library's messages end in a code frame over several lines; errors here are one line. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:\s*$/, '')
}

function notAConfiguration(file: string, problem: string): UserError {
  return new UserError(`${file} is not a valid YAML Configuration: ${firstLine(problem)}`, {
    hint: 'Fix the file or pass another one with --config-file; nothing was changed.',
  })
}

const firstError = (errors: YAMLError[]): string => errors[0]?.message ?? ''

/** Pure: the edit that sets spec.mtls.enabled in a file whose text is `current` (undefined: there is no file yet). */
export function mtlsConfigEdit(file: string, current: string | undefined, enabled: boolean): ConfigEdit {
  if (current === undefined) return {file, change: 'created', text: newConfig(enabled)}
  const doc = parseDocument(current)
  if (doc.errors.length > 0) throw notAConfiguration(file, firstError(doc.errors))
  if (!isMap(doc.contents)) throw notAConfiguration(file, 'not a mapping')
  if (doc.getIn(['spec', 'mtls', 'enabled']) === enabled) return {file, change: 'unchanged', text: ''}
  try {
    doc.setIn(['spec', 'mtls', 'enabled'], enabled)
  } catch (error) {
    // `spec: foo` or `spec: []`: there is no mapping to put mtls in.
    const reason = error instanceof Error ? error.message : String(error)
    throw notAConfiguration(file, `cannot set spec.mtls.enabled (${reason})`)
  }
  return {file, change: 'updated', text: doc.toString()}
}

/** Reads the file and works out the edit; writes nothing. */
export async function planMtlsConfig(file: string, enabled: boolean): Promise<ConfigEdit> {
  let current: string | undefined
  try {
    current = await fs.readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') {
      throw new UserError(`cannot read ${file}: ${code ?? String(error)}`, {
        hint: 'Check its permissions or pass another file with --config-file; nothing was changed.',
      })
    }
  }
  return mtlsConfigEdit(file, current, enabled)
}

/** Writes an edit: a new file never over one that appeared since; an edited one keeps its mode and a .bak copy. */
export async function applyConfigEdit(edit: ConfigEdit, now = new Date(), field = 'spec.mtls.enabled'): Promise<void> {
  const {file, change, text} = edit
  try {
    if (change === 'created') {
      await fs.mkdir(path.dirname(file), {recursive: true})
      await fs.writeFile(file, text, {flag: 'wx'})
    } else if (change === 'updated') {
      const {mode} = await fs.stat(file)
      await fs.copyFile(file, `${file}.${fileTimestamp(now)}.bak`)
      await writeFileAtomic(file, text, mode & 0o777)
    }
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: `Set ${field} in it by hand; everything else is in place.`,
    })
  }
}
