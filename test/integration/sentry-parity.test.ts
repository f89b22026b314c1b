// The CLI's verdicts held against real Sentry 1.16.2 and 1.18.0, bundle by bundle over the whole corpus: the CLI
// (`renew-certificate --sentry-version <v>`) must refuse every bundle Sentry <v> refuses, and may refuse one Sentry
// starts with only by a deliberate stricter rule. The verdict table is printed with the results.
import assert from 'node:assert/strict'
import pLimit from 'p-limit'

import {validateBundle} from '../../src/lib/certs/index.js'
import {sentryVerdict} from '../dapr/sentry.js'
import {
  buildCorpus,
  type CorpusBundle,
  type SentryVersion,
  sentryVersions,
  writeBundleFiles,
} from '../helpers/bundle-corpus.js'
import {OpenSslDir} from '../helpers/openssl.js'
import {type ParityCase, parityMark, parityProblem, type SentryOutcome} from '../helpers/parity.js'
import {renewWithBundle} from '../helpers/renew-verdict.js'

const work = new OpenSslDir()
const corpus = await buildCorpus(work)

type Results = Map<string, ParityCase>
const key = (bundle: CorpusBundle, version: SentryVersion) => `${bundle.name} ${version}`

function verdictTable(results: Results): string {
  const cell = (parity: ParityCase | undefined) => (parity ? parity.cli : '?')
  const sentryCell = (parity: ParityCase | undefined) => {
    if (!parity) return '?'
    if (parity.sentry.accepted) return 'accepts'
    // The cause, without the wrapping every start-up failure shares.
    const cause = parity.sentry.reason.replace(
      /^.*failed to verify CA bundle: (issuer chain does not belong to trust anchors: )?/,
      '',
    )
    return `refuses: ${cause.slice(0, 60)}`
  }
  const lines = corpus.map((bundle) => {
    const [old, current] = sentryVersions.map((version) => results.get(key(bundle, version)))
    const cli = cell(old) === cell(current) ? cell(old) : `${cell(old)} / ${cell(current)}`
    const marks = [old, current].map((parity) => (parity ? parityMark(parity) : '?')).join('/')
    return `${bundle.name.padEnd(38)} ${cli.padEnd(40)} ${marks.padEnd(17)} ${sentryCell(old).padEnd(70)} ${sentryCell(current)}`
  })
  const header = `${'bundle'.padEnd(38)} ${'CLI (1.16.2 / 1.18.0)'.padEnd(40)} ${'parity'.padEnd(17)} ${'Sentry 1.16.2'.padEnd(70)} Sentry 1.18.0`
  return [header, ...lines].join('\n')
}

describe('parity with real Sentry 1.16.2 and 1.18.0 over the bundle corpus', function () {
  const results: Results = new Map()

  before(async function () {
    this.timeout(300_000)
    // Three bundles at a time: each starts the CLI and a real Sentry, on a machine shared with other work.
    const limit = pLimit(3)
    const jobs = corpus.flatMap((bundle, index) =>
      sentryVersions.map((version) =>
        limit(async () => {
          const run = `parity-${index}-${version}`
          const cli = await renewWithBundle(work.dir, run, bundle.files, version)
          // Sentry gets the files as given, in a directory of their own.
          const verdict = await sentryVerdict(version, writeBundleFiles(work.path(`${run}-sentry`), bundle.files))
          const sentry: SentryOutcome = verdict.accepted
            ? {accepted: true, verified: verdict.signed.verified, changedFiles: verdict.changedFiles}
            : {accepted: false, reason: verdict.reason}
          const files = bundle.files
          const report = validateBundle(
            {rootCertPem: files['ca.crt'], issuerCertPem: files['issuer.crt'], issuerKeyPem: files['issuer.key']},
            {sentryVersion: version},
          )
          results.set(key(bundle, version), {cli: cli.verdict, refusedBy: report.errors.map((e) => e.rule), sentry})
        }),
      ),
    )
    await Promise.all(jobs)
    console.log(`\n${verdictTable(results)}\n`)
  })
  after(() => {
    work.cleanup()
  })

  for (const bundle of corpus) {
    it(`${bundle.name}: ${bundle.description}`, () => {
      for (const version of sentryVersions) {
        const parity = results.get(key(bundle, version))
        assert.ok(parity, `no result for ${bundle.name} with ${version}`)
        assert.equal(parityProblem(parity), undefined, `Sentry ${version}`)
        // The corpus documents what Sentry does; a change in Sentry (or a wrong note) shows up here.
        const sentry = parity.sentry.accepted ? 'accepts' : 'refuses'
        assert.equal(sentry, bundle.expected.sentry[version], `the corpus note for Sentry ${version} is out of date`)
      }
    })
  }
})
