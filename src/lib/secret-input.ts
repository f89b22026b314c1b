// Secrets the user hands the CLI (a token, an OAuth client secret) come from a file or from standard input (`-`),
// never from a flag value, which would show in shell history and in every process listing.
import {readFile} from 'node:fs/promises'

import {UsageError} from './errors.js'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The secret in `source` (a path, or `-` for standard input) without its final line break; empty is refused. */
export async function readSecretInput(source: string, flag: string, what: string): Promise<string> {
  let text: string
  if (source === '-') {
    // Reading a terminal would wait for Ctrl-D with no prompt; the secret is meant to be piped in.
    if (process.stdin.isTTY) {
      throw new UsageError(
        `${flag} - reads the ${what} from standard input, which is a terminal`,
        `Pipe it in (for example from your password manager's command line), or give a file.`,
      )
    }
    text = await readStdin()
  } else {
    try {
      text = await readFile(source, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new UsageError(
        `${flag} ${source}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable')}`,
        `Give the file that holds the ${what}, or - to read it from standard input.`,
      )
    }
  }
  const value = text.replace(/\r?\n$/, '')
  if (value === '') {
    throw new UsageError(
      `${flag} ${source === '-' ? '- (standard input)' : source} is empty`,
      `Give the ${what} there (a final line break is ignored).`,
    )
  }
  return value
}
