// Tokens the CLI makes, used by a real daprd 1.18.0: with DAPR_API_TOKEN daprd refuses its API without the
// dapr-api-token header (401) and answers with it (200); with APP_API_TOKEN the app behind daprd receives the token.
// The tokens come from the CLI as a user gets them: `api-token create -k --show` (the cluster Secret),
// `app-token generate` through eval, and `api-token generate --out` (an env file).
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {execa} from 'execa'

import {startApp} from '../dapr/app.js'
import {type DaprdProcess, startDaprd} from '../dapr/daprd.js'
import {startSentry} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'
import {Started} from '../helpers/started.js'
import {adminKubeconfig, clients, deleteNamespaces, ensureNamespace} from './context.js'

describe('tokens used by real daprd', function () {
  this.timeout(180_000)
  let work: string
  let sentryAddress: string
  let trustAnchors: string
  const started = new Started()
  const track = <T extends {stop(): Promise<void>}>(thing: T): T => started.track(thing)

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'dapr-tokens-'))
    const certs = path.join(work, 'certs')
    const init = await dapr(
      ['init', '--enable-mtls', '--certs-dir', certs, '--config-file', path.join(work, 'config.yaml')],
      {env: {HOME: work}},
    )
    assert.equal(init.exitCode, 0, init.stderr)
    const sentry = await startSentry({version: '1.18.0', credentialsDir: certs})
    started.track(sentry)
    await sentry.ready()
    sentryAddress = sentry.address
    trustAnchors = await readFile(path.join(certs, 'ca.crt'), 'utf8')
  })

  afterEach(async () => {
    // Everything but Sentry (the first one) is per test.
    await started.stop(1)
  })

  after(async () => {
    await started.stop()
    await deleteNamespaces(['token-proof'])
    await rm(work, {recursive: true, force: true})
  })

  async function daprd(appId: string, env: Record<string, string>, appPort?: number): Promise<DaprdProcess> {
    const process = track(
      await startDaprd({
        appId,
        sentryAddress,
        trustAnchors,
        nameResolutionFile: path.join(work, 'names.db'),
        env,
        ...(appPort === undefined ? {} : {appPort}),
      }),
    )
    await process.ready()
    return process
  }

  async function metadataStatus(process: DaprdProcess, token?: string): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${process.httpPort}/v1.0/metadata`, {
      headers: token === undefined ? {} : {'dapr-api-token': token},
    })
    return response.status
  }

  it('DAPR_API_TOKEN from `api-token create -k --show`: /v1.0/metadata answers 401 without the header or with another token, 200 with it', async () => {
    await ensureNamespace('token-proof')
    const created = await dapr(
      ['api-token', 'create', '-k', '--app-namespace', 'token-proof', '--show', '--kubeconfig', adminKubeconfig()],
      {env: {HOME: work}},
    )
    assert.equal(created.exitCode, 0, created.stderr)
    const [namespace, token] = created.stdout.trim().split(' ')
    assert.equal(namespace, 'token-proof')
    const secret = await clients().core.readNamespacedSecret({name: 'dapr-api-token', namespace: 'token-proof'})
    assert.equal(Buffer.from(secret.data?.token ?? '', 'base64').toString(), token)
    assert.equal(Buffer.from(token ?? '', 'base64').length, 32)

    const guarded = await daprd('guarded', {DAPR_API_TOKEN: token ?? ''})
    assert.equal(await metadataStatus(guarded), 401)
    assert.equal(await metadataStatus(guarded, `${token ?? ''}x`), 401)
    assert.equal(await metadataStatus(guarded, token), 200)
  })

  it('negative control: a daprd started without DAPR_API_TOKEN answers /v1.0/metadata without any header', async () => {
    const open = await daprd('open', {})
    assert.equal(await metadataStatus(open), 200)
  })

  it('DAPR_API_TOKEN from an `api-token generate --out` env file (mode 0600) guards the API the same way', async () => {
    const envFile = path.join(work, 'dapr-api-token.env')
    const result = await dapr(['api-token', 'generate', '--out', envFile], {env: {HOME: work}})
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(result.stdout, '')
    assert.equal((await stat(envFile)).mode & 0o777, 0o600)
    const [name, token] = (await readFile(envFile, 'utf8')).trim().split(/=(.*)/s)
    assert.equal(name, 'DAPR_API_TOKEN')
    assert.ok(!result.stderr.includes(token ?? ''), 'the token is not printed')
    const guarded = await daprd('from-file', {DAPR_API_TOKEN: token ?? ''})
    assert.equal(await metadataStatus(guarded), 401)
    assert.equal(await metadataStatus(guarded, token), 200)
  })

  it('APP_API_TOKEN from `eval "$(dapr app-token generate)"`: the app receives dapr-api-token: <token> on an invocation; without it, no such header', async () => {
    const runJs = path.resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')
    const shell = await execa(
      'bash',
      ['-c', `eval "$(node ${runJs} app-token generate)" && printf %s "$APP_API_TOKEN"`],
      {
        env: {HOME: work, NO_COLOR: '1'},
      },
    )
    const token = shell.stdout
    assert.equal(Buffer.from(token, 'base64').length, 32)
    const app = track(await startApp())
    const withToken = await daprd('checked', {APP_API_TOKEN: token}, app.port)
    const without = await daprd('unchecked', {}, app.port)
    assert.equal((await withToken.invoke('checked', 'with-token')).status, 200)
    assert.equal((await without.invoke('unchecked', 'without-token')).status, 200)
    const header = (url: string) => app.requests.find((r) => r.url === url)?.headers['dapr-api-token']
    assert.equal(header('/with-token'), token)
    assert.ok(app.requests.some((r) => r.url === '/without-token'))
    assert.equal(header('/without-token'), undefined)
  })
})
