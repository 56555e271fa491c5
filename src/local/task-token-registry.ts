// Task tokens without Step Functions: whoever sent a chunk waits on its token; the chunk
// worker's TaskCallbacks settle it (what SendTaskSuccess/SendTaskFailure do in the cloud).
import type { TaskCallbacks } from '../pipeline/task-callbacks.js'

/** A failed task, shaped like the error Step Functions raises from SendTaskFailure. */
export class TaskFailedError extends Error {
  constructor(name: string, message: string) {
    super(message)
    this.name = name
  }
}

export class TaskTokenRegistry {
  private readonly waiting = new Map<string, { resolve: (output: unknown) => void; reject: (error: Error) => void }>()

  /** Resolves with the task's output once a worker answers the token. */
  wait(taskToken: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.waiting.set(taskToken, { resolve, reject }))
  }

  readonly callbacks: TaskCallbacks = {
    succeed: async (taskToken, output) => this.settle(taskToken, (w) => w.resolve(output)),
    fail: async (taskToken, error, cause) => this.settle(taskToken, (w) => w.reject(new TaskFailedError(error, cause))),
  }

  /** Fail every waiting task (a worker died). */
  failAll(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error)
    this.waiting.clear()
  }

  private settle(taskToken: string, how: (w: { resolve: (output: unknown) => void; reject: (error: Error) => void }) => void) {
    const waiter = this.waiting.get(taskToken)
    // An unknown token is a late duplicate (at-least-once delivery): Step Functions ignores it too.
    if (!waiter) return
    this.waiting.delete(taskToken)
    how(waiter)
  }
}
