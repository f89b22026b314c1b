// The self-hosted Dapr Configuration file (default ~/.dapr/config.yaml): created with mTLS on, or edited in place
// with comments and unrelated settings kept, never clobbered. The edit is worked out before anything is written, so
// a broken file stops `init` before the certificates change, and written last.
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {type Document, isMap, isScalar, isSeq, parseDocument} from 'yaml'

import {describeCause, UserError} from '../errors.js'
import {assertWritable, makeDirectory, readLocalFile, writeFileAtomic} from '../local-files.js'
import {fileTimestamp} from '../output/time-layouts.js'

async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file)
    return true
  } catch {
    return false
  }
}

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
  return new UserError(`${file} is not a Dapr Configuration: ${problem}`, {
    hint: 'Fix the file or pass another one with --config-file; nothing was changed.',
  })
}

/** Pure: why a parsed file is not a Dapr Configuration, or undefined when it is one. */
export function configurationProblem(doc: Document.Parsed): string | undefined {
  if (doc.errors.length > 0) return `it is not valid YAML (${firstLine(doc.errors[0]?.message ?? '')})`
  const contents = doc.contents
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return 'the file is empty'
  }
  if (!isMap(contents)) return `it holds ${isSeq(contents) ? 'a list' : 'a plain value'}, not a mapping`
  // daprd reads a file without `kind` too; one with another kind is some other object.
  const kind: unknown = doc.get('kind')
  if (kind === undefined && !doc.has('spec')) return 'it has neither "kind: Configuration" nor a spec'
  if (kind !== undefined && kind !== 'Configuration') {
    return `it is a ${typeof kind === 'string' ? kind : JSON.stringify(kind)}, not a Configuration (kind: Configuration)`
  }
  return undefined
}

async function readConfigFile(file: string): Promise<string> {
  return readLocalFile(file, {
    label: '--config-file',
    hint: 'Check its permissions or pass another file with --config-file; nothing was changed.',
    missingHint:
      'Create one with `dapr init --enable-mtls`, or pass --config-file. To check a Kubernetes cluster, add -k.',
  })
}

/** Pure: the edit that sets spec.mtls.enabled in a file whose text is `current` (undefined: there is no file yet). */
export function mtlsConfigEdit(file: string, current: string | undefined, enabled: boolean): ConfigEdit {
  if (current === undefined) return {file, change: 'created', text: newConfig(enabled)}
  const doc = parseDocument(current)
  const problem = configurationProblem(doc)
  if (problem !== undefined) throw notAConfiguration(file, problem)
  if (doc.getIn(['spec', 'mtls', 'enabled']) === enabled) return {file, change: 'unchanged', text: ''}
  try {
    doc.setIn(['spec', 'mtls', 'enabled'], enabled)
  } catch (error) {
    // `spec: foo` or `spec: []`: there is no mapping to put mtls in.
    throw notAConfiguration(file, `cannot set spec.mtls.enabled (${describeCause(error)})`)
  }
  return {file, change: 'updated', text: doc.toString()}
}

/** Reads the file and works out the edit; writes nothing, but checks that the file could be written. */
export async function planMtlsConfig(file: string, enabled: boolean): Promise<ConfigEdit> {
  const current = (await fileExists(file)) ? await readConfigFile(file) : undefined
  const edit = mtlsConfigEdit(file, current, enabled)
  if (edit.change !== 'unchanged') await assertWritable(file, 'file', '--config-file')
  return edit
}

/**
 * Writes an edit: a new file never over one that appeared since; an edited one keeps its mode and a .bak copy beside
 * it. Returns the path of that copy.
 */
export async function applyConfigEdit(
  edit: ConfigEdit,
  now = new Date(),
  field = 'spec.mtls.enabled',
): Promise<string | undefined> {
  const {file, change, text} = edit
  try {
    if (change === 'created') {
      await makeDirectory(path.dirname(file), 0o755)
      await fs.writeFile(file, text, {flag: 'wx'})
    } else if (change === 'updated') {
      const {mode} = await fs.stat(file)
      const backup = `${file}.${fileTimestamp(now)}.bak`
      await fs.copyFile(file, backup)
      await writeFileAtomic(file, text, mode & 0o777)
      return backup
    }
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${describeCause(error)}`, {
      hint: `Set ${field} in it by hand; everything else is in place.`,
    })
  }
  return undefined
}

/** A Configuration file as text and parsed, refused when it is not a Dapr Configuration; a missing one points at -k. */
export async function readConfiguration(file: string): Promise<{text: string; doc: Document.Parsed}> {
  const text = await readConfigFile(file)
  const doc = parseDocument(text)
  const problem = configurationProblem(doc)
  if (problem !== undefined) throw notAConfiguration(file, problem)
  return {text, doc}
}

/**
 * What self-hosted Sentry reads from its --config file for workload certificates: the TTL and the clock skew, with
 * Dapr's defaults (24h, 15m) where unset, and for a file that does not exist.
 */
export async function readWorkloadCertSettings(
  file: string,
): Promise<{workloadCertTTL: string; allowedClockSkew: string}> {
  const defaults = {workloadCertTTL: '24h', allowedClockSkew: '15m'}
  const missing = await fs.stat(file).then(
    () => false,
    (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT',
  )
  if (missing) return defaults
  const {doc} = await readConfiguration(file)
  const value = (key: string, fallback: string) => {
    const found = doc.getIn(['spec', 'mtls', key])
    return typeof found === 'string' && found !== '' ? found : fallback
  }
  return {
    workloadCertTTL: value('workloadCertTTL', defaults.workloadCertTTL),
    allowedClockSkew: value('allowedClockSkew', defaults.allowedClockSkew),
  }
}
