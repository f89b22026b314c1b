// Runs the CommonJS bundles of dist/ (ours in dist/app, one per command; the large dependencies in dist/vendor) with
// the V8 code cache the build wrote beside each, so a command starts without parsing and compiling them again.
// Node 20 can use a code cache only for scripts compiled through vm.Script; a cache that does not fit this Node
// (another V8 version or flags) is rejected by V8 and the bundle is compiled as usual. scripts/build.mjs explains
// the layout.
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const distDir = path.dirname(fileURLToPath(import.meta.url))
const loaded = new Map<string, {exports: unknown; script: vm.Script; file: string}>()

/** The function a bundle is wrapped in: CommonJS's five arguments, and the two the build makes bundles use. */
type Wrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: {exports: unknown},
  filename: string,
  dirname: string,
  vendor: (name: string) => unknown,
  vendorImport: (specifier: string) => Promise<unknown>,
) => void

// V8 drops a script's dynamic-import callback when the script comes from a code cache, so the build rewrites the
// bundles' import() calls (oclif loads command files with it) into calls of this function.
const vendorImport = (specifier: string): Promise<unknown> => import(specifier)

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

function compileAndRun(id: string): {exports: unknown; script: vm.Script; file: string} {
  const file = path.join(distDir, `${id}.cjs`)
  const source = readFileSync(file, 'utf8')
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __vendor, __vendorImport) {${source}\n})`,
    {filename: file, cachedData: readCache(`${file}.cache`)},
  )
  const cjs = {exports: {} as unknown}
  const wrapper = script.runInThisContext() as Wrapper
  const dirname = path.dirname(file)
  wrapper.call(cjs.exports, cjs.exports, createRequire(file), cjs, file, dirname, loadVendor, vendorImport)
  return {exports: cjs.exports, script, file}
}

/** The exports of dist/<id>.cjs ('app/commands/status', 'vendor/oclif'), run once. */
export function loadBundle(id: string): Record<string, unknown> {
  let entry = loaded.get(id)
  if (entry === undefined) {
    entry = compileAndRun(id)
    loaded.set(id, entry)
  }
  return entry.exports as Record<string, unknown>
}

/** A dependency's bundle: what the code of our bundles gets in place of the package. */
function loadVendor(name: string): unknown {
  return loadBundle(`vendor/${name}`)
}

/**
 * Build step: writes the code cache of every bundle loaded so far beside it. Written after the build has run a few
 * commands in this process, the cache also holds the functions those commands compiled, not only the top level.
 */
export function writeCodeCaches(): Record<string, number> {
  const written: Record<string, number> = {}
  for (const [id, {script, file}] of loaded) {
    const data = script.createCachedData()
    writeFileSync(`${file}.cache`, data)
    written[id] = data.length
  }
  return written
}
