// The checks of `oauth2 create` on plain flags: required fields per grant, HTTPS, provider URLs, and values daprd's
// OAuth components (Go) would misread.
import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import {type OAuthFlags, parseScopes, resolveOAuthSpec} from '../../../src/lib/oauth2/options.js'
import {clientCredentials} from './flags.fixture.js'

const authorizationCode: OAuthFlags = {
  grant: 'authorization-code',
  name: 'login',
  clientId: 'web',
  authUrl: 'https://login.example.com/authorize',
  tokenUrl: 'https://login.example.com/token',
  redirectUrl: 'https://shop.example.com/callback',
  allowHttp: false,
}

function refused(flags: OAuthFlags, pattern: RegExp): void {
  assert.throws(
    () => resolveOAuthSpec(flags),
    (e: unknown) => e instanceof UsageError && pattern.test(e.message),
  )
}

describe('oauth2 options', () => {
  it('client credentials: the component type, the default header name and the scopes', () => {
    const spec = resolveOAuthSpec({...clientCredentials, scopes: 'read write,admin', authStyle: '2'})
    assert.equal(spec.componentType, 'middleware.http.oauth2clientcredentials')
    assert.equal(spec.headerName, 'authorization')
    assert.deepEqual(spec.scopes, ['read', 'write', 'admin'])
    assert.equal(spec.authStyle, 2)
  })

  it('authorization code: the auth header name defaults to authorization (the component has no default)', () => {
    const spec = resolveOAuthSpec(authorizationCode)
    assert.equal(spec.componentType, 'middleware.http.oauth2')
    assert.equal(spec.headerName, 'authorization')
    assert.equal(spec.forceHttps, false)
  })

  it("fills the docs' provider URLs, Entra ID's with the tenant; a given URL wins", () => {
    const entra = resolveOAuthSpec({
      ...authorizationCode,
      authUrl: undefined,
      tokenUrl: undefined,
      provider: 'entra',
      tenant: 'contoso.onmicrosoft.com',
    })
    assert.equal(entra.authUrl, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize')
    assert.equal(entra.tokenUrl, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token')
    const github = resolveOAuthSpec({...clientCredentials, tokenUrl: undefined, provider: 'github'})
    assert.equal(github.tokenUrl, 'https://github.com/login/oauth/access_token')
    const google = resolveOAuthSpec({...authorizationCode, authUrl: undefined, provider: 'google'})
    assert.equal(google.authUrl, 'https://accounts.google.com/o/oauth2/v2/auth')
    assert.equal(google.tokenUrl, 'https://login.example.com/token')
  })

  it('reads scopes separated by commas, spaces or both', () => {
    assert.deepEqual(parseScopes(' a, b  c,,d '), ['a', 'b', 'c', 'd'])
    assert.deepEqual(parseScopes(undefined), [])
  })

  for (const [title, flags, pattern] of [
    [
      'an http URL without --allow-http',
      {...clientCredentials, tokenUrl: 'http://login.example.com/token'},
      /is not HTTPS/,
    ],
    ['a URL that does not parse', {...clientCredentials, tokenUrl: 'login.example.com/token'}, /is not a URL/],
    ['a non-http URL', {...clientCredentials, tokenUrl: 'ftp://login.example.com/token'}, /is not an http\(s\) URL/],
    [
      'credentials in a URL',
      {...clientCredentials, tokenUrl: 'https://u:p@login.example.com/token'},
      /must not carry credentials/,
    ],
    ['client credentials without scopes', {...clientCredentials, scopes: ' , '}, /needs --scopes/],
    ['a missing client id', {...clientCredentials, clientId: undefined}, /--client-id is required/],
    ['a missing token URL', {...clientCredentials, tokenUrl: undefined}, /--token-url is required/],
    [
      'authorization code without a redirect URL',
      {...authorizationCode, redirectUrl: undefined},
      /--redirect-url is required/,
    ],
    ['authorization code without an auth URL', {...authorizationCode, authUrl: undefined}, /--auth-url is required/],
    [
      'a flag of the other grant',
      {...clientCredentials, redirectUrl: 'https://x.example.com/'},
      /--redirect-url applies to --grant authorization-code only/,
    ],
    ['--force-https with client credentials', {...clientCredentials, forceHttps: true}, /--force-https applies to/],
    [
      '--tenant without --provider entra',
      {...clientCredentials, tenant: 'x'},
      /--tenant applies to --provider entra only/,
    ],
    [
      'entra without a tenant',
      {...clientCredentials, tokenUrl: undefined, provider: 'entra'},
      /--provider entra needs --tenant/,
    ],
    [
      'a name Kubernetes refuses',
      {...clientCredentials, name: 'MyComponent'},
      /--name MyComponent is not a valid Kubernetes name/,
    ],
    ['a ";" in the endpoint query (Go refuses it)', {...clientCredentials, endpointParamsQuery: 'a=1;b=2'}, /refuses/],
    ['a bad escape in the endpoint query', {...clientCredentials, endpointParamsQuery: 'a=%zz'}, /bad escape/],
    [
      'a look-ahead in the path filter (RE2 has none)',
      {...clientCredentials, pathFilter: '^/api(?!/health)'},
      /Go RE2/,
    ],
    ['a header name HTTP refuses', {...clientCredentials, headerName: 'x token'}, /not a valid HTTP header name/],
  ] as const) {
    it(`refuses ${title}`, () => {
      refused(flags, pattern)
    })
  }

  it('accepts http URLs with --allow-http, for a local test server', () => {
    assert.equal(
      resolveOAuthSpec({...clientCredentials, tokenUrl: 'http://127.0.0.1:8080/token', allowHttp: true}).tokenUrl,
      'http://127.0.0.1:8080/token',
    )
  })
})
