// The self-hosted Configuration file Sentry reads at start (its --config, the file `dapr init` wrote) as a settings
// target: spec.mtls read from it, and edited in place with comments and unrelated settings kept, never over a change
// made since it was read.
import {promises as fs} from 'node:fs'

import {type Document, isMap, parseDocument} from 'yaml'

import {UserError} from '../errors.js'
import {type MtlsSettings, type MtlsSpec, settingsOf} from '../settings/mtls-settings.js'
import type {MtlsEdit} from '../settings/plan.js'
import type {SettingsTarget} from '../settings/target.js'
import {applyConfigEdit} from './config-file.js'

async function readConfigText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new UserError(`no Dapr Configuration file at ${file}`, {
        hint: 'Create one with `dapr init --enable-mtls`, or pass the file Sentry reads (its --config) with --config-file. To work on a Kubernetes cluster, add -k.',
      })
    }
    throw new UserError(`cannot read ${file}: ${code ?? String(error)}`, {
      hint: 'Check its permissions or pass another file with --config-file; nothing was changed.',
    })
  }
}

/** Pure: the parsed file, refused when it is not a Dapr Configuration Sentry could read. */
export function parseConfiguration(file: string, text: string): Document.Parsed {
  const doc = parseDocument(text)
  const problem =
    doc.errors.length > 0
      ? `it is not valid YAML (${(doc.errors[0]?.message ?? '').split('\n')[0] ?? ''})`
      : !isMap(doc.contents)
        ? 'it is not a YAML mapping'
        : doc.get('kind') !== undefined && doc.get('kind') !== 'Configuration'
          ? `its kind is ${String(doc.get('kind'))}, not Configuration`
          : undefined
  if (problem !== undefined) {
    throw new UserError(`${file} is not a Dapr Configuration: ${problem}`, {
      hint: 'Fix the file or pass the one Sentry reads (its --config) with --config-file; nothing was changed.',
    })
  }
  return doc
}

export function configFileTarget(file: string): SettingsTarget {
  let read: {text: string; doc: Document.Parsed} | undefined
  return {
    async read() {
      const text = await readConfigText(file)
      const doc = parseConfiguration(file, text)
      read = {text, doc}
      const spec = (doc.toJS() as {spec?: {mtls?: unknown}} | null)?.spec
      const mtls = typeof spec?.mtls === 'object' && spec.mtls !== null ? (spec.mtls as MtlsSpec) : {}
      return {mtls, context: {mode: 'self-hosted', location: file}}
    },
    async write(edit: MtlsEdit) {
      if (read === undefined) throw new Error('read the Configuration file before writing it')
      const {doc} = read
      for (const [field, value] of Object.entries(edit)) {
        try {
          if (value === null) doc.deleteIn(['spec', 'mtls', field])
          else doc.setIn(['spec', 'mtls', field], value)
        } catch (error) {
          // `spec: foo` or `spec: []`: there is no mapping to put mtls in.
          throw new UserError(
            `${file} is not a Dapr Configuration: cannot set spec.mtls.${field} (${(error as Error).message})`,
            {
              hint: 'Fix its spec or pass another file with --config-file; nothing was changed.',
            },
          )
        }
      }
      if ((await readConfigText(file)) !== read.text) {
        throw new UserError(`${file} changed while this command ran; nothing was written`, {
          hint: 'Run the command again to work from the current file.',
        })
      }
      // lineWidth 0: an inline JWKS stays on one line rather than folded.
      await applyConfigEdit({file, change: 'updated', text: doc.toString({lineWidth: 0})}, new Date(), 'spec.mtls')
    },
  }
}

/** The settings in a self-hosted Configuration file, with Dapr's defaults for unset fields. */
export async function readSentrySettings(file: string): Promise<MtlsSettings> {
  return settingsOf((await configFileTarget(file).read()).mtls)
}
