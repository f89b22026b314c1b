// The OAuth objects on plain data: the Component with the docs' field names and the client secret by reference,
// and a handler added to a Configuration without touching anything else in it.
import assert from 'node:assert/strict'

import {componentManifest, configurationWithHandler, withHandler} from '../../../src/lib/oauth2/manifests.js'
import {resolveOAuthSpec} from '../../../src/lib/oauth2/options.js'

const spec = resolveOAuthSpec({
  grant: 'client-credentials',
  name: 'orders-oauth',
  clientId: 'orders',
  scopes: 'read write',
  tokenUrl: 'https://login.example.com/token',
  headerName: 'x-token',
  endpointParamsQuery: 'audience=orders',
  authStyle: '1',
  allowHttp: false,
})

describe('oauth2 manifests', () => {
  it('a Kubernetes Component reads the client secret from the Secret by secretKeyRef; scopes are comma-separated', () => {
    const component = componentManifest(spec, {kind: 'kubernetes', secretName: 'orders-oauth-client-secret'}, 'shop')
    assert.deepEqual(component, {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: {name: 'orders-oauth', namespace: 'shop'},
      spec: {
        type: 'middleware.http.oauth2clientcredentials',
        version: 'v1',
        metadata: [
          {name: 'clientId', value: 'orders'},
          {name: 'clientSecret', secretKeyRef: {name: 'orders-oauth-client-secret', key: 'clientSecret'}},
          {name: 'scopes', value: 'read,write'},
          {name: 'tokenURL', value: 'https://login.example.com/token'},
          {name: 'headerName', value: 'x-token'},
          {name: 'endpointParamsQuery', value: 'audience=orders'},
          {name: 'authStyle', value: '1'},
        ],
      },
    })
  })

  it('self-hosted, the Component names its secret store; the value appears only with plaintext', () => {
    const stored = componentManifest(spec, {kind: 'store', store: 'orders-oauth-secrets'})
    assert.deepEqual(stored.auth, {secretStore: 'orders-oauth-secrets'})
    assert.ok(!JSON.stringify(stored).includes('value":"s3cret'))
    const plain = componentManifest(spec, {kind: 'plaintext', value: 's3cret'})
    assert.ok(JSON.stringify(plain).includes('{"name":"clientSecret","value":"s3cret"}'))
  })

  it('adds the handler at the end of the pipeline and keeps every other field', () => {
    const current = {
      tracing: {samplingRate: '1'},
      accessControl: {defaultAction: 'deny'},
      httpPipeline: {handlers: [{name: 'upper', type: 'middleware.http.uppercase'}]},
    }
    const edit = withHandler(current, {name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'})
    assert.equal(edit.change, 'added')
    assert.deepEqual(edit.spec, {
      tracing: {samplingRate: '1'},
      accessControl: {defaultAction: 'deny'},
      httpPipeline: {
        handlers: [
          {name: 'upper', type: 'middleware.http.uppercase'},
          {name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'},
        ],
      },
    })
    assert.equal(
      withHandler(edit.spec, {name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'}).change,
      'unchanged',
    )
    const retyped = withHandler(edit.spec, {name: 'orders-oauth', type: 'middleware.http.oauth2'})
    assert.equal(retyped.change, 'updated')
  })

  it('a missing Configuration is created with the pipeline alone', () => {
    const {object, change} = configurationWithHandler('pipeline', 'shop', undefined, {name: 'a', type: 't'})
    assert.equal(change, 'created')
    assert.deepEqual(object.spec, {httpPipeline: {handlers: [{name: 'a', type: 't'}]}})
    assert.equal(object.metadata.namespace, 'shop')
  })
})
