// Go duration strings (time.ParseDuration), the form of `spec.mtls.allowedClockSkew` such as 15m or 1h30m.
import {UserError} from '../errors.js'

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
}

const termPattern = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y

/** Milliseconds in a Go duration: an optional sign, then number+unit terms (`300ms`, `1.5h`, `1h30m`), or `0`. */
export function parseGoDuration(text: string, source = 'duration'): number {
  const fail = (): never => {
    throw new UserError(`${source}: "${text}" is not a duration`, {
      hint: 'Use a Go duration such as 15m, 1h30m, 90s or 300ms.',
    })
  }
  let rest = text.trim()
  const sign = rest.startsWith('-') ? -1 : 1
  if (rest.startsWith('-') || rest.startsWith('+')) rest = rest.slice(1)
  if (rest === '0') return 0
  if (rest === '') fail()
  let total = 0
  termPattern.lastIndex = 0
  while (termPattern.lastIndex < rest.length) {
    const match = termPattern.exec(rest)
    if (!match) return fail()
    const [, whole = '', fraction = '', unit = ''] = match
    if (whole === '' && fraction === '') fail()
    total += Number(`${whole || '0'}.${fraction || '0'}`) * (unitMs[unit] ?? fail())
  }
  return sign * total
}
