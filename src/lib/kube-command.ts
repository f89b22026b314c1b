// The base of commands that can talk to the cluster (-k): connection flags, one lazily opened connection, the
// control-plane namespace found once, and the ⚠ expiry banner on stderr after a successful run.
import type {Command} from '@oclif/core'

import {type CertificateInfo, describeBundle, type TrustBundle} from './certs/index.js'
import {BaseCommand} from './command.js'
import {UserError} from './errors.js'
import {assertFlagsFitMode, clusterFlags} from './flags.js'
import {expiryBanner} from './output/banner.js'
import {canPrompt, isTty, statusLine} from './output/terminal.js'
import type {RestartEvents, RestartPlan, RestartsResult} from './restarts/run.js'

type Kube = typeof import('./kube/index.js')
type ClusterTrustBundle = import('./kube/trust-bundle.js').ClusterTrustBundle

/** A connection to the cluster, before (or without) looking for the control plane. */
export interface KubeConnection {
  kube: Kube
  clients: import('./kube/client.js').KubeClients
}

export interface ClusterSession extends KubeConnection {
  /** Found once: the namespace, the Sentry that runs there and the daprsystem settings. */
  controlPlane: import('./kube/control-plane.js').ControlPlane
  /** --kubeconfig and --context as given, for commands printed to run next against the same cluster. */
  connectionFlags: string[]
}

export abstract class KubeCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {...BaseCommand.baseFlags, ...clusterFlags}
  /** Flags that only mean something without -k; a command that has any also works without -k. */
  static selfHostedOnlyFlags: string[] = []
  /** Flags of the command, besides the connection flags, that only mean something with -k. */
  static clusterOnlyFlags: string[] = []

  private session: Promise<ClusterSession> | undefined
  private opened: Promise<KubeConnection> | undefined
  private bannerCertificates: Promise<CertificateInfo[] | undefined> | undefined

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as typeof KubeCommand
    if (ctor.selfHostedOnlyFlags.length === 0) return
    const flags = this.flags as Record<string, unknown>
    assertFlagsFitMode(flags.kubernetes === true, flags, {
      selfHostedOnly: ctor.selfHostedOnlyFlags,
      clusterOnly: [...Object.keys(clusterFlags), ...ctor.clusterOnlyFlags],
    })
  }

  /**
   * Connects, once, without looking for the control plane: commands about application namespaces use this, so a user
   * with rights in those namespaces only can run them. The Kubernetes client is loaded only here.
   */
  protected connection(): Promise<KubeConnection> {
    this.opened ??= (async () => {
      const kube = await import('./kube/index.js')
      const flags = this.flags as {kubeconfig?: string; context?: string; 'request-timeout'?: number}
      const requestTimeout = flags['request-timeout']
      const clients = kube.connect({
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        requestTimeoutMs: requestTimeout === undefined ? undefined : requestTimeout * 1000,
      })
      return {kube, clients}
    })()
    return this.opened
  }

  /** Connects and finds the control-plane namespace, once. */
  protected cluster(): Promise<ClusterSession> {
    this.session ??= (async () => {
      const {kube, clients} = await this.connection()
      const flags = this.flags as {namespace?: string; kubeconfig?: string; context?: string}
      const controlPlane = await kube.discoverControlPlane(clients, flags.namespace)
      const connectionFlags = [
        ...(flags.kubeconfig === undefined ? [] : ['--kubeconfig', flags.kubeconfig]),
        ...(flags.context === undefined ? [] : ['--context', flags.context]),
      ]
      return {kube, clients, controlPlane, connectionFlags}
    })()
    return this.session
  }

  /**
   * For commands that do not need the control plane: finds it and reads the trust bundle alongside their own work,
   * for the banner only; a user who may not read them gets no banner and no error.
   */
  protected bannerAlongside(): void {
    this.bannerCertificates = this.cluster()
      .then(async (session) =>
        describeBundle((await session.kube.readTrustBundle(session.clients, session.controlPlane)).bundle),
      )
      .catch(() => undefined)
  }

  /** Shows the banner from certificates the command already has. */
  protected bannerFrom(certificates: CertificateInfo[]): void {
    this.bannerCertificates = Promise.resolve(certificates)
  }

  /** Shows the banner from a bundle the command already read. */
  protected bannerFromBundle(bundle: Pick<TrustBundle, 'rootCertPem' | 'issuerCertPem'>): void {
    this.bannerCertificates = Promise.resolve().then(() => describeBundle(bundle))
  }

  /**
   * Starts reading the trust bundle alongside the command's own work, for the banner and for the consistency checks
   * of read commands; undefined when it cannot be read (the command's own reads report the cluster's problems).
   */
  protected readBundleAlongside(session: ClusterSession): Promise<ClusterTrustBundle | undefined> {
    const bundle = session.kube.readTrustBundle(session.clients, session.controlPlane).catch(() => undefined)
    this.bannerCertificates = bundle.then((current) => (current ? describeBundle(current.bundle) : undefined))
    return bundle
  }

  /**
   * At a terminal, a cluster write shows its plan and asks first; scripts (no terminal), --json and -y are never
   * asked.
   */
  protected async confirmWrite(plan: string, question: string, yes: boolean | undefined): Promise<void> {
    if (yes || !canPrompt() || this.jsonEnabled()) return
    process.stderr.write(plan + '\n')
    const {confirm} = await import('./output/prompt.js')
    if (!(await confirm(question, false))) throw new UserError('cancelled; nothing was changed')
  }

  /** The restarts after a write (or alone, for restart-apps), speaking through this command's progress. */
  protected async restartAfterWrite(session: ClusterSession, plan: RestartPlan): Promise<RestartsResult> {
    const {runRestarts} = await import('./restarts/run.js')
    const events: RestartEvents = {
      line: (kind, message) => {
        this.progress(kind, message)
      },
      wait: (title) => this.startWait(title),
      block: (text) => process.stderr.write(text + '\n'),
      tty: isTty('stderr'),
    }
    return runRestarts(session, plan, events)
  }

  override async finally(error: Error | undefined): Promise<unknown> {
    if (error === undefined && this.bannerCertificates !== undefined) {
      try {
        const certificates = await this.bannerCertificates
        const text = certificates ? expiryBanner(certificates) : undefined
        if (text) process.stderr.write(statusLine('stderr', 'warning', text) + '\n')
      } catch {
        // The banner never fails a command.
      }
    }
    return super.finally(error)
  }
}
