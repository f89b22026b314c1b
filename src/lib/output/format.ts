// Machine-readable rendering (-o json|yaml, --json) and the output flag shared by read commands.
import {Flags} from '@oclif/core'
import {stringify} from 'yaml'

export const outputFormats = ['table', 'json', 'yaml'] as const
export type OutputFormat = (typeof outputFormats)[number]

export const outputFlag = Flags.option({
  char: 'o',
  options: outputFormats,
  default: 'table' as OutputFormat,
  summary: 'Output format. --json is the same as -o json.',
})()

/** Dates become RFC 3339 UTC strings; everything else is left as it is. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

export function toYaml(value: unknown): string {
  return stringify(plain(value)).trimEnd()
}
