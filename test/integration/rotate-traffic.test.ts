// Zero-downtime root rotation proven with real traffic (self-hosted, real Dapr 1.18.0): real Sentry on a directory
// made by `dapr init`, two real daprd (a calls b, b fronts a small app), a request loop calling a → b throughout.
// `dapr mtls rotate` runs phase by phase; the daprd processes are restarted one at a time, each from the anchors
// `dapr mtls env` gives, as the tool instructs; the TTL is waited out where the tool says. No request may fail with a
// TLS, handshake or certificate error at any point, in every mixed state. The negative control runs the same set-up
// through a plain fresh-root `renew-certificate` and shows the certificate failures such a renewal causes.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {startApp, type TestApp} from '../dapr/app.js'
import {type DaprdProcess, startDaprd} from '../dapr/daprd.js'
import {type SentryProcess, startSentry} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'

const runJs = path.resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')
/** Workload certificates live 30 s; sidecars renew halfway through (TTL − skew) / 2 = 12.5 s after issue. */
const ttlSeconds = 30
const skewSeconds = 5
const certificateFailure = /x509|certificate|handshake|tls|authentication|unknown authority/i

interface Traffic {
  ok: number
  /** Failures that name a certificate or the handshake: what a rotation must never cause. */
  certificateFailures: string[]
  /** Other failures: the moments a daprd is restarting (connection refused, no instance). */
  otherFailures: number
  stop(): Promise<void>
}

describe('zero-downtime root rotation with real traffic (self-hosted, Dapr 1.18.0)', function () {
  this.timeout(600_000)
  let dir: string
  let certs: string
  let config: string
  let sentry: SentryProcess
  let app: TestApp
  const daprds = new Map<'a' | 'b', DaprdProcess>()

  const cli = (args: string[]) => dapr(args, {env: {HOME: dir}})
  /** What `eval "$(dapr mtls env)"` puts in DAPR_TRUST_ANCHORS, taken from a shell that evaluated it. */
  const anchorsFromEnv = () =>
    execFileSync('bash', [
      '-c',
      `eval "$(node '${runJs}' mtls env --certs-dir '${certs}')" && printf '%s' "$DAPR_TRUST_ANCHORS"`,
    ]).toString()

  async function start(appId: 'a' | 'b'): Promise<DaprdProcess> {
    const daprd = await startDaprd({
      appId,
      sentryAddress: sentry.address,
      trustAnchors: anchorsFromEnv(),
      ...(appId === 'b' ? {appPort: app.port} : {}),
    })
    await daprd.ready()
    daprds.set(appId, daprd)
    return daprd
  }

  /** Stops one daprd and starts it again with the anchors the tool gives now. */
  async function restart(appId: 'a' | 'b'): Promise<void> {
    await daprds.get(appId)?.stop()
    await start(appId)
  }

  /** a → b every 100 ms until stopped, through whichever a is running. */
  function traffic(): Traffic {
    const result: Traffic = {ok: 0, certificateFailures: [], otherFailures: 0, stop: () => Promise.resolve()}
    let running = true
    const loop = (async () => {
      while (running) {
        const caller: DaprdProcess | undefined = daprds.get('a')
        try {
          const response: {status: number; body: string} | undefined = caller
            ? await caller.invoke('b', 'hello', {signal: AbortSignal.timeout(5_000)})
            : undefined
          if (response?.status === 200) result.ok++
          else if (response && certificateFailure.test(response.body)) result.certificateFailures.push(response.body)
          else result.otherFailures++
        } catch {
          result.otherFailures++
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    result.stop = async () => {
      running = false
      await loop
    }
    return result
  }

  /** A burst of calls that must all succeed: the mixed state at hand works. */
  async function probe(what: string): Promise<void> {
    const caller: DaprdProcess | undefined = daprds.get('a')
    assert.ok(caller)
    for (let i = 0; i < 10; i++) {
      const response: {status: number; body: string} = await caller.invoke('b', 'hello')
      assert.equal(response.status, 200, `${what}: ${response.body}`)
    }
  }

  /** Sentry reloads the directory by itself; wait until it has taken the new files. */
  async function sentryReloaded(count: number): Promise<void> {
    const deadline = Date.now() + 30_000
    while ((sentry.logs().match(/Issuer credentials changed; reloading/g) ?? []).length < count) {
      assert.ok(Date.now() < deadline, 'Sentry did not reload the new bundle')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await sentry.ready()
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-rotate-traffic-'))
    certs = path.join(dir, 'certs')
    config = path.join(dir, 'config.yaml')
    const init = await cli(['init', '--enable-mtls', '--certs-dir', certs, '--config-file', config])
    assert.equal(init.exitCode, 0, init.stderr)
    // Short-lived workload certificates, so the test can wait them out; the skew shorter than the TTL, or every
    // sidecar would renew in a tight loop.
    writeFileSync(
      config,
      `apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprsystem\nspec:\n  mtls:\n    enabled: true\n    workloadCertTTL: ${ttlSeconds}s\n    allowedClockSkew: ${skewSeconds}s\n`,
    )
    sentry = await startSentry({version: '1.18.0', credentialsDir: certs, configFile: config})
    await sentry.ready()
    app = await startApp()
    await start('b')
    await start('a')
  })

  afterEach(async () => {
    for (const daprd of daprds.values()) await daprd.stop()
    daprds.clear()
    await app.stop()
    await sentry.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  it('rotates the root phase by phase with no certificate failure, in every mixed state', async () => {
    await probe('before the rotation')
    const loop = traffic()
    try {
      // add-root: both roots in ca.crt, the issuer unchanged; daprd restarted one at a time as the tool says.
      const added = await cli(['mtls', 'rotate', '--phase', 'add-root', '--certs-dir', certs, '--config-file', config])
      assert.equal(added.exitCode, 0, added.stderr)
      assert.match(added.stderr, /restart each daprd process from that shell, one at a time/)
      await sentryReloaded(1)
      await probe('add-root written, no daprd restarted')
      await restart('b')
      await probe('add-root: callee restarted, caller not')
      await restart('a')
      await probe('add-root: both restarted')

      // switch-issuer: allowed now that both daprd trust the new root (the tool reads their environment).
      const status = await cli([
        'mtls',
        'rotate',
        '--status',
        '--certs-dir',
        certs,
        '--config-file',
        config,
        '-o',
        'json',
      ])
      assert.deepEqual((JSON.parse(status.stdout) as {blockers: unknown[]}).blockers, [])
      const switched = await cli([
        'mtls',
        'rotate',
        '--phase',
        'switch-issuer',
        '--certs-dir',
        certs,
        '--config-file',
        config,
      ])
      assert.equal(switched.exitCode, 0, switched.stderr)
      await sentryReloaded(2)
      await probe('switch-issuer written')
      // Wait out the window the tool names, while sidecars renew from the new issuer at their own pace.
      const earliest = /Prune the old roots after (\S+):/.exec(switched.stderr)?.[1]
      assert.ok(earliest, switched.stderr)
      const early = await cli(['mtls', 'rotate', '--phase', 'prune', '--certs-dir', certs, '--config-file', config])
      assert.equal(early.exitCode, 1, 'prune before the window must be refused')
      assert.match(early.stderr, /can be pruned only after/)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, new Date(earliest).getTime() - Date.now()) + 1000))
      await probe('after the window')

      // prune: only the new root; daprd restarted one at a time again.
      const pruned = await cli(['mtls', 'rotate', '--phase', 'prune', '--certs-dir', certs, '--config-file', config])
      assert.equal(pruned.exitCode, 0, pruned.stderr)
      await sentryReloaded(3)
      await probe('prune written, no daprd restarted')
      await restart('a')
      await probe('prune: caller restarted, callee not')
      await restart('b')
      await probe('prune: both restarted')
    } finally {
      await loop.stop()
    }
    process.stderr.write(
      `      (traffic: ${loop.ok} calls succeeded, ${loop.otherFailures} failed while a daprd restarted, ${loop.certificateFailures.length} certificate failures)\n`,
    )
    assert.deepEqual(loop.certificateFailures, [])
    assert.ok(loop.ok > 100, `only ${loop.ok} calls succeeded`)
    const roots = readFileSync(path.join(certs, 'ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []
    assert.equal(roots.length, 1, 'one root left after prune')
  })

  it('negative control: a plain fresh-root renewal breaks calls in the mixed state', async () => {
    await probe('before the renewal')
    const renewed = await cli(['mtls', 'renew-certificate', '--certs-dir', certs])
    assert.equal(renewed.exitCode, 0, renewed.stderr)
    await sentryReloaded(1)
    // The callee restarts with the new root, as the renewal says; the caller still trusts only the old one.
    await restart('b')
    const caller = daprds.get('a')
    assert.ok(caller)
    const response = await caller.invoke('b', 'hello')
    assert.notEqual(response.status, 200, 'the mixed state after a plain renewal should not work')
    assert.match(response.body, certificateFailure)
  })
})
