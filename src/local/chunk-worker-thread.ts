// One worker thread of the local chunk pool: runs the chunk-worker Lambda handler unchanged,
// answering task tokens to the main thread instead of Step Functions.
import { parentPort, workerData } from 'node:worker_threads'
import { createChunkWorkerHandler } from '../../functions/chunk-worker/create-handler.js'
import { folderStores, type BucketFolders } from './folder-stores.js'
import { localSqsEvent } from './local-sqs-event.js'

const port = parentPort
if (!port) throw new Error('chunk-worker-thread must run as a worker thread')
const { buckets, scratchRoot } = workerData as { buckets: BucketFolders; scratchRoot?: string }

const handler = createChunkWorkerHandler(
  { stores: folderStores(buckets), scratchRoot },
  {
    async succeed(taskToken, output) {
      port.postMessage({ taskToken, ok: true, output })
    },
    async fail(taskToken, error, cause) {
      port.postMessage({ taskToken, ok: false, error, cause })
    },
  },
)

port.on('message', (body: string) => {
  handler(localSqsEvent(body)).catch((error: unknown) => {
    port.postMessage({ taskToken: (JSON.parse(body) as { taskToken: string }).taskToken, ok: false, error: 'Error', cause: String(error) })
  })
})
