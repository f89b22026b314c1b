// Ctrl-C during the two trust-bundle writes is held, not obeyed, and reported afterwards.
import assert from 'node:assert/strict'

import {holdInterrupts} from '../../src/lib/interrupts.js'

describe('holding interrupts', () => {
  it('holds one Ctrl-C until released and reports that it came', () => {
    const written: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = (chunk: string) => written.push(chunk) > 0
    try {
      const guard = holdInterrupts({held: 'finishing the write first', abandoned: 'stopped'})
      process.emit('SIGINT', 'SIGINT')
      assert.equal(guard.release(), true)
      assert.deepEqual(written, ['finishing the write first\n'])
      assert.equal(process.listenerCount('SIGINT'), 0)
    } finally {
      process.stderr.write = write
    }
  })

  it('reports no interrupt when none came', () => {
    assert.equal(holdInterrupts({held: '', abandoned: ''}).release(), false)
  })
})
