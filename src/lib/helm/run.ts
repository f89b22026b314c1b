// The helm executable, found on PATH and run through execa: the one place that starts it. A missing helm becomes an
// error that says how to get it; any other failure is Helm's own message on one line.
import {execa} from 'execa'

import {UserError} from '../errors.js'
import {clusterUnreachable, helmMessage} from './failure.js'

export interface HelmRun {
  stdout: string
  stderr: string
  exitCode: number
}

const helmBinary = 'helm'

function notRunnable(code: string): UserError {
  const reason = code === 'ENOENT' ? 'was not found on PATH' : `could not be started (${code})`
  return new UserError(`helm ${reason}; dapr init -k installs the control plane with Helm`, {
    hint: 'Install Helm (see https://helm.sh/docs/intro/install/) or add its directory to PATH, then run again.',
  })
}

/** Runs helm and returns its result; only a helm that cannot start throws. */
export async function runHelm(args: readonly string[]): Promise<HelmRun> {
  const result = await execa(helmBinary, args, {reject: false, stdin: 'ignore'})
  if (result.code !== undefined && result.exitCode === undefined) throw notRunnable(result.code)
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1}
}

/** `helm version --short`, e.g. v3.21.4; also proves helm is there before anything changes. */
export async function helmVersion(): Promise<string> {
  const result = await runHelm(['version', '--short'])
  if (result.exitCode !== 0) throw new UserError(`helm version failed: ${helmMessage(result.stderr)}`)
  return result.stdout.trim()
}

export interface ReleaseInfo {
  name: string
  status: string
  chart: string
  appVersion: string
}

interface ListedRelease {
  name?: string
  status?: string
  chart?: string
  app_version?: string
}

/** The release of that name in the namespace, in any state (a failed install counts), or undefined. */
export async function findRelease(
  release: string,
  namespace: string,
  connectionArgs: readonly string[],
): Promise<ReleaseInfo | undefined> {
  const result = await runHelm([
    'list',
    '--namespace',
    namespace,
    '--all',
    '--filter',
    `^${release}$`,
    '--output',
    'json',
    ...connectionArgs,
  ])
  if (result.exitCode !== 0) {
    const message = helmMessage(result.stderr)
    throw (
      clusterUnreachable(message) ?? new UserError(`cannot list Helm releases in namespace ${namespace}: ${message}`)
    )
  }
  const [found] = JSON.parse(result.stdout || '[]') as ListedRelease[]
  if (!found) return undefined
  return {
    name: found.name ?? release,
    status: found.status ?? 'unknown',
    chart: found.chart ?? '',
    appVersion: found.app_version ?? '',
  }
}
