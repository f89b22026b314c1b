// The self-hosted Configuration file Sentry reads at start (its --config, the file `dapr init` wrote) as a settings
// target: spec.mtls read from it, and edited in place with comments and unrelated settings kept, never over a change
// made since it was read.
import type {Document} from 'yaml'

import {describeCause, UserError} from '../errors.js'
import {type MtlsSettings, type MtlsSpec, settingsOf} from '../settings/mtls-settings.js'
import type {MtlsEdit} from '../settings/plan.js'
import type {SettingsTarget} from '../settings/target.js'
import {applyConfigEdit, readConfiguration} from './config-file.js'

export function configFileTarget(file: string): SettingsTarget {
  let read: {text: string; doc: Document.Parsed} | undefined
  return {
    async read() {
      read = await readConfiguration(file)
      const {doc} = read
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
            `${file} is not a Dapr Configuration: cannot set spec.mtls.${field} (${describeCause(error)})`,
            {
              hint: 'Fix its spec or pass another file with --config-file; nothing was changed.',
            },
          )
        }
      }
      if ((await readConfiguration(file)).text !== read.text) {
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
