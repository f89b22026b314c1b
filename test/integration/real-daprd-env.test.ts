// `eval "$(dapr mtls env)"` is all a self-hosted daprd needs besides --enable-mtls and --sentry-address: real daprd
// 1.18.0, started from a shell that evaluated it, gets its identity from real Sentry 1.18.0 on the directory the CLI
// made. Without DAPR_CONTROLPLANE_TRUST_DOMAIN (what the docs' variables miss), the same daprd waits forever.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {daprBinaries} from '../dapr/binaries.js'
import {httpStatus} from '../dapr/process.js'
import {startSentry} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'
import {freePorts} from '../helpers/ports.js'

const runJs = path.resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')

/** daprd from a bash that evaluated `dapr mtls env`, then ran `extra` (e.g. an unset), with only the mTLS flags. */
async function daprdFromShell(certs: string, sentryAddress: string, extra = '') {
  const {daprd} = await daprBinaries()
  const [http, grpc, internal, metrics] = await freePorts(4)
  const script = [
    `eval "$(node ${runJs} mtls env --certs-dir '${certs}')"`,
    extra,
    // Ports and the absent placement/scheduler only keep it off other processes' ports; mTLS is the two flags.
    `exec '${daprd}' --app-id envcheck --enable-mtls --sentry-address ${sentryAddress} --dapr-http-port ${http} --dapr-grpc-port ${grpc} --dapr-internal-grpc-port ${internal} --metrics-port ${metrics} --dapr-listen-addresses 127.0.0.1 --placement-host-address '' --scheduler-host-address ''`,
  ].join('\n')
  let logs = ''
  const child = spawn('bash', ['-c', script], {env: {PATH: process.env.PATH ?? '', HOME: tmpdir()}, detached: true})
  child.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()))
  const healthy = async (ms: number) => {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      if ((await httpStatus(`http://127.0.0.1:${http}/v1.0/healthz`).catch(() => 0)) === 204) return true
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    return false
  }
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
  }
  return {healthy, stop, logs: () => logs}
}

describe('eval "$(dapr mtls env)" with real daprd', function () {
  this.timeout(120_000)
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-env-'))
  })
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('gives a daprd started with only --enable-mtls --sentry-address its identity from a cluster.local Sentry', async () => {
    const certs = path.join(dir, 'certs')
    const init = await dapr(['init', '--enable-mtls', '--certs-dir', certs, '--config-file', path.join(dir, 'c.yaml')])
    assert.equal(init.exitCode, 0, init.stderr)
    const sentry = await startSentry({version: '1.18.0', credentialsDir: certs})
    try {
      await sentry.ready()
      const daprd = await daprdFromShell(certs, sentry.address)
      try {
        assert.ok(await daprd.healthy(30_000), `daprd never became healthy:\n${daprd.logs().slice(-2000)}`)
      } finally {
        daprd.stop()
      }

      // Negative control: the same shell without DAPR_CONTROLPLANE_TRUST_DOMAIN, as the docs' variables leave it.
      const stuck = await daprdFromShell(certs, sentry.address, 'unset DAPR_CONTROLPLANE_TRUST_DOMAIN')
      try {
        assert.equal(await stuck.healthy(8_000), false, 'daprd got an identity without the trust domain')
        assert.match(stuck.logs(), /Fetching initial identity/)
      } finally {
        stuck.stop()
      }
    } finally {
      await sentry.stop()
    }
  })
})
