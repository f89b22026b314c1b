// `npm test`: the Go builds the integration suite needs (the test cluster, real Sentry and daprd) start first, in the
// background; the CLI build, lint, type check and unit tests run meanwhile; the integration suite runs once both
// builds are ready. Warm, the builds only check versions and return in about a second.
import {spawn} from 'node:child_process'
import {createWriteStream, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

const logDir = mkdtempSync(path.join(tmpdir(), 'dapr-mtls-test-'))

/** Runs a command with inherited output; rejects with its exit code. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: 'inherit'})
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))
    })
  })
}

/** A background build: its own progress lines are shown as they come, everything else goes to a log file. */
function build(name, script) {
  const log = path.join(logDir, `${name}-build.log`)
  const file = createWriteStream(log)
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], {stdio: ['ignore', 'pipe', 'pipe']})
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        file.write(chunk)
        for (const line of chunk.toString().split('\n')) {
          if (/^\[(cluster|dapr) build\]/.test(line)) process.stderr.write(`${line}\n`)
        }
      })
    }
    child.on('error', reject)
    child.on('exit', (code) => {
      file.end()
      if (code === 0) {
        resolve((Date.now() - started) / 1000)
        return
      }
      const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-40).join('\n')
      reject(new Error(`${name} build failed (exit ${code}); last lines of ${log}:\n${tail}`))
    })
  })
}

const builds = Promise.all([build('cluster', 'test/cluster/build.sh'), build('dapr', 'test/dapr/build.sh')])
// Keep an early build failure from being reported as unhandled while the other steps run.
builds.catch(() => undefined)

try {
  for (const script of ['build', 'lint', 'typecheck', 'test:unit']) await run('npm', ['run', '--silent', script])
  const [cluster, dapr] = await builds
  process.stderr.write(`Go builds ready (cluster ${cluster.toFixed(0)}s, Dapr ${dapr.toFixed(0)}s)\n`)
  await run('npx', ['mocha', '--config', '.mocharc.integration.json'])
} catch (error) {
  process.stderr.write(`${error.message}\n`)
  process.exit(1)
}
