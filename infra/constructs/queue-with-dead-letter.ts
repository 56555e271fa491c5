import { Duration } from 'aws-cdk-lib'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'

export interface QueueWithDeadLetterProps {
  /** Must be at least the timeout of the function that consumes the queue. */
  readonly visibilityTimeout: Duration
  /** Receives before a message moves to the dead-letter queue (default 3). */
  readonly maxReceiveCount?: number
  /** How long the dead-letter queue keeps messages for inspection (default 14 days, the maximum). */
  readonly deadLetterRetention?: Duration
}

/** An SQS queue (SQS-managed encryption, TLS only) with its own dead-letter queue. */
export class QueueWithDeadLetter extends Construct {
  readonly queue: sqs.Queue
  readonly deadLetterQueue: sqs.Queue

  constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id)
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    })
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    })
  }
}
