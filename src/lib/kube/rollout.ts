// Is a rollout done, and if not, what is it waiting for? Pure functions of a workload's spec and status, with
// kubectl's rollout-status rules; the polling loop lives in restart.ts.
import type {V1DaemonSet, V1Deployment, V1StatefulSet} from '@kubernetes/client-node'

export interface RolloutState {
  done: boolean
  message: string
  /** Set when the rollout can never finish on its own (progress deadline exceeded, unsupported strategy). */
  failure?: string
}

export function deploymentRolloutState(deployment: V1Deployment): RolloutState {
  const name = deployment.metadata?.name ?? 'deployment'
  const generation = deployment.metadata?.generation ?? 0
  const status = deployment.status ?? {}
  if (generation > (status.observedGeneration ?? 0)) {
    return {done: false, message: 'Waiting for deployment spec update to be observed'}
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      message: `deployment "${name}" exceeded its progress deadline`,
      failure: 'progress deadline exceeded',
    }
  }
  const desired = deployment.spec?.replicas ?? 1
  const updated = status.updatedReplicas ?? 0
  const total = status.replicas ?? 0
  const available = status.availableReplicas ?? 0
  if (updated < desired) return {done: false, message: `${updated} out of ${desired} new replicas have been updated`}
  if (total > updated) return {done: false, message: `${total - updated} old replicas are pending termination`}
  if (available < updated) return {done: false, message: `${available} of ${updated} updated replicas are available`}
  return {done: true, message: 'successfully rolled out'}
}

export function statefulSetRolloutState(statefulSet: V1StatefulSet): RolloutState {
  const strategy = statefulSet.spec?.updateStrategy?.type ?? 'RollingUpdate'
  if (strategy !== 'RollingUpdate') {
    return {
      done: false,
      message: `${strategy} update strategy`,
      failure: 'only RollingUpdate StatefulSets can be waited for',
    }
  }
  const generation = statefulSet.metadata?.generation ?? 0
  const status = statefulSet.status ?? {replicas: 0}
  if ((status.observedGeneration ?? 0) === 0 || generation > (status.observedGeneration ?? 0)) {
    return {done: false, message: 'Waiting for statefulset spec update to be observed'}
  }
  const desired = statefulSet.spec?.replicas ?? 1
  const ready = status.readyReplicas ?? 0
  if (ready < desired) return {done: false, message: `Waiting for ${desired - ready} pods to be ready`}
  const partition = statefulSet.spec?.updateStrategy?.rollingUpdate?.partition ?? 0
  if (partition > 0) {
    const needed = desired - partition
    const updated = status.updatedReplicas ?? 0
    if (updated < needed)
      return {
        done: false,
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${needed} new pods have been updated`,
      }
    return {done: true, message: `partitioned roll out complete: ${updated} new pods have been updated`}
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      done: false,
      message: `waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision ?? ''}`,
    }
  }
  return {done: true, message: 'successfully rolled out'}
}

export function daemonSetRolloutState(daemonSet: V1DaemonSet): RolloutState {
  const name = daemonSet.metadata?.name ?? 'daemon set'
  const strategy = daemonSet.spec?.updateStrategy?.type ?? 'RollingUpdate'
  if (strategy !== 'RollingUpdate') {
    return {
      done: false,
      message: `${strategy} update strategy`,
      failure: 'only RollingUpdate DaemonSets can be waited for',
    }
  }
  const generation = daemonSet.metadata?.generation ?? 0
  const status = daemonSet.status
  if (status === undefined || generation > (status.observedGeneration ?? 0)) {
    return {done: false, message: 'Waiting for daemon set spec update to be observed'}
  }
  const desired = status.desiredNumberScheduled
  const updated = status.updatedNumberScheduled ?? 0
  if (updated < desired) {
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated`,
    }
  }
  const available = status.numberAvailable ?? 0
  if (available < desired) {
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available`,
    }
  }
  return {done: true, message: 'successfully rolled out'}
}
