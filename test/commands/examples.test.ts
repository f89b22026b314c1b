// What a new user copies runs as written: the README's self-hosted tour and every self-hosted example in `--help`,
// each in a fresh HOME with `dapr` on the PATH, through bash (so `~`, `$(...)` and quotes mean what they say).
// Examples are read from the built oclif manifest, so a new example is covered without touching this test.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {execa} from 'execa'

import {OpenSslDir} from '../helpers/openssl.js'

const root = path.resolve(import.meta.dirname, '..', '..')

interface Manifest {
  commands: Record<string, {examples?: string[]; flags: Record<string, unknown>}>
}

/** The lines of the README's first sh block after "Self-hosted:" in the tour, comments dropped. */
function readmeTour(): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const tour = readme.slice(readme.indexOf('## A tour'))
  const block = /Self-hosted:\s*```sh\n([\s\S]*?)```/.exec(tour)?.[1] ?? ''
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '')
}

/** Every example that works on the certificates on disk (no -k), with the bin name filled in. */
function selfHostedExamples(): {id: string; example: string}[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as Manifest
  return Object.entries(manifest.commands).flatMap(([id, command]) =>
    (command.examples ?? [])
      .map((example) => example.replaceAll('<%= config.bin %>', 'dapr'))
      .filter((example) => !/\s(-k|--kubernetes)\b/.test(example))
      .map((example) => ({id, example})),
  )
}

describe('what a new user copies runs as written', function () {
  this.timeout(120_000)
  let work: OpenSslDir
  let home: string
  let bin: string

  beforeEach(() => {
    work = new OpenSslDir()
    home = work.path('home')
    mkdirSync(home)
    bin = work.path('bin')
    mkdirSync(bin)
    writeFileSync(
      path.join(bin, 'dapr'),
      `#!/bin/sh\nexec node ${JSON.stringify(path.join(root, 'bin', 'run.js'))} "$@"\n`,
    )
    chmodSync(path.join(bin, 'dapr'), 0o755)
    // The files the bring-your-own examples name, in the directory the examples run in, and the client secret the
    // OAuth example reads.
    work.bundle('')
    work.write('secret.txt', 'a-client-secret\n')
  })
  afterEach(() => {
    work.cleanup()
  })

  const shell = (script: string) =>
    execa('bash', ['-c', `set -euo pipefail\n${script}`], {
      reject: false,
      cwd: work.dir,
      env: {HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1'},
      extendEnv: false,
    })

  it('the README’s self-hosted tour, line by line in one shell', async () => {
    const lines = readmeTour()
    assert.ok(lines.length >= 4, `tour found: ${lines.join(' / ')}`)
    assert.match(lines.join('\n'), /renew-certificate --private-key ~\/\.dapr\/root\.key/)
    const result = await shell(`${lines.join('\n')}\nprintf '\\n[%s]' "$DAPR_CONTROLPLANE_TRUST_DOMAIN"`)
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`)
    assert.match(
      result.stdout,
      /\n\[cluster\.local\]$/,
      'eval "$(dapr mtls env)" set the trust domain in the tour’s shell',
    )
  })

  const examples = selfHostedExamples()
  it('finds the self-hosted examples of every command that has them', () => {
    const ids = new Set(examples.map((e) => e.id))
    for (const id of ['init', 'mtls', 'mtls:env', 'mtls:expiry', 'mtls:renew-certificate', 'version']) {
      assert.ok(ids.has(id), id)
    }
  })

  for (const {id, example} of examples) {
    it(example, async () => {
      // Commands other than init start where the README's first step leaves a new user.
      const setUp = id === 'init' ? '' : 'dapr init --enable-mtls --root-key-out ~/.dapr/root.key >/dev/null\n'
      const result = await shell(`${setUp}${example}`)
      assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`)
    })
  }
})
