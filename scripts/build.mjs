// Builds dist/ with esbuild: one file per command plus shared chunks, so a command loads a handful of files instead of
// thousands (the Kubernetes client alone is ~53 MB of generated modules). Heavy parts stay behind dynamic imports
// and become chunks of their own. Type checking is tsc's job (`tsc --noEmit` runs first in `npm run build`).
import {rmSync} from 'node:fs'
import path from 'node:path'

import {build} from 'esbuild'

const root = path.resolve(import.meta.dirname, '..')
rmSync(path.join(root, 'dist'), {recursive: true, force: true})

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
  // oclif must be the one instance bin/run.js loads, so commands extend the same Command class.
  external: ['@oclif/core'],
  // Bundled CommonJS dependencies expect require, __filename and __dirname, which ES modules do not have.
  banner: {
    js: [
      "import {createRequire as __createRequire} from 'node:module'",
      "import {fileURLToPath as __fileURLToPath} from 'node:url'",
      "import {dirname as __pathDirname} from 'node:path'",
      'const require = __createRequire(import.meta.url)',
      'const __filename = __fileURLToPath(import.meta.url)',
      'const __dirname = __pathDirname(__filename)',
    ].join(';'),
  },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
})
