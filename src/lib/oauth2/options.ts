// Pure: the flags of `oauth2 create` turned into one checked description of the middleware, the way daprd's two
// OAuth components read their metadata (components-contrib middleware/http/oauth2 and oauth2clientcredentials):
// required fields per grant, URLs that parse (HTTPS unless allowed), scopes comma-separated as both components
// split them, an endpoint query Go's url.ParseQuery accepts, and a header name HTTP allows.
import {UsageError} from '../errors.js'
import {assertObjectName} from '../kube-names.js'

export const grants = ['authorization-code', 'client-credentials'] as const
export type Grant = (typeof grants)[number]

export const providers = ['entra', 'github', 'google'] as const
export type Provider = (typeof providers)[number]

export const componentTypes: Record<Grant, string> = {
  'authorization-code': 'middleware.http.oauth2',
  'client-credentials': 'middleware.http.oauth2clientcredentials',
}

/** The authorization and token URLs of the Dapr docs' table; `{tenant}` is Entra ID's directory. */
const providerUrls: Record<Provider, {authUrl: string; tokenUrl: string}> = {
  entra: {
    authUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/authorize',
    tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/token',
  },
  github: {
    authUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
  },
  google: {
    authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://accounts.google.com/o/oauth2/token',
  },
}

export interface OAuthFlags {
  grant: Grant
  name: string
  clientId?: string | undefined
  scopes?: string | undefined
  provider?: Provider | undefined
  tenant?: string | undefined
  authUrl?: string | undefined
  tokenUrl?: string | undefined
  redirectUrl?: string | undefined
  authHeaderName?: string | undefined
  forceHttps?: boolean | undefined
  headerName?: string | undefined
  endpointParamsQuery?: string | undefined
  authStyle?: string | undefined
  pathFilter?: string | undefined
  allowHttp: boolean
}

/** The middleware as daprd will read it. */
export interface OAuthSpec {
  grant: Grant
  name: string
  componentType: string
  clientId: string
  scopes: string[]
  tokenUrl: string
  /** The header the app receives the token in (authHeaderName / headerName). */
  headerName: string
  authUrl?: string
  redirectUrl?: string
  forceHttps?: boolean
  endpointParamsQuery?: string
  authStyle?: 0 | 1 | 2
  pathFilter?: string
}

/** Flags of one grant only, as the user typed them, mapped to the grant they belong to. */
const grantOnlyFlags: Record<string, Grant> = {
  authUrl: 'authorization-code',
  redirectUrl: 'authorization-code',
  authHeaderName: 'authorization-code',
  forceHttps: 'authorization-code',
  headerName: 'client-credentials',
  endpointParamsQuery: 'client-credentials',
  authStyle: 'client-credentials',
}

const flagNames: Record<string, string> = {
  authUrl: '--auth-url',
  redirectUrl: '--redirect-url',
  authHeaderName: '--auth-header-name',
  forceHttps: '--force-https',
  headerName: '--header-name',
  endpointParamsQuery: '--endpoint-params-query',
  authStyle: '--auth-style',
}

function assertUrl(value: string, flag: string, allowHttp: boolean): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(
      `${flag} ${value} is not a URL`,
      'Give an absolute URL such as https://login.example.com/token.',
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${flag} ${value} is not an http(s) URL`)
  }
  if (url.protocol === 'http:' && !allowHttp) {
    throw new UsageError(
      `${flag} ${value} is not HTTPS: the client secret and tokens would cross the network in clear text`,
      'Use https://, or add --allow-http for a local test server.',
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${flag} must not carry credentials in the URL`, 'Remove the user:password@ part.')
  }
  return value
}

/** Go's url.ParseQuery refuses a ';' separator and bad escapes; daprd would then drop the parameters with a warning. */
function assertEndpointQuery(query: string): string {
  if (query.includes(';')) {
    throw new UsageError(
      '--endpoint-params-query separates parameters with ";", which daprd (Go) refuses',
      'Separate them with "&", for example audience=api&resource=orders.',
    )
  }
  for (const part of query.split('&')) {
    try {
      decodeURIComponent(part.replaceAll('+', ' '))
    } catch {
      throw new UsageError(`--endpoint-params-query has a bad escape in "${part}"`, 'Escape "%" as %25.')
    }
  }
  return query
}

/** Go's RE2 has no look-around and no back-references; a filter daprd cannot compile stops the component. */
function assertPathFilter(filter: string): string {
  let valid = true
  try {
    new RegExp(filter)
  } catch {
    valid = false
  }
  if (!valid || /\(\?<?[=!]|\\[1-9]/.test(filter)) {
    throw new UsageError(
      `--path-filter ${filter} is not a regular expression daprd (Go RE2) can compile`,
      'Leave out look-arounds and back-references, for example ^/api/.*',
    )
  }
  return filter
}

const headerToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function assertHeaderName(name: string, flag: string): string {
  if (!headerToken.test(name)) throw new UsageError(`${flag} ${name} is not a valid HTTP header name`)
  return name
}

/** Both components split scopes on ","; the docs also write them space-separated, so either is read. */
export function parseScopes(scopes: string | undefined): string[] {
  return (scopes ?? '').split(/[\s,]+/).filter((s) => s !== '')
}

function providerUrl(flags: OAuthFlags, which: 'authUrl' | 'tokenUrl'): string | undefined {
  const given = flags[which]
  if (given !== undefined || flags.provider === undefined) return given
  const template = providerUrls[flags.provider][which]
  if (flags.provider !== 'entra') return template
  const tenant = flags.tenant ?? ''
  // A directory id (GUID), a verified domain, or common / organizations / consumers.
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(tenant)) {
    throw new UsageError(
      tenant === '' ? '--provider entra needs --tenant' : `--tenant ${tenant} is not a tenant id or domain`,
      'Give the directory (tenant) id or its domain, e.g. --tenant contoso.onmicrosoft.com.',
    )
  }
  return template.replace('{tenant}', tenant)
}

export function resolveOAuthSpec(flags: OAuthFlags): OAuthSpec {
  assertObjectName(flags.name, '--name')
  for (const [key, grant] of Object.entries(grantOnlyFlags)) {
    const value = (flags as unknown as Record<string, unknown>)[key]
    if (value !== undefined && value !== false && grant !== flags.grant) {
      throw new UsageError(
        `${flagNames[key] ?? key} applies to --grant ${grant} only`,
        `Drop it, or use --grant ${grant}.`,
      )
    }
  }
  if (flags.tenant !== undefined && flags.provider !== 'entra') {
    throw new UsageError('--tenant applies to --provider entra only')
  }
  const clientId = flags.clientId ?? ''
  if (clientId === '' || /\s/.test(clientId)) {
    throw new UsageError(
      clientId === '' ? '--client-id is required' : '--client-id has spaces',
      'Give the client (application) id registered with the authorization server.',
    )
  }
  const scopes = parseScopes(flags.scopes)
  const tokenUrl = providerUrl(flags, 'tokenUrl')
  if (tokenUrl === undefined) {
    throw new UsageError('--token-url is required', 'Give it, or --provider entra|github|google to use theirs.')
  }
  const common = {
    name: flags.name,
    clientId,
    scopes,
    tokenUrl: assertUrl(tokenUrl, '--token-url', flags.allowHttp),
    ...(flags.pathFilter === undefined ? {} : {pathFilter: assertPathFilter(flags.pathFilter)}),
  }
  if (flags.grant === 'client-credentials') {
    // The component refuses to start without scopes: its metadata check requires them.
    if (scopes.length === 0) {
      throw new UsageError(
        '--grant client-credentials needs --scopes',
        'Give the scopes to request, e.g. --scopes api.read.',
      )
    }
    const authStyle = flags.authStyle === undefined ? undefined : (Number(flags.authStyle) as 0 | 1 | 2)
    return {
      ...common,
      grant: 'client-credentials',
      componentType: componentTypes['client-credentials'],
      headerName: assertHeaderName(flags.headerName ?? 'authorization', '--header-name'),
      ...(flags.endpointParamsQuery === undefined
        ? {}
        : {endpointParamsQuery: assertEndpointQuery(flags.endpointParamsQuery)}),
      ...(authStyle === undefined ? {} : {authStyle}),
    }
  }
  const authUrl = providerUrl(flags, 'authUrl')
  if (authUrl === undefined) {
    throw new UsageError('--auth-url is required', 'Give it, or --provider entra|github|google to use theirs.')
  }
  if (flags.redirectUrl === undefined) {
    throw new UsageError(
      '--redirect-url is required for --grant authorization-code',
      'Give the URL of your app the authorization server sends the user back to.',
    )
  }
  return {
    ...common,
    grant: 'authorization-code',
    componentType: componentTypes['authorization-code'],
    authUrl: assertUrl(authUrl, '--auth-url', flags.allowHttp),
    redirectUrl: assertUrl(flags.redirectUrl, '--redirect-url', flags.allowHttp),
    // The component has no default for it: an empty name would lose the token.
    headerName: assertHeaderName(flags.authHeaderName ?? 'authorization', '--auth-header-name'),
    forceHttps: flags.forceHttps ?? false,
  }
}

/** The command's flags, as oclif parsed them, in the shape resolveOAuthSpec reads. */
export function oauthFlagsOf(flags: {
  grant: Grant
  name: string
  'client-id'?: string | undefined
  scopes?: string | undefined
  provider?: Provider | undefined
  tenant?: string | undefined
  'auth-url'?: string | undefined
  'token-url'?: string | undefined
  'redirect-url'?: string | undefined
  'auth-header-name'?: string | undefined
  'force-https'?: boolean | undefined
  'header-name'?: string | undefined
  'endpoint-params-query'?: string | undefined
  'auth-style'?: string | undefined
  'path-filter'?: string | undefined
  'allow-http'?: boolean | undefined
}): OAuthFlags {
  return {
    grant: flags.grant,
    name: flags.name,
    clientId: flags['client-id'],
    scopes: flags.scopes,
    provider: flags.provider,
    tenant: flags.tenant,
    authUrl: flags['auth-url'],
    tokenUrl: flags['token-url'],
    redirectUrl: flags['redirect-url'],
    authHeaderName: flags['auth-header-name'],
    forceHttps: flags['force-https'] || undefined,
    headerName: flags['header-name'],
    endpointParamsQuery: flags['endpoint-params-query'],
    authStyle: flags['auth-style'],
    pathFilter: flags['path-filter'],
    allowHttp: flags['allow-http'] ?? false,
  }
}
