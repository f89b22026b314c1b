// The install steps against a stand-in helm on PATH that records what it was given: the certificates reach it only in
// a 0600 values file that is gone afterwards, a failed install leaves no unused root key, and nothing runs after a
// failed check.
import assert from 'node:assert/strict'
import {createPrivateKey, createPublicKey, X509Certificate} from 'node:crypto'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import YAML from 'yaml'

import {UserError} from '../../../src/lib/errors.js'
import {installDapr, type InstallResult} from '../../../src/lib/helm/install.js'
import {type InitKubernetesFlags, installOptions} from '../../../src/lib/helm/options.js'

const fakeHelm = `#!/usr/bin/env bash
log="$FAKE_HELM_DIR"
printf '%s\\n' "$*" >> "$log/argv"
case "$1" in
  version) echo v3.99.0 ;;
  list) if [ -f "$log/releases" ]; then cat "$log/releases"; else echo '[]'; fi ;;
  install)
    prev=""
    for arg in "$@"; do
      if [ "$prev" = "--values" ]; then
        cp "$arg" "$log/values.yaml"; echo "$arg" > "$log/values-path"
        stat -c '%a' "$arg" > "$log/values-mode"; stat -c '%a' "$(dirname "$arg")" > "$log/values-dir-mode"
      fi
      prev="$arg"
    done
    if [ -n "$FAKE_HELM_RELEASE" ]; then echo "[{\\"name\\":\\"dapr\\",\\"status\\":\\"$FAKE_HELM_RELEASE\\",\\"chart\\":\\"dapr-1.16.2\\"}]" > "$log/releases"; fi
    if [ -n "$FAKE_HELM_FAIL" ]; then echo "Error: INSTALLATION FAILED: $FAKE_HELM_FAIL" >&2; exit 1; fi
    echo '{"chart":{"metadata":{"version":"1.16.2","appVersion":"1.16.2"}}}' ;;
esac
`

describe('init -k install steps (stand-in helm)', () => {
  let dir: string
  const savedPath = process.env.PATH

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-helm-test-'))
    const helm = path.join(dir, 'helm')
    writeFileSync(helm, fakeHelm)
    chmodSync(helm, 0o755)
    process.env.PATH = `${dir}:${savedPath ?? ''}`
    process.env.FAKE_HELM_DIR = dir
  })
  afterEach(() => {
    process.env.PATH = savedPath
    for (const name of ['FAKE_HELM_DIR', 'FAKE_HELM_FAIL', 'FAKE_HELM_RELEASE'])
      Reflect.deleteProperty(process.env, name)
    rmSync(dir, {recursive: true, force: true})
  })

  const file = (name: string) => readFileSync(path.join(dir, name), 'utf8')
  const install = (flags: Partial<InitKubernetesFlags> = {}) =>
    installDapr(installOptions({'enable-mtls': true, chart: 'dapr', ...flags}, {}), {
      dryRun: false,
      progress: () => undefined,
    })

  it('hands Helm the generated certificates in a 0600 file in a private directory, removed afterwards, never on argv', async () => {
    const keyFile = path.join(dir, 'root.key')
    const outcome = await install({'generate-certs': true, 'root-key-out': keyFile, namespace: 'dapr-a'})
    assert.equal(outcome.dryRun, false)
    const result = (outcome as {result: InstallResult}).result

    const values = YAML.parse(file('values.yaml')) as {
      dapr_sentry: {tls: {root: {certPEM: string}; issuer: {certPEM: string; keyPEM: string}}}
    }
    const root = new X509Certificate(values.dapr_sentry.tls.root.certPEM)
    assert.equal(root.fingerprint256, result.certificates.find((c) => c.role === 'root')?.sha256Fingerprint)
    assert.match(new X509Certificate(values.dapr_sentry.tls.issuer.certPEM).subject, /ns\/dapr-a\/dapr-sentry/)
    assert.equal(file('values-mode').trim(), '600')
    assert.equal(file('values-dir-mode').trim(), '700')
    assert.ok(!existsSync(file('values-path').trim()), 'the values file is removed after helm ran')
    assert.ok(!existsSync(path.dirname(file('values-path').trim())), 'and so is its directory')

    const argv = file('argv')
    assert.doesNotMatch(argv, /BEGIN|PRIVATE|dapr_sentry/)
    assert.match(
      argv,
      /^install dapr dapr --namespace dapr-a --create-namespace --timeout 300s --set global.ha.enabled=false --set global.mtls.enabled=true --values \S+certificates.yaml --output json$/m,
    )

    assert.equal(statSync(keyFile).mode & 0o777, 0o600)
    const publicKey = createPublicKey(createPrivateKey(readFileSync(keyFile)))
    assert.ok(root.publicKey.equals(publicKey), 'the root key file holds the key of the installed root')
    assert.equal(result.rootKeyFile, keyFile)
    assert.equal(result.chartVersion, '1.16.2')
  })

  it('writes no values file when Sentry makes its own certificates', async () => {
    await install()
    assert.ok(!existsSync(path.join(dir, 'values.yaml')))
    assert.doesNotMatch(file('argv'), /--values/)
  })

  it('removes the root key file when the install failed before a release existed', async () => {
    process.env.FAKE_HELM_FAIL = 'admission webhook denied the request'
    const keyFile = path.join(dir, 'root.key')
    await assert.rejects(install({'generate-certs': true, 'root-key-out': keyFile}), (error: unknown) => {
      return error instanceof UserError && error.message === 'helm install failed: admission webhook denied the request'
    })
    assert.ok(!existsSync(keyFile))
    assert.ok(!existsSync(path.dirname(file('values-path').trim())))
  })

  it('keeps the root key file when a failed install left a release whose Secret may hold the root', async () => {
    process.env.FAKE_HELM_FAIL = 'context deadline exceeded'
    process.env.FAKE_HELM_RELEASE = 'failed'
    const keyFile = path.join(dir, 'root.key')
    await assert.rejects(
      install({'generate-certs': true, 'root-key-out': keyFile, wait: true}),
      /not ready within 300 seconds/,
    )
    assert.ok(existsSync(keyFile))
  })

  it('stops before installing when the release exists, and writes no key file', async () => {
    writeFileSync(path.join(dir, 'releases'), '[{"name":"dapr","status":"deployed","chart":"dapr-1.16.2"}]')
    const keyFile = path.join(dir, 'root.key')
    await assert.rejects(
      install({'generate-certs': true, 'root-key-out': keyFile}),
      /^UserError: Dapr is already installed in namespace dapr-system \(Helm release dapr, deployed, chart dapr-1.16.2\)$/,
    )
    assert.doesNotMatch(file('argv'), /^install/m)
    assert.ok(!existsSync(keyFile))
  })

  it('says how to get helm when it is not on PATH', async () => {
    process.env.PATH = path.join(dir, 'nothing-here')
    await assert.rejects(install(), (error: unknown) => {
      return (
        error instanceof UserError &&
        /helm was not found on PATH/.test(error.message) &&
        /helm\.sh/.test(error.hint ?? '')
      )
    })
  })
})
