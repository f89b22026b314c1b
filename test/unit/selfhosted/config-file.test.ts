// Setting spec.mtls.enabled in the Configuration file: worked out before anything is written, and a file it cannot
// edit is one clean line naming the file.
import assert from 'node:assert/strict'

import {UserError} from '../../../src/lib/errors.js'
import {mtlsConfigEdit} from '../../../src/lib/selfhosted/config-file.js'

describe('the Configuration file edit', () => {
  it('creates a file with mTLS on when there is none', () => {
    const edit = mtlsConfigEdit('/c.yaml', undefined, true)
    assert.equal(edit.change, 'created')
    assert.match(edit.text, /mtls:\n\s+enabled: true/)
  })

  it('keeps comments and other settings, and leaves a file that already says so unchanged', () => {
    const edit = mtlsConfigEdit('/c.yaml', '# mine\nspec:\n  tracing: {samplingRate: "1"} # keep\n', true)
    assert.equal(edit.change, 'updated')
    assert.match(edit.text, /# mine/)
    assert.match(edit.text, /# keep/)
    assert.equal(mtlsConfigEdit('/c.yaml', edit.text, true).change, 'unchanged')
  })

  for (const [name, text] of [
    ['unparsable YAML', 'spec: [\n'],
    ['a spec that is a string', 'spec: foo\n'],
    ['a spec that is a list', 'spec: []\n'],
    ['a document that is not a mapping', '- a\n'],
  ]) {
    it(`refuses ${name} with one line naming the file`, () => {
      assert.throws(
        () => mtlsConfigEdit('/home/me/.dapr/config.yaml', text ?? '', true),
        (error: unknown) => {
          assert.ok(error instanceof UserError)
          assert.match(error.message, /^\/home\/me\/\.dapr\/config\.yaml is not a Dapr Configuration: \S/)
          assert.doesNotMatch(error.message, /\n/)
          assert.match(error.hint ?? '', /nothing was changed/)
          return true
        },
      )
    })
  }
})
