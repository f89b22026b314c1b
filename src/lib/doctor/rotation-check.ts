// Doctor's view of a root rotation: none in progress, or which phase comes next and whether every sidecar already
// trusts the new root (switch-issuer waits for that). Two roots in the bundle are expected during a rotation.
import type {TrustBundle} from '../certs/index.js'
import {type RotationState, rotationStatus, type Sidecar, sidecarsMissingRoot} from '../rotation/phases.js'
import type {DoctorCheck} from './checks.js'

const title = 'root rotation'

/** Pure: the rotation check; `sidecars` undefined when they could not be listed. */
export function rotationCheck(
  bundle: TrustBundle,
  state: RotationState | undefined,
  sidecars: Sidecar[] | undefined,
  rotateCommand: string,
): DoctorCheck {
  let status: ReturnType<typeof rotationStatus>
  try {
    status = rotationStatus(bundle, state)
  } catch (error) {
    return {id: 'rotation', title, status: 'error', detail: `the rotation state cannot be read: ${String(error)}`}
  }
  if (status.phase === 'none') return {id: 'rotation', title, status: 'ok', detail: 'none in progress'}
  if (status.phase === 'conflict') {
    return {
      id: 'rotation',
      title,
      status: 'fail',
      detail: `a rotation is in progress, but ${status.reason}`,
      hint: `Check the bundle, then \`${rotateCommand} --status\`.`,
    }
  }
  const next = `${status.phase}${status.written ? ' (its write is done; run it again to complete it)' : ''}`
  if (status.phase === 'switch-issuer' && !status.written && sidecars !== undefined && state !== undefined) {
    const missing = sidecarsMissingRoot(sidecars, state.newRootCertPem)
    if (missing.count > 0) {
      const owners = [...missing.byOwner.keys()]
      return {
        id: 'rotation',
        title,
        status: 'warn',
        detail: `in progress, next phase ${next}; ${missing.count} sidecar${missing.count === 1 ? '' : 's'} do not trust the new root yet, so the switch waits for them`,
        hint: `Restart them (\`${rotateCommand} --phase switch-issuer --restart-apps\` does), then switch.`,
        items: owners,
      }
    }
  }
  return {
    id: 'rotation',
    title,
    status: 'ok',
    detail: `in progress (two roots are expected until it prunes), next phase ${next}`,
  }
}
