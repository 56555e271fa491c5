// The embedded Step Functions: the very definition CDK deploys (infra/state-machine), run by
// aws-local-stepfunctions, with each Task bound to the handler code the Lambdas run and the
// chunk queue's task-token round trip played by a local chunk runner (a worker pool).
import './polyfills.js'
import { randomUUID } from 'node:crypto'
import { StateMachine } from './step-functions-runtime.js'
import {
  type DefinitionPlaceholder,
  stateMachineDefinitionJson,
  substituteDefinition,
  taskStates,
} from '../../infra/state-machine/definition.js'
import type { ExecutionStarter } from '../pipeline/task-callbacks.js'

/** An execution event of aws-local-stepfunctions (its EventLog type is not exported). */
export type EventLog = StateMachineEvent
type StateMachineEvent = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>> extends IteratorResult<infer E> ? E : never

type Handler = (event: unknown) => Promise<unknown>

export interface LocalStageHandlers {
  prepare: Handler
  assemble: Handler
  analyze: Handler
  report: Handler
  reportFailure: Handler
  chunk: ChunkDispatch
  /** Receives the putEvents task's Parameters ({ Entries }); default: events are dropped. */
  publishEvents?: Handler
}

/** Receives the SQS message body the chunk task sends (with its task token); resolves with the task's output. */
export type ChunkDispatch = (messageBody: Record<string, unknown> & { taskToken: string }) => Promise<unknown>

export const localResourceNames: Record<DefinitionPlaceholder, string> = {
  PrepareFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:voxelflow-prepare',
  AssembleFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:voxelflow-assemble',
  AnalyzeFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:voxelflow-analyze',
  ReportFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:voxelflow-report',
  ReportFailureFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:voxelflow-report-failure',
  ChunkQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/voxelflow-chunks',
  EventBusName: 'default',
}

/** The definition text the local runner executes (exported so a test can compare it with CDK's). */
export function localDefinitionJson(): string {
  return substituteDefinition(stateMachineDefinitionJson(), localResourceNames)
}

export interface ExecutionRecord {
  name: string
  result: Promise<unknown>
}

export class LocalStateMachine implements ExecutionStarter {
  // Not validated at every run: asl-validator compiles its JSON schemas with ajv, ~1 s of each
  // CLI run spent checking a definition that is fixed at build time; it is validated once in
  // test/local/local-definition-valid.test.ts (and by Step Functions at deploy).
  private readonly machine = new StateMachine(JSON.parse(localDefinitionJson()), { validationOptions: { noValidate: true } })
  private readonly executions = new Map<string, ExecutionRecord>()

  constructor(
    private readonly handlers: LocalStageHandlers,
    private readonly onEvent?: (execution: string, event: EventLog) => void,
  ) {}

  async start(name: string, input: unknown): Promise<{ started: boolean; executionId: string }> {
    // Step Functions refuses a second execution with the same name: the same here.
    if (this.executions.has(name)) return { started: false, executionId: name }
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers() as never },
      context: { Task: { Token: 'local' } },
    })
    const record = { name, result: execution.result }
    this.executions.set(name, record)
    if (this.onEvent) void this.forwardEvents(name, execution.eventLogs)
    return { started: true, executionId: name }
  }

  /** The execution's output; rejects with the execution's error when it failed. */
  async wait(name: string): Promise<unknown> {
    const record = this.executions.get(name)
    if (!record) throw new Error(`no execution named ${name}`)
    return record.result
  }

  get executionNames(): string[] {
    return [...this.executions.keys()]
  }

  private taskHandlers() {
    const h = this.handlers
    // Without a sink the events go nowhere, never to a real EventBridge.
    const publishEvents = h.publishEvents ?? (async () => ({ Entries: [], FailedEntryCount: 0 }))
    return {
      [taskStates.caseProcessedEvent]: publishEvents,
      [taskStates.caseFailedEvent]: publishEvents,
      [taskStates.prepare]: h.prepare,
      [taskStates.assemble]: h.assemble,
      [taskStates.analyze]: h.analyze,
      [taskStates.report]: h.report,
      [taskStates.reportFailure]: h.reportFailure,
      [taskStates.chunk]: async (parameters: unknown) => {
        const { MessageBody } = parameters as { MessageBody: Record<string, unknown> }
        // Each chunk task gets its own token, as Step Functions would issue.
        return h.chunk({ ...MessageBody, taskToken: `local-${randomUUID()}` })
      },
    }
  }

  private async forwardEvents(name: string, events: AsyncGenerator<EventLog>) {
    for await (const event of events) this.onEvent?.(name, event)
  }
}
