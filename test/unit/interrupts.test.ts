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

describe('a held interrupt that stops a long wait', () => {
  it('calls onHeld at the first Ctrl-C, so a wait can end early', () => {
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = () => true
    try {
      const controller = new AbortController()
      const guard = holdInterrupts({
        held: 'stopping',
        onHeld: () => {
          controller.abort()
        },
      })
      assert.equal(controller.signal.aborted, false)
      process.emit('SIGINT', 'SIGINT')
      assert.equal(controller.signal.aborted, true)
      assert.equal(guard.release(), true)
    } finally {
      process.stderr.write = write
    }
  })
})
