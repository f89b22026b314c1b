// What to run after the certificates directory was created or renewed, as commands a person pastes: paths quoted for
// a shell, --certs-dir named only when it is not the default.
import {shellWord} from '../output/shell-quote.js'
import {defaultCertsDir} from './certs-dir.js'

/** " --certs-dir <dir>" for a directory other than the default, else nothing. */
function certsDirFlag(dir: string): string {
  return dir === defaultCertsDir() ? '' : ` --certs-dir ${shellWord(dir)}`
}

const envStep = (dir: string) => `eval "$(dapr mtls env${certsDirFlag(dir)})"`

export function initNextSteps(certsDir: string, trustDomain: string, configFile: string): string[] {
  return [
    'Next steps:',
    `  1. Start Sentry with these certificates: sentry --issuer-credentials ${shellWord(certsDir)} --trust-domain ${shellWord(trustDomain)} --config ${shellWord(configFile)}`,
    `  2. Load them into your shell for daprd: ${envStep(certsDir)}`,
    `  3. Run daprd with --enable-mtls --sentry-address localhost:50001 --config ${shellWord(configFile)}`,
    `  Check expiry any time with: dapr mtls expiry${certsDirFlag(certsDir)}`,
  ]
}

/**
 * After a renewal: Sentry reloads a watched directory by itself; daprd keeps the anchors it started with, which
 * still work when the root key was kept and stop working when the root changed.
 */
export function renewalNextSteps(certsDir: string, rootChanged: boolean): string[] {
  return [
    'Next steps:',
    `  1. Sentry started with --issuer-credentials ${shellWord(certsDir)} reloads the new certificates by itself within a minute; restart it if it runs with a copy elsewhere.`,
    `  2. Load the new trust anchors into your shell: ${envStep(certsDir)}`,
    rootChanged
      ? '  3. Restart every daprd process from that shell: the root changed, and daprd keeps the anchors it started with.'
      : '  3. Restart your daprd processes from that shell before the old root certificate expires (the root key is the same, so they keep working until then).',
  ]
}
