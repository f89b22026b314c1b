// Self-hosted OAuth middleware on disk: the Component in the resources path, the client secret in a local file
// secret store (its JSON file 0600, outside the resources path so the folder of components can be shared or
// committed), and the handler added to the Configuration file with its comments kept. Everything is worked out and
// checked before the first write.
import {promises as fs} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

import {isMap, isSeq, parseAllDocuments, parseDocument, stringify} from 'yaml'

import {UserError} from '../errors.js'
import {writeFileAtomic} from '../local-files.js'
import {clientSecretKey, componentManifest, type Handler, handlerOf, secretStoreManifest} from './manifests.js'
import type {OAuthSpec} from './options.js'

export function defaultResourcesPath(): string {
  return path.join(homedir(), '.dapr', 'components')
}

export function defaultSecretsFile(name: string): string {
  return path.join(homedir(), '.dapr', 'secrets', `${name}.json`)
}

export interface FileWrite {
  file: string
  /** What the file is, for messages. */
  role: string
  change: 'created' | 'updated' | 'unchanged'
  mode: number
  /** The whole new content; never printed when it holds the client secret. */
  text: string
  secret: boolean
}

export interface SelfHostedPlan {
  writes: FileWrite[]
  warnings: string[]
  /** The Configuration file daprd must be started with (--config). */
  configFile: string
  resourcesPath: string
}

export interface SelfHostedOptions {
  resourcesPath: string
  configFile: string
  secretsFile: string
  clientSecret: string
  plaintext: boolean
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    throw new UserError(`cannot read ${file}: ${code ?? String(error)}`, {
      hint: 'Check its permissions; nothing was changed.',
    })
  }
}

/** Pure: the Configuration text with the handler in spec.httpPipeline.handlers, comments and the rest kept. */
export function configWithHandler(
  file: string,
  current: string | undefined,
  handler: Handler,
): {text: string; change: FileWrite['change']} {
  if (current === undefined) {
    const text = stringify({
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: {name: 'daprConfig'},
      spec: {httpPipeline: {handlers: [handler]}},
    })
    return {text, change: 'created'}
  }
  const doc = parseDocument(current)
  const broken = (problem: string) =>
    new UserError(`${file} is not a valid YAML Configuration: ${(problem.split('\n')[0] ?? '').trim()}`, {
      hint: 'Fix the file or pass another one with --config-file; nothing was changed.',
    })
  if (doc.errors.length > 0) throw broken(doc.errors[0]?.message ?? '')
  if (!isMap(doc.contents)) throw broken('not a mapping')
  const path = ['spec', 'httpPipeline', 'handlers']
  const handlers = doc.getIn(path)
  try {
    if (handlers === undefined || handlers === null) {
      doc.setIn(path, doc.createNode([handler]))
    } else if (isSeq(handlers)) {
      const list = handlers.toJSON() as Handler[]
      const index = list.findIndex((h) => h.name === handler.name)
      if (index >= 0 && list[index]?.type === handler.type) return {text: current, change: 'unchanged'}
      if (index >= 0) doc.setIn([...path, index, 'type'], handler.type)
      else handlers.add(doc.createNode(handler))
    } else {
      throw new Error('spec.httpPipeline.handlers is not a list')
    }
  } catch (error) {
    throw broken(error instanceof Error ? error.message : String(error))
  }
  return {text: doc.toString(), change: 'updated'}
}

/** Components of the same name in other files of the resources path: daprd would refuse the second one. */
async function assertNoOtherDefinition(resourcesPath: string, names: Map<string, string>): Promise<void> {
  let entries: string[]
  try {
    entries = await fs.readdir(resourcesPath)
  } catch {
    return
  }
  for (const entry of entries.filter((e) => /\.ya?ml$/.test(e)).sort()) {
    const file = path.join(resourcesPath, entry)
    const text = await readOptional(file).catch(() => undefined)
    if (text === undefined) continue
    for (const doc of parseAllDocuments(text)) {
      if (!('toJS' in doc)) continue
      const object = doc.toJS() as {kind?: unknown; metadata?: {name?: unknown}} | null
      const name = typeof object?.metadata?.name === 'string' ? object.metadata.name : undefined
      const ours = name === undefined ? undefined : names.get(name)
      if (object?.kind === 'Component' && ours !== undefined && ours !== file) {
        throw new UserError(`${file} already defines a component named ${name}; nothing was changed`, {
          hint: 'Choose another --name, or remove that file first.',
        })
      }
    }
  }
}

export async function planSelfHosted(spec: OAuthSpec, options: SelfHostedOptions): Promise<SelfHostedPlan> {
  const resourcesPath = path.resolve(options.resourcesPath)
  const componentFile = path.join(resourcesPath, `${spec.name}.yaml`)
  const store = `${spec.name}-secrets`
  const storeFile = path.join(resourcesPath, `${store}.yaml`)
  const secretsFile = path.resolve(options.secretsFile)
  if (secretsFile.startsWith(resourcesPath + path.sep)) {
    throw new UserError(`--secrets-file ${secretsFile} is inside the resources path`, {
      hint: 'Keep the client secret out of the folder of components (it is often shared or committed).',
    })
  }
  await assertNoOtherDefinition(
    resourcesPath,
    new Map(
      options.plaintext
        ? [[spec.name, componentFile]]
        : [
            [spec.name, componentFile],
            [store, storeFile],
          ],
    ),
  )
  const writes: FileWrite[] = []
  const warnings: string[] = []
  const add = async (file: string, role: string, text: string, mode: number, secret: boolean) => {
    const current = await readOptional(file)
    const change = current === undefined ? 'created' : current === text ? 'unchanged' : 'updated'
    writes.push({file, role, change, mode, text, secret})
  }
  if (options.plaintext) {
    const component = componentManifest(spec, {kind: 'plaintext', value: options.clientSecret})
    await add(componentFile, 'OAuth component (client secret in plain text)', stringify(component), 0o600, true)
    warnings.push(
      `the client secret is written in plain text into ${componentFile} (mode 0600); anyone who can read it can act as your client`,
    )
  } else {
    await add(
      secretsFile,
      'client secret (local file secret store)',
      JSON.stringify({[clientSecretKey]: options.clientSecret}, null, 2) + '\n',
      0o600,
      true,
    )
    await add(storeFile, 'secret store component', stringify(secretStoreManifest(store, secretsFile)), 0o644, false)
    await add(
      componentFile,
      'OAuth component',
      stringify(componentManifest(spec, {kind: 'store', store})),
      0o644,
      false,
    )
  }
  const configFile = path.resolve(options.configFile)
  const edit = configWithHandler(configFile, await readOptional(configFile), handlerOf(spec))
  writes.push({
    file: configFile,
    role: 'Configuration (httpPipeline)',
    change: edit.change,
    mode: 0o644,
    text: edit.text,
    secret: false,
  })
  return {writes, warnings, configFile, resourcesPath}
}

/** Writes what changed, each file atomically; a Configuration file keeps its mode and a .bak copy. */
export async function applySelfHosted(plan: SelfHostedPlan): Promise<FileWrite[]> {
  const written: FileWrite[] = []
  for (const write of plan.writes.filter((w) => w.change !== 'unchanged')) {
    try {
      await fs.mkdir(path.dirname(write.file), {recursive: true, mode: write.secret ? 0o700 : 0o755})
      let mode = write.mode
      if (write.change === 'updated' && write.file === plan.configFile) {
        mode = (await fs.stat(write.file)).mode & 0o777
        await fs.copyFile(write.file, `${write.file}.bak`)
      }
      await writeFileAtomic(write.file, write.text, mode)
    } catch (error) {
      const done = written.map((w) => w.file).join(', ')
      throw new UserError(
        `cannot write ${write.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        {hint: done ? `Already written: ${done}. Fix the cause and run the command again.` : 'Nothing was written.'},
      )
    }
    written.push(write)
  }
  return written
}

export interface OnDiskResult {
  writes: {file: string; role: string; change: FileWrite['change']}[]
  dryRun: boolean
  /** What daprd must be started with to load the middleware. */
  daprdFlags: string[]
}

/** The result as commands print it: no file content, so never the client secret. */
export function onDiskResult(plan: SelfHostedPlan, dryRun: boolean): OnDiskResult {
  return {
    writes: plan.writes.map(({file, role, change}) => ({file, role, change})),
    dryRun,
    daprdFlags: ['--resources-path', plan.resourcesPath, '--config', plan.configFile],
  }
}
