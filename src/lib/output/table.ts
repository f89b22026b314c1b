// Tables in the official CLI's layout: no borders, no header rule, left aligned, two spaces between columns; rows
// that need attention coloured on a terminal.
import Table from 'cli-table3'

import {paint} from './terminal.js'

/** How a row asks for attention: yellow for a warning, red for a critical state. Colour only reaches a terminal. */
export type RowTone = 'warning' | 'critical' | undefined

export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  options: {tones?: readonly RowTone[]} = {},
): string {
  const table = new Table({
    head: [...head],
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    // cli-table3 colours headers red and borders grey by default, even on a pipe.
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
    wordWrap: false,
  })
  table.push(...rows.map((row) => [...row]))
  const c = paint('stdout')
  return table
    .toString()
    .split('\n')
    .map((line, index) => {
      const tone = index === 0 ? undefined : options.tones?.[index - 1]
      const text = line.trimEnd()
      return tone === 'critical' ? c.red(text) : tone === 'warning' ? c.yellow(text) : text
    })
    .join('\n')
}

/** Label-value lines with the values aligned: "Workload certificate TTL  24h". A value may span several lines. */
export function renderFields(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length)) + 2
  return rows
    .flatMap(([label, value]) =>
      value.split('\n').map((line, index) => `${(index === 0 ? label : '').padEnd(width)}${line}`.trimEnd()),
    )
    .join('\n')
}
