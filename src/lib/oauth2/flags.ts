// The flags of `oauth2 create`, named after the components' metadata fields as the Dapr docs write them. Flags of
// one mode have no parse-time default, so the other mode can refuse them (KubeCommand's mode check).
import {Flags} from '@oclif/core'

import {grants, providers} from './options.js'

const middleware = 'MIDDLEWARE'
const cluster = 'KUBERNETES'
const selfHosted = 'SELF-HOSTED'

export const oauthFlags = {
  grant: Flags.option({options: grants, required: true, summary: 'The OAuth 2.0 grant the middleware runs.'})(),
  name: Flags.string({required: true, summary: 'The Component name (a Kubernetes name: lower case, digits, -).'}),
  'client-id': Flags.string({summary: 'The client (application) id registered with the authorization server.'}),
  'client-secret-file': Flags.string({
    summary: 'A file holding the client secret, or - to read it from standard input (never a flag value).',
  }),
  scopes: Flags.string({summary: 'Scopes to request, comma- or space-separated (client-credentials: required).'}),
  provider: Flags.option({options: providers, summary: "Fill --auth-url and --token-url with the provider's."})(),
  tenant: Flags.string({summary: 'The Entra ID tenant (directory id or domain) for --provider entra.'}),
  'auth-url': Flags.string({summary: 'The authorization endpoint (authorization-code).', helpGroup: middleware}),
  'token-url': Flags.string({summary: 'The token endpoint.', helpGroup: middleware}),
  'redirect-url': Flags.string({
    summary: 'Where the authorization server sends the user back (authorization-code).',
    helpGroup: middleware,
  }),
  'auth-header-name': Flags.string({
    summary: 'Header the app receives the token in (authorization-code) [default: authorization].',
    helpGroup: middleware,
  }),
  'force-https': Flags.boolean({
    summary: 'Redirect back over HTTPS after login (authorization-code).',
    helpGroup: middleware,
  }),
  'header-name': Flags.string({
    summary: 'Header the app receives the token in (client-credentials) [default: authorization].',
    helpGroup: middleware,
  }),
  'endpoint-params-query': Flags.string({
    summary: 'More parameters for the token endpoint, as a query: a=1&b=2 (client-credentials).',
    helpGroup: middleware,
  }),
  'auth-style': Flags.option({
    options: ['0', '1', '2'] as const,
    summary: 'How the client id and secret reach the token endpoint: 0 detect, 1 form body, 2 HTTP Basic.',
    helpGroup: middleware,
  })(),
  'path-filter': Flags.string({summary: 'Only request paths matching this regular expression.', helpGroup: middleware}),
  'allow-http': Flags.boolean({summary: 'Accept http:// URLs (a local test server); the default is HTTPS only.'}),
  apply: Flags.boolean({summary: 'Write the objects (-k); without it they are printed.', helpGroup: cluster}),
  'app-namespace': Flags.string({
    summary: 'A namespace to create the objects in (repeatable); those of --workload are added.',
    multiple: true,
    helpGroup: cluster,
  }),
  workload: Flags.string({
    summary: 'Point this workload at the pipeline and restart it, <namespace>/<kind>/<name> (repeatable).',
    multiple: true,
    helpGroup: cluster,
  }),
  config: Flags.string({
    summary: 'The Configuration for workloads that name none with dapr.io/config [default: pipeline].',
    helpGroup: cluster,
  }),
  'secret-name': Flags.string({
    summary: 'The Secret holding the client secret [default: <name>-client-secret].',
    helpGroup: cluster,
  }),
  concurrency: Flags.integer({summary: 'Workloads restarted at once [default: 5].', min: 1, helpGroup: cluster}),
  timeout: Flags.integer({
    summary: 'Seconds all restarts together may take [default: 300].',
    min: 1,
    helpGroup: cluster,
  }),
  'resources-path': Flags.string({
    summary: 'Where the Components are written [default: ~/.dapr/components].',
    helpGroup: selfHosted,
  }),
  'config-file': Flags.string({
    summary: 'The Configuration file to add the handler to [default: ~/.dapr/config.yaml].',
    helpGroup: selfHosted,
  }),
  'secrets-file': Flags.string({
    summary: 'The local secret store file for the client secret (0600) [default: ~/.dapr/secrets/<name>.json].',
    helpGroup: selfHosted,
  }),
  plaintext: Flags.boolean({
    summary: 'Write the client secret into the Component itself (0600) instead of a secret store.',
    helpGroup: selfHosted,
  }),
  'dry-run': Flags.boolean({summary: 'Show the files that would be written; change nothing.', helpGroup: selfHosted}),
}

export const selfHostedOnly = ['resources-path', 'config-file', 'secrets-file', 'plaintext', 'dry-run']
export const clusterOnly = ['apply', 'app-namespace', 'workload', 'config', 'secret-name', 'concurrency', 'timeout']
