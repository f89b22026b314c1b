// Where a bundle lives, seen the same way for the certificates directory and the cluster, so one renewal flow
// serves both.
import type {TrustBundle} from '../certs/index.js'
import type {ControlPlaneSettings} from './new-bundle.js'

export interface BundleTarget {
  /** A directory, or namespace/name of the trust bundle objects. */
  readonly location: string
  /** Descriptions of the objects or files a write replaces. */
  readonly writes: string[]
  settings(): Promise<ControlPlaneSettings>
  /** The bundle in place now; undefined when there is none yet. */
  readCurrent(): Promise<TrustBundle | undefined>
  /**
   * What the place itself demands of a new bundle, checked before anything is written (throws when it cannot take
   * it); returns warnings about writing there (e.g. a GitOps tool that would revert the write).
   */
  check?(next: TrustBundle): Promise<string[]>
  /** Whether the place already holds exactly this bundle everywhere (a cluster: in the Secret and the ConfigMap). */
  holds?(bundle: TrustBundle): Promise<boolean>
  /** Replaces the bundle; returns where the old one was saved. */
  write(bundle: TrustBundle): Promise<{backup: string | undefined}>
}
