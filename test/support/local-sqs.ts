// A real SQS-compatible server (fauxqs 1.x, in memory) on 127.0.0.1 with a random port.
// fauxqs's own startFauxqs() listens on 0.0.0.0, so this builds its app and listens on the
// loopback address only. Queue URLs then carry the request's host (127.0.0.1:<port>).
// Point clients at it with createSqsClient({ endpoint }) (src/aws/clients.ts).

import { buildApp } from 'fauxqs'

export interface LocalSqs {
  /** http://127.0.0.1:<port> */
  endpoint: string
  stop(): Promise<void>
}

export async function startLocalSqs(): Promise<LocalSqs> {
  const app = buildApp({ logger: false })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = new URL(address)
  let stopped = false
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return
      stopped = true
      // fauxqs sets forceCloseConnections, and its preClose hook stops its poll timers.
      await app.close()
    },
  }
}
