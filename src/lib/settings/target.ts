// Where Sentry's settings live, seen the same way for the daprsystem Configuration (-k) and the self-hosted
// Configuration file, so one flow serves `mtls set` and `mtls token-validator` in both modes.
import type {MtlsSpec} from './mtls-settings.js'
import type {MtlsEdit, SettingsContext} from './plan.js'

export interface SettingsTarget {
  /** spec.mtls as it is now, and what a plan needs to know about the place. */
  read(): Promise<{mtls: MtlsSpec; context: SettingsContext}>
  /** Writes the edit over what read() saw; refused when the place has changed since. */
  write(edit: MtlsEdit): Promise<void>
}
