// `dapr mtls renew-certificate` bringing every bundle of the corpus into a real certificates directory: the verdict the
// CLI gives each (exit code and rule), refusals in one clean line with the directory untouched, acceptances written
// as given. The table it prints is the CLI column of the Sentry parity table.
import assert from 'node:assert/strict'
import {createPrivateKey} from 'node:crypto'
import {readFileSync} from 'node:fs'
import path from 'node:path'

import pLimit from 'p-limit'

import {buildCorpus, type CorpusBundle, type SentryVersion} from '../helpers/bundle-corpus.js'
import {assertCleanFailure} from '../helpers/cli.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {renewWithBundle, type RenewVerdict} from '../helpers/renew-verdict.js'

const work = new OpenSslDir()
const corpus = await buildCorpus(work)

interface Run {
  bundle: CorpusBundle
  /** undefined: no --sentry-version, which must give the ECDSA-only rule of 1.16.2. */
  version: SentryVersion | undefined
  expected: string
}

// Every bundle without --sentry-version; where the verdict depends on the version, with each version too.
const runs: Run[] = corpus.flatMap((bundle) => {
  const {cli} = bundle.expected
  const byVersion = (['1.16.2', '1.18.0'] as const).map((version) => ({bundle, version, expected: cli[version]}))
  return [{bundle, version: undefined, expected: cli['1.16.2']}, ...(cli['1.16.2'] === cli['1.18.0'] ? [] : byVersion)]
})

const label = (run: Run) => (run.version ? `--sentry-version ${run.version}` : 'no --sentry-version')

describe('dapr mtls renew-certificate over the bundle corpus', function () {
  const outcomes = new Map<Run, RenewVerdict>()

  before(async function () {
    this.timeout(240_000)
    const limit = pLimit(3)
    await Promise.all(
      runs.map((run, index) =>
        limit(async () => {
          outcomes.set(run, await renewWithBundle(work.dir, `run-${index}`, run.bundle.files, run.version))
        }),
      ),
    )
    const rows = runs.map(
      (run) => `${run.bundle.name.padEnd(40)} ${label(run).padEnd(26)} ${outcomes.get(run)?.verdict}`,
    )
    console.log(`\n${'bundle'.padEnd(40)} ${'flags'.padEnd(26)} CLI verdict\n${rows.join('\n')}\n`)
  })
  after(() => {
    work.cleanup()
  })

  for (const run of runs) {
    const {bundle, expected} = run
    const outcome = (): RenewVerdict => {
      const found = outcomes.get(run)
      if (!found) throw new Error(`no run for ${bundle.name}`)
      return found
    }
    if (expected === 'accepts') {
      it(`accepts ${bundle.name} (${label(run)}): ${bundle.description}`, () => {
        const {result, certsDir, before, after, backups} = outcome()
        assert.equal(result.exitCode, 0, result.stderr)
        const written = (file: string) => readFileSync(path.join(certsDir, file), 'utf8')
        assert.equal(written('ca.crt'), bundle.files['ca.crt'])
        assert.equal(written('issuer.crt'), bundle.files['issuer.crt'])
        const publicKey = (pem: string) => createPrivateKey(pem).export({type: 'pkcs8', format: 'der'})
        assert.deepEqual(publicKey(written('issuer.key')), publicKey(bundle.files['issuer.key']))
        // Backed up outside the directory Sentry watches, which holds the three files and nothing else.
        assert.ok(
          Object.keys(backups).some((file) => file.endsWith('/ca.crt')),
          'the old files are backed up',
        )
        assert.deepEqual(Object.keys(after).sort(), ['ca.crt', 'issuer.crt', 'issuer.key'])
        assert.notDeepEqual(after, before)
      })
    } else {
      it(`refuses ${bundle.name} by ${expected} (${label(run)}): ${bundle.description}`, () => {
        const {verdict, result, before, after, backups} = outcome()
        assert.equal(verdict, expected, result.stderr)
        assert.equal(result.exitCode, 1)
        assertCleanFailure(result)
        assert.equal(result.stdout, '')
        assert.deepEqual(after, before, 'a refusal changes nothing in the certificates directory')
        assert.deepEqual(backups, {}, 'nor writes a backup')
      })
    }
  }
})
