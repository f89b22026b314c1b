// Helm's failures as the one-line errors the design asks for: Helm's own message, folded onto one line, with a hint
// that names the fix for the failures users meet most (release exists, cluster unreachable, chart missing, timeout).
import {UserError} from '../errors.js'

/** Helm's `Error: …` text without its prefixes, with multi-error lists ("2 errors occurred: * a * b") on one line. */
export function helmMessage(stderr: string): string {
  const lines = stderr.split('\n')
  const start = lines.findIndex((line) => line.startsWith('Error: '))
  const relevant = start < 0 ? lines.filter((line) => line.trim() !== '').slice(-1) : lines.slice(start)
  const text = relevant
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ')
    .replace(/^Error: /, '')
    .replace(/^INSTALLATION FAILED: /, '')
    .replace(/\d+ errors? occurred: \* /, '')
    .replace(/ \* /g, '; ')
  return text === '' ? 'helm exited without a message' : text
}

export interface InstallTarget {
  release: string
  namespace: string
  chart: string
  timeoutSeconds: number
}

export function alreadyInstalled(target: InstallTarget, status: string): UserError {
  return new UserError(
    `Dapr is already installed in namespace ${target.namespace} (Helm release ${target.release}, ${status})`,
    {
      hint: `init does not upgrade. To start over: helm uninstall ${target.release} -n ${target.namespace}`,
    },
  )
}

/** Helm could not reach the API server: the kubeconfig, the context or the cluster is wrong. */
export function clusterUnreachable(message: string): UserError | undefined {
  if (!message.includes('Kubernetes cluster unreachable')) return undefined
  return new UserError(
    `cannot reach the Kubernetes cluster: ${message.replace(/^.*Kubernetes cluster unreachable: /, '')}`,
    {
      hint: 'Helm reads the same kubeconfig: check --kubeconfig, --context and that the cluster is running.',
    },
  )
}

export function installFailure(stderr: string, target: InstallTarget): UserError {
  const message = helmMessage(stderr)
  const leftover = `A failed release may remain: check it with \`helm status ${target.release} -n ${target.namespace}\`, remove it with \`helm uninstall ${target.release} -n ${target.namespace}\`.`
  if (message.includes('cannot re-use a name that is still in use')) return alreadyInstalled(target, 'exists')
  if (message.includes('Kubernetes cluster unreachable')) {
    return new UserError(
      `cannot reach the Kubernetes cluster: ${message.replace(/^Kubernetes cluster unreachable: /, '')}`,
      {
        hint: 'Helm reads the same kubeconfig: check --kubeconfig, --context and that the cluster is running.',
      },
    )
  }
  if (/context deadline exceeded|timed out waiting|timeout waiting/i.test(message)) {
    return new UserError(`the control plane was not ready within ${target.timeoutSeconds} seconds: ${message}`, {
      hint: `See what is starting with \`dapr status -k -n ${target.namespace}\`. ${leftover}`,
    })
  }
  if (
    /not a valid chart repository|failed to fetch|failed to download|path ".*" not found|chart ".*" .*not found|no chart/i.test(
      message,
    )
  ) {
    return new UserError(`cannot get the chart ${target.chart}: ${message}`, {
      hint: 'Check the network or the chart name; in an air-gapped cluster pass --chart with a local path or an oci:// reference.',
    })
  }
  if (message.includes('rendered manifests contain a resource that already exists')) {
    return new UserError(`helm install failed: ${message}`, {
      hint: `Objects of another Dapr installation (not Helm release ${target.release}) are in the way: remove them, or install into another namespace with -n.`,
    })
  }
  return new UserError(`helm install failed: ${message}`, {hint: leftover})
}
