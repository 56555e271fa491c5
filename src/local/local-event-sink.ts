// The local EventBridge: the state machine's putEvents task appends each entry, shaped as the
// event EventBridge would deliver, as one line of a JSON-lines file.
import { randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { caseEventEntrySchema } from '../pipeline/case-events.js'

const putEventsParametersSchema = z.object({ Entries: z.array(caseEventEntrySchema).min(1) })

/** A PutEvents stand-in that appends to `file`; answers as PutEvents does. */
export function jsonlEventSink(file: string) {
  return async (parameters: unknown) => {
    const { Entries } = putEventsParametersSchema.parse(parameters)
    await fs.mkdir(path.dirname(file), { recursive: true })
    const events = Entries.map((entry) => ({
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      time: new Date().toISOString(),
      resources: [],
      'event-bus-name': entry.EventBusName,
      detail: entry.Detail,
    }))
    await fs.appendFile(file, events.map((e) => `${JSON.stringify(e)}\n`).join(''))
    return { Entries: events.map((e) => ({ EventId: e.id })), FailedEntryCount: 0 }
  }
}
