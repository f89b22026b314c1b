// Values in commands printed for a person to paste or for a shell to eval: quoted so a path with spaces or quotes
// stays one word, and left bare when it needs no quotes, so suggested commands read as a person would type them.

/** Always single-quoted for bash and POSIX shells. */
export function bashQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** Always single-quoted for PowerShell. */
export function powershellQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** One shell word: bare when only safe characters, else single-quoted. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : bashQuote(value)
}
