// The self-hosted Configuration file as a settings target: read with Dapr's defaults, edited in place with comments
// and other settings kept, and never written over a change made since it was read or when it is not a Configuration.
import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {parse} from 'yaml'

import {configFileTarget, readSentrySettings} from '../../../src/lib/selfhosted/sentry-config.js'

const commented = `# written by hand
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: daprConfig
spec:
  tracing:
    samplingRate: "1" # keep me
  mtls:
    enabled: true
    allowedClockSkew: 15m # skew
`

describe('self-hosted Sentry Configuration file', () => {
  let dir: string
  let file: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-sentry-config-'))
    file = path.join(dir, 'config.yaml')
  })
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('reads the settings with Dapr defaults for what is unset', async () => {
    writeFileSync(file, commented)
    assert.deepEqual(await readSentrySettings(file), {
      mtlsEnabled: true,
      workloadCertTTL: '24h',
      allowedClockSkew: '15m',
      tokenValidators: [],
    })
  })

  it('edits spec.mtls in place: comments, other settings and the file mode kept, a .bak copy beside it', async () => {
    writeFileSync(file, commented, {mode: 0o640})
    const target = configFileTarget(file)
    await target.read()
    const validators = [{name: 'jwks', options: {source: '{"keys":[{"kid":"k","kty":"OKP","crv":"Ed25519","x":"x"}]}'}}]
    await target.write({workloadCertTTL: '2m', tokenValidators: validators, allowedClockSkew: null})
    const text = readFileSync(file, 'utf8')
    assert.match(text, /^# written by hand\n/)
    assert.match(text, /samplingRate: "1" # keep me/)
    assert.deepEqual((parse(text) as {spec: unknown}).spec, {
      tracing: {samplingRate: '1'},
      mtls: {enabled: true, workloadCertTTL: '2m', tokenValidators: validators},
    })
    assert.equal(statSync(file).mode & 0o777, 0o640)
    assert.deepEqual(
      readdirSync(dir)
        .filter((name) => name.endsWith('.bak'))
        .map((name) => readFileSync(path.join(dir, name), 'utf8')),
      [commented],
    )
  })

  it('refuses to write over a change made since it was read', async () => {
    writeFileSync(file, commented)
    const target = configFileTarget(file)
    await target.read()
    writeFileSync(file, `${commented}# someone else\n`)
    await assert.rejects(target.write({workloadCertTTL: '2m'}), /changed while this command ran; nothing was written/)
    assert.equal(readFileSync(file, 'utf8'), `${commented}# someone else\n`)
  })

  for (const [text, problem] of [
    ['kind: Component\nspec: {}\n', /it is a Component, not a Configuration/],
    ['- a\n- b\n', /it holds a list, not a mapping/],
    ['spec: [\n', /it is not valid YAML/],
  ] as const) {
    it(`refuses a file that is not a Configuration (${JSON.stringify(text)}) in one line`, async () => {
      writeFileSync(file, text)
      await assert.rejects(
        configFileTarget(file).read(),
        (error: Error) => problem.test(error.message) && !error.message.includes('\n'),
      )
    })
  }

  it('refuses a spec with no room for mtls without writing', async () => {
    writeFileSync(file, 'kind: Configuration\nspec: foo\n')
    const target = configFileTarget(file)
    await target.read()
    await assert.rejects(target.write({workloadCertTTL: '2m'}), /cannot set spec.mtls.workloadCertTTL/)
    assert.equal(readFileSync(file, 'utf8'), 'kind: Configuration\nspec: foo\n')
  })

  it('a missing file points at dapr init, --config-file and -k', async () => {
    await assert.rejects(
      readSentrySettings(file),
      (error: Error & {hint?: string}) =>
        /^cannot read .*config\.yaml \(--config-file\): no such file or directory$/.test(error.message) &&
        /dapr init --enable-mtls.*--config-file.*-k/.test(error.hint ?? ''),
    )
  })
})
