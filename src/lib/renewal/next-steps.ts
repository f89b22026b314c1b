// What happens after a bundle is written and what is left to the user, as plain sentences: printed after a renewal
// (and in its plan), and carried in the JSON result, so nobody is left thinking the job is done when it is not.

export interface ClusterNextStepsOptions {
  rootKept: boolean
  restartingControlPlane: boolean
  /** With --restart-apps: the namespaces whose applications are restarted (empty: all of them). */
  restartingApps?: string[] | undefined
}

/** After a cluster write. Sentry reloads by itself; sidecars keep the roots they were injected with. */
export function clusterNextSteps(options: ClusterNextStepsOptions): string[] {
  const steps = [
    'Sentry switches to the new bundle by itself as soon as the Secret reaches its pod (about a minute; no restart needed).',
  ]
  if (options.rootKept) {
    steps.push(
      'The root key is unchanged, so running Dapr applications keep trusting new certificates: no app restart is needed.',
    )
    return steps
  }
  if (!options.restartingControlPlane) {
    steps.push(
      'Restart the rest of the control plane (--restart, or kubectl rollout restart): the sidecar injector must hand the new root to new pods.',
    )
  }
  const apps = options.restartingApps
  if (apps === undefined) {
    steps.push(
      'The root changed: every Dapr-enabled application must be restarted to trust it, because a sidecar keeps the roots it was injected with; until then, calls between restarted and not yet restarted applications fail.',
    )
  } else if (apps.length > 0) {
    steps.push(
      `The root changed: the Dapr-enabled applications in ${apps.join(', ')} are restarted (--restart-apps); those in other namespaces must be restarted too (dapr mtls restart-apps -k), because a sidecar keeps the roots it was injected with.`,
    )
  }
  return steps
}
