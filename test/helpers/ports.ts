// Free loopback TCP ports for the processes a test starts (test cluster components, Sentry, daprd, test apps).
import net from 'node:net'

/** A tuple of `N` numbers, so `const [a, b] = await freePorts(2)` needs no checks. */
type Ports<N extends number, Acc extends number[] = []> = Acc['length'] extends N ? Acc : Ports<N, [...Acc, number]>

/**
 * `count` distinct free ports on 127.0.0.1. The listeners are held open together so the kernel hands out distinct
 * ports; a small race remains until the process that gets them binds.
 */
export function freePorts<N extends number>(count: N): Promise<Ports<N>> {
  const servers = Array.from({length: count}, () => net.createServer())
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => {
            resolve((server.address() as net.AddressInfo).port)
          })
        }),
    ),
  )
    .then((ports) => ports as Ports<N>)
    .finally(() => {
      for (const server of servers) server.close()
    })
}
