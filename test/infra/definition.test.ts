// What CDK deploys is what the embedded runner executes: the DefinitionString of the template,
// with its DefinitionSubstitutions filled in as Step Functions fills them, equals the shared
// definition filled in by substituteDefinition with the same values.
import { Stack, type CfnElement } from 'aws-cdk-lib'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  definitionPlaceholders,
  stateMachineDefinition,
  stateMachineDefinitionJson,
  substituteDefinition,
  type DefinitionPlaceholder,
} from '../../infra/state-machine/definition.js'
import { synthStack } from './synth.js'
import { localDefinitionJson, localResourceNames } from '../../src/local/local-state-machine.js'

type Intrinsic = string | { Ref: string } | { 'Fn::GetAtt': [string, string] }

/** A plausible resolved value for each intrinsic, distinct per resource. */
function fakeResolve(value: Intrinsic): string {
  if (typeof value === 'string') return value // e.g. the event bus name "default"
  if ('Ref' in value) return `https://sqs.eu-central-1.amazonaws.com/123456789012/${value.Ref}`
  const [id, attribute] = value['Fn::GetAtt']
  expect(attribute).toBe('Arn')
  return `arn:aws:lambda:eu-central-1:123456789012:function:${id}`
}

/** Step Functions' DefinitionSubstitutions: every `${Key}` whose Key is in the map is replaced. */
function applySubstitutions(definition: string, substitutions: Record<string, string>): string {
  return definition.replace(/\$\{([^}]+)\}/g, (whole, key: string) => (key in substitutions ? substitutions[key] : whole))
}

function deployed(options?: Parameters<typeof synthStack>[0]) {
  const { stack, template } = synthStack(options)
  const id = Stack.of(stack).getLogicalId(stack.caseStateMachine.stateMachine.node.defaultChild as CfnElement)
  const props = template.toJSON().Resources[id].Properties as {
    DefinitionString: unknown
    DefinitionSubstitutions: Record<string, Intrinsic>
  }
  return { stack, props }
}

let defaults: ReturnType<typeof deployed>

beforeAll(() => {
  defaults = deployed()
})

describe('deployed state-machine definition', () => {
  it('is the shared definition, verbatim, with the placeholders left for Step Functions', () => {
    const { stack, props } = defaults
    // A plain string: no CloudFormation intrinsics were spliced into it.
    expect(typeof props.DefinitionString).toBe('string')
    expect(props.DefinitionString).toBe(stateMachineDefinitionJson(stack.definitionOptions))
    expect(Object.keys(props.DefinitionSubstitutions).sort()).toEqual([...definitionPlaceholders].sort())
  })

  it('after substitution equals substituteDefinition(stateMachineDefinitionJson(), same values)', () => {
    const { stack, props } = defaults
    const values = Object.fromEntries(
      Object.entries(props.DefinitionSubstitutions).map(([key, value]) => [key, fakeResolve(value)]),
    ) as Record<DefinitionPlaceholder, string>

    const asDeployed = applySubstitutions(props.DefinitionString as string, values)
    const asRunLocally = substituteDefinition(stateMachineDefinitionJson(stack.definitionOptions), values)
    expect(asDeployed).toBe(asRunLocally)
    expect(asDeployed).not.toMatch(/\$\{[A-Za-z]+\}/)

    const parsed = JSON.parse(asDeployed)
    expect(parsed.States.Prepare.Resource).toBe(values.PrepareFunctionArn)
    expect(parsed.States.Chunks.ItemProcessor.States.ProcessChunk.Parameters.QueueUrl).toBe(values.ChunkQueueUrl)
    expect(parsed.States.ReportFailure.Resource).toBe(values.ReportFailureFunctionArn)
    expect(parsed.States.EmitCaseProcessed.Parameters.Entries[0].EventBusName).toBe('default')
  })

  it('is what the embedded runner executes: the template definition with the local stand-ins substituted', () => {
    const { props } = defaults
    expect(Object.keys(localResourceNames).sort()).toEqual(Object.keys(props.DefinitionSubstitutions).sort())
    expect(localDefinitionJson()).toBe(applySubstitutions(props.DefinitionString as string, localResourceNames))
  })

  it('uses the default definition options unless the stack is given others', () => {
    const { props } = defaults
    expect(JSON.parse(props.DefinitionString as string)).toEqual(stateMachineDefinition())

    const options = { chunkConcurrency: 4, chunkTimeoutSeconds: 600, stageTimeoutSeconds: 300 }
    const custom = deployed({ definitionOptions: options })
    expect(custom.props.DefinitionString).toBe(stateMachineDefinitionJson(options))
    expect(JSON.parse(custom.props.DefinitionString as string).States.Chunks.MaxConcurrency).toBe(4)
  })
})
