// How a chunk worker answers the state machine's task token. In the cloud: Step Functions'
// SendTaskSuccess/Failure; locally: the in-process runner that is waiting for the chunk.

export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void>
  fail(taskToken: string, error: string, cause: string): Promise<void>
}

/** Starts one state-machine execution; a second start with the same name starts nothing. */
export interface ExecutionStarter {
  start(name: string, input: unknown): Promise<{ started: boolean; executionId: string }>
}
