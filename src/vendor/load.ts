// Loads a bundled dependency (dist/vendor/<name>.cjs, one CommonJS file per package) with the V8 code cache written
// beside it at build time, so a command starts without parsing and compiling oclif or the Kubernetes client again.
// Node 20 can use a code cache only for scripts compiled through vm.Script; a cache that does not fit this Node
// (another V8 version or flags) is rejected by V8 and the file is compiled as usual.
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const vendorDir = path.dirname(fileURLToPath(import.meta.url))
const loaded = new Map<string, {exports: unknown; script: vm.Script}>()

type Wrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: {exports: unknown},
  filename: string,
  dirname: string,
  vendorImport: (specifier: string) => Promise<unknown>,
) => void

// V8 drops a script's dynamic-import callback when the script comes from a code cache, so the build rewrites the
// bundles' import() calls (oclif loads command files with it) into calls of this function (scripts/build.mjs).
const vendorImport = (specifier: string): Promise<unknown> => import(specifier)

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

function compileAndRun(name: string): {exports: unknown; script: vm.Script} {
  const file = path.join(vendorDir, `${name}.cjs`)
  const source = readFileSync(file, 'utf8')
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __vendorImport) {${source}\n})`,
    {filename: file, cachedData: readCache(`${file}.cache`)},
  )
  const cjs = {exports: {} as unknown}
  const wrapper = script.runInThisContext() as Wrapper
  wrapper.call(cjs.exports, cjs.exports, createRequire(file), cjs, file, vendorDir, vendorImport)
  return {exports: cjs.exports, script}
}

/** The exports of dist/vendor/<name>.cjs, loaded once. */
export function loadVendor(name: string): unknown {
  let entry = loaded.get(name)
  if (entry === undefined) {
    entry = compileAndRun(name)
    loaded.set(name, entry)
  }
  return entry.exports
}

/**
 * Build step: writes the code cache of every bundle loaded so far beside it. Written after the build has run a few
 * commands in this process, the cache also holds the functions those commands compiled, not only the top level.
 */
export function writeCodeCaches(): Record<string, number> {
  const written: Record<string, number> = {}
  for (const [name, {script}] of loaded) {
    const data = script.createCachedData()
    writeFileSync(path.join(vendorDir, `${name}.cjs.cache`), data)
    written[name] = data.length
  }
  return written
}
