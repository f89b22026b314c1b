// Builds dist/ with esbuild. Our code: one file per command plus shared chunks (ES modules), so a command loads a
// handful of files instead of thousands. Each large dependency: one CommonJS file in dist/vendor with a V8 code cache
// beside it (src/vendor/load.ts), because compiling oclif and the Kubernetes client (~53 MB of generated modules) was
// most of a command's start. Our code reaches a dependency through the package's `#vendor/<name>` import, a small ES
// module that re-exports the bundle, so every chunk shares one instance and heavy parts stay behind dynamic imports.
// Type checking is tsc's job (`tsc --noEmit` runs first in `npm run build`).
import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {build} from 'esbuild'
import ts from 'typescript'
// @peculiar/x509 refuses to load without a Reflect polyfill, here as in the CLI (src/lib/x509.ts).
import 'reflect-metadata'

const root = path.resolve(import.meta.dirname, '..')
const dist = path.join(root, 'dist')
const vendorDir = path.join(dist, 'vendor')

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
mkdirSync(vendorDir, {recursive: true})

// Bundled CommonJS dependencies expect require, __filename and __dirname, which ES modules do not have.
const esmBanner = [
  "import {createRequire as __createRequire} from 'node:module'",
  "import {fileURLToPath as __fileURLToPath} from 'node:url'",
  "import {dirname as __pathDirname} from 'node:path'",
  'const require = __createRequire(import.meta.url)',
  'const __filename = __fileURLToPath(import.meta.url)',
  'const __dirname = __pathDirname(__filename)',
].join(';')

const isIdentifier = (name) => /^[A-Za-z_$][\w$]*$/.test(name)

/**
 * V8 forgets a script's dynamic-import callback when the script is read from a code cache, so every `import(x)` of
 * a computed specifier in a dependency becomes `__vendorImport(x)`, a function src/vendor/load.ts hands the bundle. The calls are found by
 * parsing, so a string or a method named import is left alone.
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
          if (clause === undefined) names.add('*')
          else if (!clause.isTypeOnly) {
            if (clause.name) names.add('default')
            const bindings = clause.namedBindings
            if (bindings && ts.isNamespaceImport(bindings)) names.add('*')
            for (const element of bindings && ts.isNamedImports(bindings) ? bindings.elements : []) {
              if (!element.isTypeOnly) names.add((element.propertyName ?? element.name).text)
            }
          }
        } else if (!node.isTypeOnly) {
          const clause = node.exportClause
          if (clause === undefined || !ts.isNamedExports(clause)) names.add('*')
          else
            for (const element of clause.elements)
              if (!element.isTypeOnly) names.add((element.propertyName ?? element.name).text)
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return used
}

/** One dependency as a CommonJS bundle, and the ES module that gives its exports the names Node would give them. */
async function buildVendor(name, pkg, used) {
  // What `import * as ns from pkg` gives in Node is the contract the wrapper must keep.
  const namespace = await import(pkg)
  const all = used.has('*')
  const names = Object.keys(namespace).filter((key) => key !== 'default' && isIdentifier(key) && (all || used.has(key)))
  const hasDefault = 'default' in namespace && (all || used.has('default'))
  for (const key of used) {
    if (key !== '*' && !(key in namespace)) throw new Error(`${pkg} has no export ${key}`)
  }
  await build({
    absWorkingDir: root,
    stdin: {
      // An .mjs entry: esbuild then gives a CommonJS package's module.exports as its default export, as Node does.
      contents: [
        all ? `export * from '${pkg}'` : `export {${names.join(', ')}} from '${pkg}'`,
        hasDefault ? `export {default} from '${pkg}'` : '',
      ].join('\n'),
      resolveDir: root,
      sourcefile: `vendor-${name}.mjs`,
      loader: 'js',
    },
    outfile: path.join(vendorDir, `${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // oclif reads TypeScript only to run a plugin from its sources, which an installed CLI never does.
    external: ['typescript'],
    plugins: [rewriteDynamicImports],
    logLevel: 'error',
  })
  writeFileSync(
    path.join(vendorDir, `${name}.js`),
    [
      `// ${pkg}, loaded from ${name}.cjs with its code cache.`,
      "import {loadVendor} from './load.js'",
      `const bundle = loadVendor('${name}')`,
      ...(hasDefault ? ['export default bundle.default'] : []),
      ...(names.length > 0 ? [`export const {${names.join(', ')}} = bundle`] : []),
      '',
    ].join('\n'),
  )
}

const used = importedNames()
await Promise.all(Object.entries(vendors).map(([name, pkg]) => buildVendor(name, pkg, used.get(pkg))))

await build({
  absWorkingDir: root,
  entryPoints: ['src/vendor/load.ts'],
  outdir: vendorDir,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
})

/** Our imports of a vendored dependency become imports of its `#vendor/<name>` module (package.json "imports"). */
const vendorImports = {
  name: 'vendor-imports',
  setup(esbuild) {
    const byPackage = new Map(Object.entries(vendors).map(([name, pkg]) => [pkg, name]))
    esbuild.onResolve({filter: /^[@a-z]/}, (args) => {
      const name = byPackage.get(args.path)
      return name === undefined ? undefined : {path: `#vendor/${name}`, external: true}
    })
  },
}

await build({
  absWorkingDir: root,
  entryPoints: ['src/index.ts', 'src/help.ts', 'src/commands/**/*.ts', 'src/hooks/*.ts'],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: true,
  plugins: [vendorImports],
  banner: {js: esmBanner},
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
})

// The code caches: written by this Node, used by the same Node version, ignored by any other.
execFileSync(process.execPath, [path.join(root, 'scripts', 'code-cache.mjs'), JSON.stringify(Object.keys(vendors))], {
  stdio: 'inherit',
})
