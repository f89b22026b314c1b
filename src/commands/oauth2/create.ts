// `dapr oauth2 create`: an OAuth 2.0 middleware Component and its pipeline Configuration, on a cluster (-k, the
// client secret in a Secret) or on disk (the client secret in a local file secret store).
import {Flags} from '@oclif/core'

import {UsageError} from '../../lib/errors.js'
import {defaultTimeoutSeconds} from '../../lib/flags.js'
import {KubeCommand} from '../../lib/kube-command.js'
import {
  applyOAuthCluster,
  assertRestartsDone,
  type ClusterApplyResult,
  clusterTargetOf,
  prepareOAuthCluster,
} from '../../lib/oauth2/cluster.js'
import {
  applySelfHosted,
  defaultResourcesPath,
  defaultSecretsFile,
  onDiskResult,
  planSelfHosted,
} from '../../lib/oauth2/files.js'
import {clusterOnly, oauthFlags, selfHostedOnly} from '../../lib/oauth2/flags.js'
import {clientSecretKey} from '../../lib/oauth2/manifests.js'
import {oauthFlagsOf, type OAuthSpec, resolveOAuthSpec} from '../../lib/oauth2/options.js'
import {planNotes, renderApplied, renderManifests, renderOnDisk} from '../../lib/oauth2/render.js'
import {defaultConfigFile} from '../../lib/selfhosted/config-file.js'
import {readSecretInput} from '../../lib/secret-input.js'

export default class Oauth2Create extends KubeCommand<typeof Oauth2Create> {
  static override summary = 'Set up the OAuth 2.0 middleware: a Component and its pipeline Configuration.'
  static override description = `--grant authorization-code makes every request through daprd log the user in first (middleware.http.oauth2); --grant client-credentials fetches a token for the app and hands it over in a header (middleware.http.oauth2clientcredentials). The client secret never goes into the Component in plain text.
With -k: the client secret in a Secret read by secretKeyRef, the Component and the Configuration in each namespace; printed as YAML unless --apply (the Secret is never printed). --workload points a workload at the pipeline and restarts it; a workload that already names a Configuration (dapr.io/config) keeps it, and the handler is added to that Configuration's pipeline with everything else in it kept.
Without -k: the Component in --resources-path, the client secret in a local file secret store (mode 0600) outside it, and the handler added to --config-file (comments kept). Start daprd with both.`

  static override examples = [
    'cat secret.txt | <%= config.bin %> oauth2 create -k --apply --grant client-credentials --name orders-oauth --client-id orders --client-secret-file - --scopes api.read --token-url https://login.example.com/token --workload shop/deployment/orders',
    '<%= config.bin %> oauth2 create -k --grant authorization-code --name login --provider entra --tenant contoso.onmicrosoft.com --client-id 1234 --client-secret-file secret.txt --redirect-url https://shop.example.com/ --app-namespace shop',
    '<%= config.bin %> oauth2 create --grant client-credentials --name oauth --provider google --client-id x --client-secret-file secret.txt --scopes https://www.googleapis.com/auth/userinfo.email',
  ]

  static override selfHostedOnlyFlags = selfHostedOnly
  static override clusterOnlyFlags = clusterOnly

  static override flags = {
    kubernetes: Flags.boolean({char: 'k', summary: 'Write to the Kubernetes cluster (without -k: files on disk).'}),
    ...oauthFlags,
  }

  async run() {
    const spec = resolveOAuthSpec(oauthFlagsOf(this.flags))
    const source = this.flags['client-secret-file']
    if (source === undefined) {
      throw new UsageError('--client-secret-file is required', 'Give a file holding it, or - to pipe it in.')
    }
    const target = this.flags.kubernetes ? clusterTargetOf(spec, this.flags) : undefined
    const clientSecret = await readSecretInput(source, '--client-secret-file', 'client secret')
    if (target === undefined) return this.onDisk(spec, clientSecret)
    const {kube, clients} = await this.connection()
    this.bannerAlongside()
    const cluster = kube.oauthCluster(clients)
    const plan = await prepareOAuthCluster(cluster, spec, target)
    if (!this.flags.apply) {
      for (const note of planNotes(plan, clientSecretKey)) this.progress('info', note)
      this.print(plan, () => renderManifests(plan))
      return plan
    }
    const result: ClusterApplyResult = await applyOAuthCluster(cluster, plan, clientSecret, {
      concurrency: this.flags.concurrency ?? 5,
      timeoutMs: (this.flags.timeout ?? defaultTimeoutSeconds) * 1000,
      onFinished: (outcome, finished, total) => {
        this.progress(outcome.done ? 'info' : 'warning', kube.appRestartProgress(outcome, finished, total))
      },
    })
    this.print(result, () => renderApplied(result.objects))
    assertRestartsDone(result)
    return result
  }

  private async onDisk(spec: OAuthSpec, clientSecret: string) {
    const plan = await planSelfHosted(spec, {
      resourcesPath: this.flags['resources-path'] ?? defaultResourcesPath(),
      configFile: this.flags['config-file'] ?? defaultConfigFile(),
      secretsFile: this.flags['secrets-file'] ?? defaultSecretsFile(spec.name),
      clientSecret,
      plaintext: this.flags.plaintext,
    })
    for (const warning of plan.warnings) this.progress('warning', warning)
    const dryRun = this.flags['dry-run']
    if (!dryRun) await applySelfHosted(plan)
    const result = onDiskResult(plan, dryRun)
    this.print(result, () => renderOnDisk(result))
    return result
  }
}
