// Self-hosted OAuth files: the handler added to a Configuration file with its comments kept, and the refusals that
// keep a bad run from writing anything.
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {UserError} from '../../../src/lib/errors.js'
import {configWithHandler, planSelfHosted} from '../../../src/lib/oauth2/files.js'
import {clientCredentialsSpec} from './flags.fixture.js'

const handler = {name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'}
const spec = clientCredentialsSpec

describe('oauth2 self-hosted files', () => {
  it('adds the handler to a Configuration file, keeping comments and the other settings', () => {
    const text = '# mine\nkind: Configuration\nspec:\n  tracing:\n    samplingRate: "1" # on\n'
    const edit = configWithHandler('config.yaml', text, handler)
    assert.equal(edit.change, 'updated')
    assert.match(edit.text, /^# mine\n/)
    assert.match(edit.text, /samplingRate: "1" # on/)
    assert.match(
      edit.text,
      /httpPipeline:\n {4}handlers:\n {6}- name: orders-oauth\n {8}type: middleware\.http\.oauth2clientcredentials/,
    )
  })

  it('appends to an existing pipeline, and changes nothing the second time', () => {
    const text = 'spec:\n  httpPipeline:\n    handlers:\n      - name: upper\n        type: middleware.http.uppercase\n'
    const once = configWithHandler('config.yaml', text, handler)
    assert.match(once.text, /- name: upper[\s\S]*- name: orders-oauth/)
    assert.equal(configWithHandler('config.yaml', once.text, handler).change, 'unchanged')
  })

  it('creates a Configuration file with the pipeline when there is none', () => {
    const edit = configWithHandler('config.yaml', undefined, handler)
    assert.equal(edit.change, 'created')
    assert.match(edit.text, /kind: Configuration/)
  })

  it('refuses a file that is not a YAML mapping, or whose handlers is not a list', () => {
    for (const text of ['- a\n- b\n', 'spec: [\n', 'spec:\n  httpPipeline:\n    handlers: oops\n']) {
      assert.throws(() => configWithHandler('config.yaml', text, handler), UserError, text)
    }
  })

  describe('planning on disk', () => {
    let dir: string
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'dapr-oauth-files-'))
    })
    afterEach(async () => {
      await rm(dir, {recursive: true, force: true})
    })

    const options = (overrides: Record<string, unknown> = {}) => ({
      resourcesPath: path.join(dir, 'components'),
      configFile: path.join(dir, 'config.yaml'),
      secretsFile: path.join(dir, 'secrets', 'orders-oauth.json'),
      clientSecret: 's3cret',
      plaintext: false,
      ...overrides,
    })

    it('plans the secrets file 0600, the store and the Component without the secret, then the Configuration', async () => {
      const plan = await planSelfHosted(spec, options())
      assert.deepEqual(
        plan.writes.map((w) => [path.relative(dir, w.file), w.mode.toString(8), w.text.includes('s3cret')]),
        [
          ['secrets/orders-oauth.json', '600', true],
          ['components/orders-oauth-secrets.yaml', '644', false],
          ['components/orders-oauth.yaml', '644', false],
          ['config.yaml', '644', false],
        ],
      )
    })

    it('refuses a secrets file inside the resources path, and a component name another file already defines', async () => {
      await assert.rejects(
        planSelfHosted(spec, options({secretsFile: path.join(dir, 'components', 's.json')})),
        /is inside the resources path/,
      )
      const resources = path.join(dir, 'components')
      await mkdir(resources)
      await writeFile(path.join(resources, 'other.yaml'), 'kind: Component\nmetadata:\n  name: orders-oauth\n')
      await assert.rejects(
        planSelfHosted(spec, options()),
        /other\.yaml already defines a component named orders-oauth/,
      )
      assert.deepEqual(await readdir(dir), ['components'], 'planning writes nothing')
      assert.deepEqual(await readdir(resources), ['other.yaml'])
    })

    it('with plaintext the secret sits in the Component, mode 0600, with a warning', async () => {
      const plan = await planSelfHosted(spec, options({plaintext: true}))
      assert.deepEqual(
        plan.writes.map((w) => [path.basename(w.file), w.mode.toString(8)]),
        [
          ['orders-oauth.yaml', '600'],
          ['config.yaml', '644'],
        ],
      )
      assert.match(plan.warnings[0] ?? '', /plain text/)
    })
  })
})
