// Shared by the infra tests: the stack as `cdk synth` builds it (cdk.json context and feature
// flags), with asset bundling skipped so a synth takes a second, not minutes.
import { readFileSync } from 'node:fs'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { projectRoot } from '../../infra/bundling.js'
import { VoxelflowStack, type VoxelflowStackProps } from '../../infra/voxelflow-stack.js'

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(`${projectRoot}/cdk.json`, 'utf8')) as { context?: Record<string, unknown> }
  return cdkJson.context ?? {}
}

export function synthStack(props: VoxelflowStackProps = {}): { stack: VoxelflowStack; template: Template } {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      // No stack needs its assets bundled: NodejsFunction skips esbuild entirely.
      'aws:cdk:bundling-stacks': [],
    },
  })
  const stack = new VoxelflowStack(app, 'VoxelflowTest', props)
  return { stack, template: Template.fromStack(stack) }
}
