// Upload queue -> S3 notifications -> ingest each object. Bad input (a broken manifest) is
// logged and dropped; internal faults put the record back for a retry (batch item failure).
import { parseS3NotificationBody, decodeS3Key } from '../../src/aws/s3-event.js'
import { sqsEventSchema } from '../../src/aws/sqs-event.js'
import { isBadInput, errorMessage } from '../../src/pipeline/errors.js'
import { type IngestDependencies, type IngestOutcome, ingestObject } from '../../src/pipeline/ingest.js'

export function createIngestHandler(deps: IngestDependencies, log: (entry: Record<string, unknown>) => void = defaultLog) {
  return async (event: unknown) => {
    const batchItemFailures: { itemIdentifier: string }[] = []
    const outcomes: IngestOutcome[] = []
    for (const record of sqsEventSchema.parse(event).Records) {
      try {
        const notification = parseS3NotificationBody(record.body)
        if (notification.kind !== 'records') continue
        for (const s3 of notification.event.Records) {
          const outcome = await ingestObject(s3.s3.bucket.name, decodeS3Key(s3.s3.object.key), deps)
          outcomes.push(outcome)
          log({ stage: 'ingest', ...outcome })
        }
      } catch (error) {
        if (isBadInput(error)) log({ stage: 'ingest', level: 'error', kind: 'bad_input', message: errorMessage(error) })
        else {
          log({ stage: 'ingest', level: 'error', kind: 'internal', message: errorMessage(error) })
          batchItemFailures.push({ itemIdentifier: record.messageId })
        }
      }
    }
    return { batchItemFailures, outcomes }
  }
}

function defaultLog(entry: Record<string, unknown>): void {
  console.log(JSON.stringify(entry))
}
