// What one test starts (Sentry, daprd, apps, proxies) and its scratch directory: the processes are stopped after the
// test in reverse order and the directory removed, whether the test passed or not. Call inside a describe.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

export interface Stoppable {
  stop(): Promise<void>
}

export function perTest(prefix: string): {work: () => string; track: <T extends Stoppable>(thing: T) => T} {
  let dir: string | undefined
  const started: Stoppable[] = []
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix))
  })
  afterEach(async () => {
    for (const thing of started.splice(0).reverse()) await thing.stop()
    if (dir !== undefined) await rm(dir, {recursive: true, force: true})
    dir = undefined
  })
  return {
    work: () => {
      if (dir === undefined) throw new Error('the scratch directory exists only while a test runs')
      return dir
    },
    track: (thing) => {
      started.push(thing)
      return thing
    },
  }
}
