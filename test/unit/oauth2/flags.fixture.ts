// The flags of a plain client-credentials middleware, shared by the oauth2 unit tests.
import {type OAuthFlags, resolveOAuthSpec} from '../../../src/lib/oauth2/options.js'

export const clientCredentials: OAuthFlags = {
  grant: 'client-credentials',
  name: 'orders-oauth',
  clientId: 'orders',
  scopes: 'read',
  tokenUrl: 'https://login.example.com/token',
  allowHttp: false,
}

export const clientCredentialsSpec = resolveOAuthSpec(clientCredentials)
