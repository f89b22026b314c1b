// The daprsystem Configuration as a settings target: read by name with its resourceVersion and owners, and its
// spec.mtls patched only if nobody changed it since.
import {UserError} from '../errors.js'
import type {SettingsTarget} from '../settings/target.js'
import type {KubeClients} from './client.js'
import {daprSystemConfigName, patchDaprSystemMtls, readDaprSystemConfiguration} from './configuration.js'
import type {ControlPlane} from './control-plane.js'
import {ownersOf} from './ownership.js'

export function clusterSettingsTarget(clients: KubeClients, controlPlane: ControlPlane): SettingsTarget {
  const {namespace, trustDomain} = controlPlane
  let resourceVersion: string | undefined
  return {
    async read() {
      const object = await readDaprSystemConfiguration(clients, namespace)
      if (object === undefined) {
        throw new UserError(`no ${daprSystemConfigName} Configuration in namespace ${namespace}`, {
          hint: 'Is Dapr installed there? Pass -n with the control-plane namespace.',
        })
      }
      resourceVersion = object.metadata?.resourceVersion
      return {
        mtls: object.spec?.mtls ?? {},
        context: {
          mode: 'kubernetes',
          location: `${daprSystemConfigName} in namespace ${namespace}`,
          namespace,
          owners: ownersOf(object.metadata),
          sentryId: `spiffe://${trustDomain}/ns/${namespace}/dapr-sentry`,
        },
      }
    },
    async write(edit) {
      if (resourceVersion === undefined) throw new Error('read the Configuration before writing it')
      await patchDaprSystemMtls(clients, namespace, resourceVersion, edit)
    },
  }
}
