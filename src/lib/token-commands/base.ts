// What the `api-token` and `app-token` commands share: the token kind each topic is about, the flags that choose
// namespaces and workloads, the cluster port, and how a run is reported (a line per Secret, k/n progress of the
// rolls, a summary, and an error naming what did not finish with the command that finishes it).
import {type Command, Flags} from '@oclif/core'

import {defaultTimeoutSeconds} from '../flags.js'
import {UsageError} from '../errors.js'
import {KubeCommand} from '../kube-command.js'
import {assertNamespaceName, assertObjectName} from '../kube-names.js'
import {parseWorkload} from '../kube/workload-names.js'
import {holdInterruptsAsAbort} from '../interrupts.js'
import {type TokenKind, type TokenKindInfo, tokenKinds} from '../tokens/kinds.js'
import type {TokenCluster} from '../tokens/model.js'
import type {WorkloadSelection} from '../tokens/plan.js'
import {renderPlan, renderTokenRun, secretLine} from '../tokens/render.js'
import {
  assertTokenRunDone,
  carryOut,
  describePlan,
  type NamespaceScope,
  type PreparedRun,
  type RunOptions,
  type TokenRequest,
  type TokenRunResult,
} from '../tokens/service.js'
import {checkGivenToken} from '../tokens/token-value.js'
import {readSecretInput} from '../secret-input.js'

export const scopeFlags = {
  kubernetes: Flags.boolean({
    char: 'k',
    summary: 'Work on the Kubernetes cluster of the current kubeconfig context (required: tokens live in Secrets).',
  }),
  'app-namespace': Flags.string({
    summary: 'An application namespace to work in (repeatable).',
    multiple: true,
    exclusive: ['all-namespaces'],
  }),
  'all-namespaces': Flags.boolean({summary: 'Every namespace that has a Dapr-enabled workload.'}),
  'secret-name': Flags.string({summary: "The Secret holding the token [default: the Dapr docs' name]."}),
}

/** --workload and --all-workloads, with what "all" means for the command. */
export function workloadFlags(all: string) {
  return {
    workload: Flags.string({
      summary: 'A workload, <namespace>/<kind>/<name> (repeatable).',
      multiple: true,
      exclusive: ['all-workloads'],
    }),
    'all-workloads': Flags.boolean({summary: all}),
  }
}

export const rollFlags = {
  concurrency: Flags.integer({summary: 'Workloads restarted at once.', default: 5, min: 1}),
  timeout: Flags.integer({
    summary: `Seconds all restarts together may take [default: ${defaultTimeoutSeconds}].`,
    min: 1,
  }),
  'dry-run': Flags.boolean({summary: 'Show what would be written and restarted; change nothing.'}),
}

export const showFlag = Flags.boolean({summary: 'Print the new token(s) on stdout ("<namespace> <token>" lines).'})

export const fromFileFlag = Flags.string({
  summary: 'Read the token from this file, or - for standard input, instead of making a new one.',
})

type TokenFlags = {
  'from-file'?: string
  show?: boolean
  'dry-run'?: boolean
  kubernetes?: boolean
  'app-namespace'?: string[]
  'all-namespaces'?: boolean
  'secret-name'?: string
  workload?: string[]
  'all-workloads'?: boolean
  concurrency?: number
  timeout?: number
}

export abstract class TokenCommand<T extends typeof Command> extends KubeCommand<T> {
  /** Set by each command file: which token its topic is about. */
  static kind: TokenKind = 'api'

  protected get info(): TokenKindInfo {
    return tokenKinds[(this.ctor as typeof TokenCommand).kind]
  }

  private get tokenFlags(): TokenFlags {
    return this.flags as TokenFlags
  }

  protected get secretName(): string {
    return this.tokenFlags['secret-name'] ?? this.info.defaultSecretName
  }

  /** -k is required: the cluster is where these tokens live; self-hosted has `generate`. */
  protected requireCluster(verb: string): void {
    if (this.tokenFlags.kubernetes) return
    throw new UsageError(
      `${this.info.topic} ${verb} works on Kubernetes Secrets: add -k`,
      `Self-hosted, daprd reads ${this.info.envName} from its environment: eval "$(dapr ${this.info.topic} generate)".`,
    )
  }

  /** The request every token command starts from, checked before the cluster is asked anything. */
  protected tokenRequest(options: {workloadsAllowed: boolean}): TokenRequest {
    const flags = this.tokenFlags
    assertObjectName(this.secretName, '--secret-name')
    const workloads = (flags.workload ?? []).map((reference) => parseWorkload(reference, '--workload'))
    if (!options.workloadsAllowed && (workloads.length > 0 || flags['all-workloads'])) {
      throw new UsageError(`--workload and --all-workloads do not apply here`)
    }
    const named = [...(flags['app-namespace'] ?? []), ...workloads.map((w) => w.namespace)]
    for (const namespace of flags['app-namespace'] ?? []) assertNamespaceName(namespace, '--app-namespace')
    const scope: NamespaceScope = {namespaces: [...new Set(named)], allNamespaces: flags['all-namespaces'] ?? false}
    if (scope.namespaces.length === 0 && !scope.allNamespaces) {
      throw new UsageError(
        'name the application namespaces: --app-namespace <namespace> (repeatable) or --all-namespaces',
        '-n is the Dapr control-plane namespace; tokens live beside the applications.',
      )
    }
    const selection: WorkloadSelection = {workloads, all: flags['all-workloads'] ?? false}
    return {info: this.info, secretName: this.secretName, scope, selection}
  }

  private port: Promise<TokenCluster> | undefined

  /** The cluster as the token commands use it, opened once; the expiry banner is looked for alongside. */
  protected tokenCluster(): Promise<TokenCluster> {
    this.port ??= this.connection().then(({kube, clients}) => {
      this.bannerAlongside()
      return kube.tokenCluster(clients)
    })
    return this.port
  }

  /** Progress on stderr, Ctrl-C stopping new restarts, and the time bound of all restarts. */
  private async runOptions(): Promise<RunOptions & {release: () => void}> {
    const flags = this.tokenFlags
    const {kube} = await this.connection()
    const interrupts = holdInterruptsAsAbort(
      'Stopping after the restarts in progress (Ctrl-C again to quit at once; their rollouts continue).',
    )
    return {
      concurrency: flags.concurrency ?? 5,
      timeoutMs: (flags.timeout ?? defaultTimeoutSeconds) * 1000,
      signal: interrupts.signal,
      release: interrupts.release,
      onWarning: (message) => {
        this.progress('warning', message)
      },
      onSecret: (outcome) => {
        this.progress(outcome.done ? 'success' : 'failure', secretLine(this.info, this.secretName, outcome))
      },
      onRollFinished: (outcome, finished, total) => {
        this.progress(outcome.done ? 'info' : 'warning', kube.appRestartProgress(outcome, finished, total))
      },
    }
  }

  /** The result on stdout; with --show stdout holds only the tokens and the tables go to stderr. */
  protected report(result: TokenRunResult): void {
    if (this.jsonEnabled()) return
    if (result.tokens === undefined) {
      this.log(renderTokenRun(result))
      return
    }
    process.stderr.write(renderTokenRun(result) + '\n')
    for (const {namespace, token} of result.tokens) this.log(`${namespace} ${token}`)
  }

  /** The token of --from-file, checked (a weak one warns); undefined when a new one is to be made. */
  protected async givenToken(): Promise<string | undefined> {
    const source = this.tokenFlags['from-file']
    if (source === undefined) return undefined
    const token = await readSecretInput(source, '--from-file', 'token')
    for (const warning of checkGivenToken(token, source === '-' ? 'standard input' : source)) {
      this.progress('warning', warning)
    }
    return token
  }

  /**
   * Shows the plan (--dry-run) or carries it out: progress on stderr, the result on stdout, and an error naming
   * what did not finish with the command that resumes it.
   */
  protected async execute(
    prepared: PreparedRun,
    resume: (workloads: string[]) => string,
    givenToken?: string,
  ): Promise<TokenRunResult | ReturnType<typeof describePlan>> {
    if (this.tokenFlags['dry-run']) {
      const described = describePlan(prepared)
      this.print(described, () => renderPlan(described))
      return described
    }
    const {release, ...options} = await this.runOptions()
    let result: TokenRunResult
    try {
      result = await carryOut(await this.tokenCluster(), prepared, {
        ...options,
        givenToken,
        show: this.tokenFlags.show ?? false,
      })
    } finally {
      release()
    }
    this.report(result)
    assertTokenRunDone(result, resume)
    return result
  }

  /** `dapr <topic> <verb> -k [--secret-name x] <rest>`, for resume hints. */
  protected commandLine(verb: string, rest: string[]): string {
    const secret = this.tokenFlags['secret-name'] ? ` --secret-name ${this.secretName}` : ''
    return `dapr ${this.info.topic} ${verb} -k${secret} ${rest.join(' ')}`.trimEnd()
  }
}
