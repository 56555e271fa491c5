// The local runner skips aws-local-stepfunctions' definition validation at every run (it costs
// ~1 s of each CLI run); the definition it executes is validated here instead, with the same
// validator (asl-validator through the library's default constructor).
import { describe, expect, it } from 'vitest'
import '../../src/local/polyfills.js'
import { StateMachine } from 'aws-local-stepfunctions'
import { localDefinitionJson } from '../../src/local/local-state-machine.js'

describe('the local state machine definition', () => {
  it('passes the Amazon States Language validation', () => {
    expect(() => new StateMachine(JSON.parse(localDefinitionJson()))).not.toThrow()
  })

  it('the validator does reject a broken definition (a Next naming no state)', () => {
    const broken = JSON.parse(localDefinitionJson())
    const [first] = Object.keys(broken.States)
    broken.States[first] = { ...broken.States[first], Next: 'NoSuchState', End: undefined }
    expect(() => new StateMachine(broken)).toThrow()
  })
})
