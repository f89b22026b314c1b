// Machine-readable rendering (-o json|yaml, --json) and the output flag shared by read commands.
import {Flags} from '@oclif/core'
import {stringify} from 'yaml'

export const outputFormats = ['table', 'wide', 'json', 'yaml'] as const
export type OutputFormat = (typeof outputFormats)[number]

// No parse-time default, so `--json -o yaml` can be told from `--json` alone and refused.
export const outputFlag = Flags.option({
  char: 'o',
  options: outputFormats,
  summary: 'Output format [default: table]; wide adds the long columns. --json is the same as -o json.',
})()

/** The -o/--output value in raw arguments, for the error path when flag parsing itself failed. */
export function outputInArgv(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === '--') return undefined
    if (arg === '-o' || arg === '--output') return argv[index + 1]
    const match = /^(?:-o=?|--output=)(.+)$/.exec(arg)
    if (match) return match[1]
  }
  return undefined
}

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
