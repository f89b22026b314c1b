// Where the real Dapr binaries built by test/dapr/build.sh are, read from test/cluster/versions.sh so the build and
// the tests agree on versions and paths.
import {execFile} from 'node:child_process'
import {access, constants} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

/** The Sentry versions the tests run (the versions whose Sentry builds from the module proxy). */
export const SENTRY_VERSIONS = ['1.16.2', '1.18.0'] as const
export type SentryVersion = (typeof SENTRY_VERSIONS)[number]

export interface DaprBinaries {
  /** `$DAPR_BIN` from versions.sh */
  binDir: string
  sentry: Record<SentryVersion, string>
  daprd: string
  /** daprd's version without the v, e.g. `1.18.0` */
  daprdVersion: string
  signclient: string
}

let cached: Promise<DaprBinaries> | undefined

/** Paths of the built binaries; rejects naming `npm run dapr:build` when one is missing. */
export function daprBinaries(): Promise<DaprBinaries> {
  cached ??= locate()
  // A failed look-up is not remembered: the binaries may be built while the tests run.
  cached.catch(() => (cached = undefined))
  return cached
}

async function locate(): Promise<DaprBinaries> {
  const versions = fileURLToPath(new URL('../cluster/versions.sh', import.meta.url))
  const {stdout} = await promisify(execFile)('bash', [
    '-c',
    '. "$1" && printf "%s\\n%s\\n%s\\n" "$DAPR_BIN" "$DAPR_SENTRY_VERSIONS" "$DAPR_DAPRD_VERSION"',
    'versions',
    versions,
  ])
  const [binDir, sentryVersions, daprdTag] = stdout.split('\n')
  if (!binDir || !sentryVersions || !daprdTag) {
    throw new Error(`versions.sh did not define DAPR_BIN, DAPR_SENTRY_VERSIONS and DAPR_DAPRD_VERSION: ${stdout}`)
  }
  const pinned = sentryVersions.split(/\s+/).map((tag) => tag.replace(/^v/, ''))
  for (const version of SENTRY_VERSIONS) {
    if (!pinned.includes(version)) {
      throw new Error(`versions.sh pins Sentry ${sentryVersions}, but the tests run ${SENTRY_VERSIONS.join(' and ')}`)
    }
  }
  const daprdVersion = daprdTag.replace(/^v/, '')
  const binaries: DaprBinaries = {
    binDir,
    sentry: {'1.16.2': path.join(binDir, 'sentry-1.16.2'), '1.18.0': path.join(binDir, 'sentry-1.18.0')},
    daprd: path.join(binDir, `daprd-${daprdVersion}`),
    daprdVersion,
    signclient: path.join(binDir, 'signclient'),
  }
  const missing: string[] = []
  for (const file of [...Object.values(binaries.sentry), binaries.daprd, binaries.signclient]) {
    await access(file, constants.X_OK).catch(() => missing.push(path.basename(file)))
  }
  if (missing.length > 0) {
    throw new Error(`real Dapr binaries missing in ${binDir}: ${missing.join(', ')}; run \`npm run dapr:build\` first`)
  }
  return binaries
}

/** The real Helm chart of a Dapr version, copied out of the dapr module by `build.sh chart`. */
export async function realChart(version = '1.16.2'): Promise<string> {
  const {binDir} = await daprBinaries()
  const chart = path.join(binDir, 'charts', `dapr-${version}`)
  await access(path.join(chart, 'Chart.yaml'), constants.R_OK).catch(() => {
    throw new Error(`the real Dapr ${version} chart is missing at ${chart}; run \`npm run dapr:build\` first`)
  })
  return chart
}
