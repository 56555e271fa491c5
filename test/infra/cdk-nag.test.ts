// cdk-nag's AwsSolutions pack over the deployed stack: zero unacknowledged findings, and every
// acknowledgement carries a reason in code.
import { Stack } from 'aws-cdk-lib'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { describe, expect, it } from 'vitest'
import { VoxelflowStack } from '../../infra/voxelflow-stack.js'
import { acknowledgements, nagApp, nagFindings } from './nag.js'

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the voxelflow stack, also with the reprocessing schedule on', () => {
    const app = nagApp()
    const stack = new VoxelflowStack(app, 'VoxelflowNag')
    const scheduled = new VoxelflowStack(app, 'VoxelflowNagScheduled', { reprocessSchedule: { expression: 'rate(7 days)', prefix: 'pelvis/' } })
    expect(nagFindings(app)).toEqual([])

    // Each acknowledgement says why, in a sentence, and names one rule (or one finding of it).
    const acks = [...acknowledgements(stack), ...acknowledgements(scheduled)]
    expect(acks.length).toBeGreaterThan(0)
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/)
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(40)
    }
    // No rule is waved through for the whole stack: acknowledgements sit on the resources they concern.
    expect(acks.filter((a) => a.path === stack.node.path || a.path === scheduled.node.path)).toEqual([])
    // Wildcards that remain are object keys below a prefix, never actions.
    expect(acks.filter((a) => a.id.includes('[Action::'))).toEqual([])
  })

  it('does report what it should: a bucket without TLS enforcement or access logs', () => {
    const app = nagApp()
    const stack = new Stack(app, 'Careless')
    new s3.Bucket(stack, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL })
    const rules = nagFindings(app).map((f) => f.rule)
    expect(rules).toContain('AwsSolutions-S1')
    expect(rules).toContain('AwsSolutions-S10')
  })
})
