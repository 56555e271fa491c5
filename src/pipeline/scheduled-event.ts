// What an EventBridge schedule rule delivers to its Lambda target (detail-type "Scheduled Event").
import { z } from 'zod'

export const scheduledEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
})

export type ScheduledEvent = z.infer<typeof scheduledEventSchema>
