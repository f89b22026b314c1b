// Kubernetes object and namespace names, checked before anything is sent: a bad name is a usage error that names
// the rule, not an API server's 422 halfway through a run.
import {UsageError} from './errors.js'

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** A namespace name: an RFC 1123 label (lower-case letters, digits and '-', at most 63 characters). */
export function assertNamespaceName(name: string, flag: string): void {
  if (name.length > 63 || !label.test(name)) {
    throw new UsageError(
      `${flag} ${name} is not a valid namespace name`,
      "A namespace name is lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.",
    )
  }
}

/** An object name: an RFC 1123 subdomain (labels joined by '.', at most 253 characters). */
export function assertObjectName(name: string, flag: string): void {
  if (name.length > 253 || !name.split('.').every((part) => label.test(part))) {
    throw new UsageError(
      `${flag} ${name} is not a valid Kubernetes name`,
      "Use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (for example my-oauth).",
    )
  }
}
