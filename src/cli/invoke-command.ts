// `voxelflow invoke <function> <event.json> [--local <dir> | --aws]`: run one Lambda handler here
// with a real-shaped event (events/*.json). Prints the handler's answer (and, locally, the
// executions it would start and the task tokens it would answer) as JSON.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { invokableFunctions, invokeFunction } from '../local/invoke-function.js'

export interface InvokeFlags {
  local?: string
  aws?: boolean
}

export async function runInvokeCommand(name: string, eventFile: string, flags: InvokeFlags) {
  const text = await fs.readFile(eventFile, 'utf8').catch(() => {
    throw new BadInputError('cannot read the event file', { file: eventFile })
  })
  let event: unknown
  try {
    event = JSON.parse(text)
  } catch (error) {
    throw new BadInputError(`event is not JSON: ${errorMessage(error)}`, { file: eventFile })
  }
  if (flags.aws && flags.local) throw new BadInputError('give --local or --aws, not both', { field: 'aws' })
  return invokeFunction(name, event, { localRoot: flags.aws ? undefined : (flags.local ?? '.voxelflow-local') })
}

export function registerInvokeCommand(program: Command): void {
  program
    .command('invoke')
    .description(`run one Lambda handler locally with an event file (${invokableFunctions.join(', ')})`)
    .argument('<function>', 'function name, as its folder under functions/')
    .argument('<event.json>', 'the event, e.g. events/s3-put-through-sqs.json')
    .option('--local <dir>', 'folder whose subfolders play the buckets named in the event (default .voxelflow-local)')
    .option('--aws', 'use the AWS wiring of the Lambda: buckets, queues and the state machine from the environment')
    .action(async (name: string, eventFile: string, flags: InvokeFlags) => {
      console.log(JSON.stringify(await runInvokeCommand(name, eventFile, flags), null, 2))
    })
}
