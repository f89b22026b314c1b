// The cluster backup file: a manifest kubectl restores as it is, whose first line records where it came from.
import assert from 'node:assert/strict'

import {backupFileText, backupManifest, bundleOfSecret, parseBackupText} from '../../../src/lib/kube/backup.js'

const b64 = (text: string) => Buffer.from(text).toString('base64')
const keys = {rootCert: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key'}
const secret = {
  metadata: {name: 'dapr-trust-bundle', namespace: 'dapr-system', resourceVersion: '42', uid: 'u'},
  type: 'Opaque',
  data: {'ca.crt': b64('ROOT'), 'issuer.crt': b64('ISSUER'), 'issuer.key': b64('KEY'), 'jwt.key': b64('JWT')},
}
const configMap = {metadata: {name: 'dapr-trust-bundle', namespace: 'dapr-system'}, data: {'ca.crt': 'ROOT'}}

describe('cluster backup files', () => {
  it("round-trip: the origin line, the Secret without server-set fields, and the bundle under Sentry's keys", () => {
    const origin = {
      kind: 'kubernetes',
      writtenBy: 'renew',
      time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      server: 'https://127.0.0.1:6443',
      context: 'admin',
      namespace: 'dapr-system',
    } as const
    const text = backupFileText(origin, '/b/file.yaml', backupManifest(secret, configMap))
    assert.match(text.split('\n')[1] ?? '', /dapr mtls rollback -k -n dapr-system --backup \/b\/file\.yaml/)
    const parsed = parseBackupText(text)
    assert.deepEqual(parsed.origin, {...origin, certsDir: undefined})
    assert.deepEqual(parsed.secret?.metadata, {name: 'dapr-trust-bundle', namespace: 'dapr-system'})
    assert.equal(parsed.configMap?.data?.['ca.crt'], 'ROOT')
    assert.deepEqual(bundleOfSecret(parsed.secret ?? {}, keys), {
      rootCertPem: 'ROOT',
      issuerCertPem: 'ISSUER',
      issuerKeyPem: 'KEY',
    })
  })

  it('also reads a manifest kubectl wrote (no origin line), and says when there is no Secret', () => {
    const kubectl = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: dapr-trust-bundle\ndata:\n  ca.crt: ${b64('R')}\n`
    const parsed = parseBackupText(kubectl)
    assert.equal(parsed.origin, undefined)
    assert.equal(bundleOfSecret(parsed.secret ?? {}, keys).rootCertPem, 'R')
    assert.equal(parseBackupText('kind: ConfigMap\nmetadata: {name: other}\n').secret, undefined)
    assert.throws(() => parseBackupText('a: [\n'))
  })
})
