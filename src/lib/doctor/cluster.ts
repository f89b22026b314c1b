// `mtls doctor -k`: reads the bundle, the sidecar pods and the user's rights at once, and turns them into checks.
// A read that fails makes its checks ERROR (could not check) rather than stopping the others.
import {issuerChainsTo} from '../certs/index.js'
import type {ClusterSession} from '../kube-command.js'
import type {Sidecar} from '../rotation/phases.js'
import type {SidecarPod} from '../kube/index.js'
import {bundleChecks, type DoctorCheck, errorCheck} from './checks.js'
import {
  accessCheck,
  configMapCheck,
  ownershipCheck,
  type SidecarAnchors,
  sentryKeysCheck,
  sidecarCheck,
} from './cluster-checks.js'
import {type DoctorReport, doctorReport} from './report.js'
import {rotationCheck} from './rotation-check.js'

export async function clusterDoctor(session: ClusterSession, options: {warnDays: number}): Promise<DoctorReport> {
  const {kube, clients, controlPlane} = session
  const {namespace, keys} = controlPlane
  const rules = kube.renewalAccessRules(namespace)
  const [read, pods, access, user, rotation] = await Promise.allSettled([
    kube.readTrustBundle(clients, controlPlane),
    kube.listSidecarPods(clients),
    kube.reviewAccess(clients, rules),
    kube.currentUser(clients),
    kube.readRotationState(clients, namespace),
  ])
  const checks: DoctorCheck[] = []
  let issuer: string | undefined
  if (read.status === 'fulfilled') {
    const current = read.value
    checks.push(configMapCheck(kube.trustBundleProblems(current), namespace))
    checks.push(
      ...bundleChecks(current.bundle, {
        warnDays: options.warnDays,
        clockSkewMs: controlPlane.config.clockSkewMs,
        sentryVersion: controlPlane.sentryVersion,
        sources: keys,
      }),
    )
    issuer = current.bundle.issuerCertPem
    checks.push(
      sentryKeysCheck({
        namespace,
        sentryOwnedKeys: current.sentryOwnedKeys,
        pendingIssuerCertPem: current.pendingIssuerCertPem,
        pendingChains: pendingChains(current),
      }),
      ownershipCheck(
        current.owners.map((o) => `${o.manager} (${o.name})`),
        kube.ownershipWarnings(current.owners, namespace),
      ),
    )
    checks.push(
      rotation.status === 'fulfilled'
        ? rotationCheck(
            current.bundle,
            rotation.value?.state,
            pods.status === 'fulfilled' ? pods.value.map((pod) => rotationSidecar(kube, pod)) : undefined,
            `dapr mtls rotate -k -n ${namespace}`,
          )
        : errorCheck('rotation', 'root rotation', rotation.reason),
    )
  } else {
    checks.push(errorCheck('bundle', 'the trust bundle can be read', read.reason))
  }
  if (pods.status === 'rejected') checks.push(errorCheck('sidecars', 'sidecars trust the root in use', pods.reason))
  else if (issuer === undefined) {
    checks.push(
      errorCheck('sidecars', 'sidecars trust the root in use', new Error('the trust bundle could not be read')),
    )
  } else
    checks.push(
      sidecarCheck(
        pods.value.map((pod) => sidecarAnchors(kube, pod)),
        issuer,
      ),
    )
  let manifest: string | undefined
  if (access.status === 'fulfilled') {
    const missing = access.value.filter((r) => !r.allowed).map((r) => r.rule)
    const who = user.status === 'fulfilled' ? user.value : undefined
    manifest = missing.length > 0 && who ? kube.accessManifest(missing, namespace, who) : undefined
    const describe = (r: (typeof missing)[number]) =>
      `${r.verb} ${r.group ? `${r.resource}.${r.group}` : r.resource}${r.name ? ` ${r.name}` : ''} ${r.namespace ? `in ${r.namespace}` : 'in all namespaces'}`
    checks.push(accessCheck(missing.map(describe), manifest, rules.length))
  } else {
    checks.push(errorCheck('access', 'you may do what a renewal needs', access.reason))
  }
  return doctorReport(
    'kubernetes',
    `${namespace}/${kube.trustBundleName}`,
    controlPlane.sentryVersion,
    checks,
    manifest,
  )
}

function pendingChains(current: {
  pendingIssuerCertPem: string | undefined
  bundle: {rootCertPem: string}
}): boolean | undefined {
  if (current.pendingIssuerCertPem === undefined) return undefined
  try {
    return issuerChainsTo(current.pendingIssuerCertPem, current.bundle.rootCertPem)
  } catch {
    return false
  }
}

function sidecarAnchors(kube: ClusterSession['kube'], pod: SidecarPod): SidecarAnchors {
  return {
    namespace: pod.namespace,
    name: pod.name,
    owner: pod.owner ? kube.formatWorkload(pod.owner) : `${pod.namespace}/pod/${pod.name} (${pod.ownerDescription})`,
    restartable: pod.owner !== undefined,
    trustAnchorsPem: pod.trustAnchorsPem,
  }
}

/** A sidecar pod as the rotation guard sees it. */
function rotationSidecar(kube: ClusterSession['kube'], pod: SidecarPod): Sidecar {
  return {
    name: `${pod.namespace}/${pod.name}`,
    owner: pod.owner ? kube.formatWorkload(pod.owner) : `${pod.namespace}/${pod.ownerDescription}`,
    replaceable: pod.owner !== undefined,
    trustAnchorsPem: pod.trustAnchorsPem,
  }
}
