// Builds dist/ with esbuild as CommonJS bundles that src/loader.ts runs with a V8 code cache written beside each:
// compiling oclif and the Kubernetes client, and Node's handling of dozens of small ES modules, were most of a
// command's start, and Node 20 can reuse compiled code only for scripts it is handed through vm.Script.
//   dist/vendor/<name>.cjs       one large dependency each (oclif, the Kubernetes client, x509, yaml, ...), keeping
//                                only the names our code imports (the Kubernetes client halves)
//   dist/app/<entry>.cjs         our code, one bundle per command, hook, help class and the package entry; a
//                                dependency is reached through the loader, so every bundle of a process shares one
//                                instance of it, and parts behind dynamic imports (the Kubernetes adapter, Helm) run
//                                only when imported
//   dist/commands/**.js, ...     small ES modules at the paths oclif knows, each loading its bundle
//   dist/loader.js               the loader (src/loader.ts)
// Type checking is tsc's job (`tsc --noEmit` runs first in `npm run build`).
import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {build} from 'esbuild'
import ts from 'typescript'
// @peculiar/x509 refuses to load without a Reflect polyfill, here as in the CLI (src/lib/x509.ts).
import 'reflect-metadata'

const root = path.resolve(import.meta.dirname, '..')
const dist = path.join(root, 'dist')
const requireFromRoot = createRequire(path.join(root, 'package.json'))

/** The dependencies bundled on their own, by the name of their file in dist/vendor. */
const vendors = {
  'reflect-metadata': 'reflect-metadata',
  oclif: '@oclif/core',
  'client-node': '@kubernetes/client-node',
  x509: '@peculiar/x509',
  yaml: 'yaml',
  inquirer: 'inquirer',
  execa: 'execa',
  'cli-table3': 'cli-table3',
}

rmSync(dist, {recursive: true, force: true})
mkdirSync(path.join(dist, 'vendor'), {recursive: true})

/** What every CommonJS bundle of dist/ is built with. */
const commonJsBundle = {bundle: true, format: 'cjs', platform: 'node', target: 'node20', minify: true, sourcemap: true}

const isIdentifier = (name) => /^[A-Za-z_$][\w$]*$/.test(name)

/**
 * V8 forgets a script's dynamic-import callback when the script is read from a code cache, so every `import(x)` of
 * a computed specifier in a dependency becomes `__vendorImport(x)`, a function src/loader.ts hands the bundle. The
 * calls are found by parsing, so a string or a method named import is left alone.
 */
const rewriteDynamicImports = {
  name: 'rewrite-dynamic-imports',
  setup(esbuild) {
    esbuild.onLoad({filter: /node_modules.*\.[cm]?js$/}, (args) => {
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import(')) return undefined
      const file = ts.createSourceFile(args.path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS)
      const starts = []
      const visit = (node) => {
        // import('a-package') is bundled by esbuild; only a computed specifier (a file URL) is left to Node.
        const computed = (argument) => argument !== undefined && !ts.isStringLiteralLike(argument)
        if (
          ts.isCallExpression(node) &&
          node.expression.kind === ts.SyntaxKind.ImportKeyword &&
          computed(node.arguments[0])
        ) {
          starts.push(node.expression.getStart(file))
        }
        ts.forEachChild(node, visit)
      }
      visit(file)
      if (starts.length === 0) return undefined
      let contents = text
      for (const start of starts.reverse()) {
        contents = `${contents.slice(0, start)}__vendorImport${contents.slice(start + 'import'.length)}`
      }
      return {contents, loader: 'js'}
    })
  },
}

/** Every source file under src. */
function sourceFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(file)
    return entry.name.endsWith('.ts') ? [file] : []
  })
}

/**
 * The names our code imports from each vendored package ('*' for a namespace or dynamic import), so a bundle keeps
 * only what is used: the whole Kubernetes client is twice the part we call.
 */
function importedNames() {
  const used = new Map(Object.values(vendors).map((pkg) => [pkg, new Set()]))
  const named = (elements, names) => {
    for (const element of elements) if (!element.isTypeOnly) names.add((element.propertyName ?? element.name).text)
  }
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const visit = (node) => {
      const specifier =
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
          ? node.moduleSpecifier.text
          : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
            ? node.arguments[0]?.text
            : undefined
      const names = used.get(specifier)
      if (names !== undefined) {
        if (ts.isCallExpression(node)) names.add('*')
        else if (ts.isImportDeclaration(node)) {
          const clause = node.importClause
          const bindings = clause?.namedBindings
          if (clause === undefined || (bindings && ts.isNamespaceImport(bindings))) names.add('*')
          else if (!clause.isTypeOnly) {
            if (clause.name) names.add('default')
            if (bindings && ts.isNamedImports(bindings)) named(bindings.elements, names)
          }
        } else if (!node.isTypeOnly) {
          const clause = node.exportClause
          if (clause === undefined || !ts.isNamedExports(clause)) names.add('*')
          else named(clause.elements, names)
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return used
}

/**
 * One dependency as a CommonJS bundle, and what our code sees of it: the names it imports, and a default export that
 * is what Node gives `import x from pkg` (module.exports for a CommonJS package, the default export of an ES one).
 */
async function buildVendor(name, pkg, used) {
  const namespace = await import(pkg)
  let commonJs = false
  try {
    commonJs = requireFromRoot(pkg) === namespace.default
  } catch {
    // An ES module Node cannot require.
  }
  const all = used.has('*')
  const names = Object.keys(namespace).filter((key) => key !== 'default' && isIdentifier(key) && (all || used.has(key)))
  for (const key of used) {
    if (key !== '*' && !(key in namespace)) throw new Error(`${pkg} has no export ${key}`)
  }
  const hasDefault = 'default' in namespace && (all || used.has('default'))
  // A package that also ships an ES build for bundlers ("module") is bundled from it when we take only named exports:
  // the same code, which esbuild can trim to what we use (@peculiar/x509: 351 KB and ~50 ms to load, then 216 KB).
  const manifest = JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8'))
  const esBuild = !hasDefault && !all && manifest.module !== undefined
  await build({
    absWorkingDir: root,
    mainFields: esBuild ? ['module', 'main'] : ['main', 'module'],
    stdin:
      commonJs && !esBuild
        ? {contents: `module.exports = require('${pkg}')`, resolveDir: root, sourcefile: `vendor-${name}.cjs`}
        : {
            contents: [
              `export {${names.join(', ')}} from '${pkg}'`,
              hasDefault ? `export {default} from '${pkg}'` : '',
            ].join('\n'),
            resolveDir: root,
            sourcefile: `vendor-${name}.mjs`,
          },
    outfile: path.join(dist, 'vendor', `${name}.cjs`),
    ...commonJsBundle,
    sourcesContent: false,
    // oclif reads TypeScript only to run a plugin from its sources, which an installed CLI never does.
    external: ['typescript'],
    plugins: [rewriteDynamicImports],
    logLevel: 'error',
  })
  // The module our bundles import in place of the package (see vendorImports).
  return [
    `const bundle = __vendor(${JSON.stringify(name)})`,
    hasDefault ? `export default ${commonJs ? 'bundle' : 'bundle.default'}` : '',
    names.length > 0 ? `export const {${names.join(', ')}} = bundle` : '',
  ].join('\n')
}

const used = importedNames()
const facades = new Map(
  await Promise.all(
    Object.entries(vendors).map(async ([name, pkg]) => [pkg, await buildVendor(name, pkg, used.get(pkg))]),
  ),
)

/** Our imports of a vendored package become a module that takes its exports from the loader's bundle of it. */
const vendorImports = {
  name: 'vendor-imports',
  setup(esbuild) {
    esbuild.onResolve({filter: /^[@a-z]/}, (args) =>
      facades.has(args.path) ? {path: args.path, namespace: 'vendor'} : undefined,
    )
    esbuild.onLoad({filter: /.*/, namespace: 'vendor'}, (args) => ({
      contents: facades.get(args.path),
      loader: 'js',
    }))
  },
}

const entryPoints = [
  path.join(root, 'src', 'index.ts'),
  path.join(root, 'src', 'help.ts'),
  ...sourceFiles(path.join(root, 'src', 'commands')),
  ...sourceFiles(path.join(root, 'src', 'hooks')),
]
await build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'src',
  outdir: 'dist/app',
  outExtension: {'.js': '.cjs'},
  ...commonJsBundle,
  plugins: [vendorImports],
  logLevel: 'warning',
})

await build({
  absWorkingDir: root,
  entryPoints: ['src/loader.ts'],
  outdir: dist,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
})

// The ES modules at the paths oclif and bin/run.js know, each exporting what its bundle exports.
const {loadBundle} = await import(pathToFileURL(path.join(dist, 'loader.js')).href)
const bundles = []
for (const entry of entryPoints) {
  const id = path.relative(path.join(root, 'src'), entry).replace(/\.ts$/, '')
  bundles.push(`app/${id}`)
  const keys = Object.keys(loadBundle(`app/${id}`))
  const exported = keys.filter((key) => key !== 'default' && isIdentifier(key))
  const loader = path.relative(path.dirname(path.join(dist, id)), path.join(dist, 'loader.js'))
  mkdirSync(path.dirname(path.join(dist, `${id}.js`)), {recursive: true})
  writeFileSync(
    path.join(dist, `${id}.js`),
    [
      `import {loadBundle} from '${loader.startsWith('.') ? loader : `./${loader}`}'`,
      `const bundle = loadBundle('app/${id}')`,
      keys.includes('default') ? 'export default bundle.default' : '',
      exported.length > 0 ? `export const {${exported.join(', ')}} = bundle` : '',
      '',
    ].join('\n'),
  )
}

// The code caches: written by this Node, used by the same Node version, ignored by any other.
const scripts = [...Object.keys(vendors).map((name) => `vendor/${name}`), ...bundles]
execFileSync(process.execPath, [path.join(root, 'scripts', 'code-cache.mjs'), JSON.stringify(scripts)], {
  stdio: 'inherit',
})
