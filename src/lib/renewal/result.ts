// What a command that writes a trust bundle returns under --json: the write, the restarts after it, what is left.
import type {AppRestartOutcome, RestartOutcome} from '../kube/index.js'
import type {RestartsResult, UnrestartablePod} from '../restarts/run.js'
import type {RenewalResult} from './renew.js'

export type BundleWriteResult = RenewalResult & {
  /** The control-plane workloads restarted (--restart), in order. */
  restarts: RestartOutcome[]
  /** The Dapr-enabled applications restarted (--restart-apps). */
  appRestarts: AppRestartOutcome[]
  /** Pods with a daprd sidecar that no rollout can replace: listed, not touched. */
  notRestartable: UnrestartablePod[]
  nextSteps: string[]
}

export function noRestarts(written: RenewalResult, nextSteps: string[]): BundleWriteResult {
  return {...written, restarts: [], appRestarts: [], notRestartable: [], nextSteps}
}

export function withRestarts(
  written: RenewalResult,
  restarts: RestartsResult | undefined,
  nextSteps: string[],
): BundleWriteResult {
  return {
    ...written,
    restarts: restarts?.controlPlane ?? [],
    appRestarts: restarts?.apps ?? [],
    notRestartable: restarts?.notRestartable ?? [],
    nextSteps,
  }
}
