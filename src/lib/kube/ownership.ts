// Who else manages the trust-bundle objects: a Helm release, an Argo CD application or a Flux kustomization/release.
// A direct write works, but their next sync or upgrade can put back (or blank) what they render, and an empty
// Secret makes Sentry generate a new CA. Pure: object metadata in, owners and what to do out.

export interface Owner {
  manager: 'Helm' | 'Argo CD' | 'Flux'
  /** e.g. "release dapr in namespace dapr-system", "application dapr", "kustomization infra/dapr". */
  name: string
}

interface Metadata {
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export function ownersOf(metadata: Metadata | undefined): Owner[] {
  const labels = metadata?.labels ?? {}
  const annotations = metadata?.annotations ?? {}
  const owners: Owner[] = []
  const helmRelease = annotations['meta.helm.sh/release-name']
  if (helmRelease !== undefined || labels['app.kubernetes.io/managed-by'] === 'Helm') {
    const namespace = annotations['meta.helm.sh/release-namespace']
    owners.push({
      manager: 'Helm',
      name: `release ${helmRelease ?? labels['app.kubernetes.io/instance'] ?? '(unknown)'}${namespace ? ` in namespace ${namespace}` : ''}`,
    })
  }
  const argoTracking = annotations['argocd.argoproj.io/tracking-id']
  const argoInstance = labels['argocd.argoproj.io/instance']
  if (argoTracking !== undefined || argoInstance !== undefined) {
    owners.push({manager: 'Argo CD', name: `application ${(argoTracking ?? argoInstance ?? '').split(':')[0] ?? ''}`})
  }
  const fluxKustomization = labels['kustomize.toolkit.fluxcd.io/name']
  if (fluxKustomization !== undefined) {
    const namespace = labels['kustomize.toolkit.fluxcd.io/namespace']
    owners.push({manager: 'Flux', name: `kustomization ${namespace ? `${namespace}/` : ''}${fluxKustomization}`})
  }
  const fluxHelmRelease = labels['helm.toolkit.fluxcd.io/name']
  if (fluxHelmRelease !== undefined) {
    const namespace = labels['helm.toolkit.fluxcd.io/namespace']
    owners.push({manager: 'Flux', name: `HelmRelease ${namespace ? `${namespace}/` : ''}${fluxHelmRelease}`})
  }
  return owners
}

/** What a direct write means for each owner, and how to keep the new bundle: one line per owner. */
export function ownershipWarnings(owners: Owner[], namespace: string): string[] {
  const seen = new Set<string>()
  const lines: string[] = []
  for (const owner of owners) {
    const key = `${owner.manager} ${owner.name}`
    if (seen.has(key)) continue
    seen.add(key)
    switch (owner.manager) {
      case 'Helm':
        lines.push(
          `dapr-trust-bundle is managed by Helm (${owner.name}): a later \`helm upgrade\` without --reuse-values can blank the Secret (Sentry then generates a new CA), and one that sets dapr_sentry.tls.* puts old certificates back. Upgrade with --reuse-values, or hand Helm the new bundle: dapr mtls export -k -n ${namespace} -o <dir>, then --set-file dapr_sentry.tls.root.certPEM=<dir>/ca.crt,dapr_sentry.tls.issuer.certPEM=<dir>/issuer.crt,dapr_sentry.tls.issuer.keyPEM=<dir>/issuer.key.`,
        )
        break
      case 'Argo CD':
        lines.push(
          `dapr-trust-bundle is synced by Argo CD (${owner.name}): its next sync reverts a direct write. Put the new bundle in the application's source first (dapr mtls export -k -n ${namespace} -o <dir>), or have Argo CD ignore differences in the Secret and ConfigMap data.`,
        )
        break
      case 'Flux':
        lines.push(
          `dapr-trust-bundle is reconciled by Flux (${owner.name}): its next reconciliation reverts a direct write. Put the new bundle in its source first (dapr mtls export -k -n ${namespace} -o <dir>), or suspend it while you renew.`,
        )
        break
    }
  }
  return lines
}
