// cdk-nag's AwsSolutions pack over an app: the findings left after the acknowledgements in code.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { App, type Stack, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { cdkJsonContext } from './synth.js'

export interface NagFinding {
  rule: string
  path: string
}

export function nagApp(): App {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'vf-nag-'))
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return app
}

/** Synthesizes the app; returns the unacknowledged findings (empty when synth passes validation). */
export function nagFindings(app: App): NagFinding[] {
  try {
    app.synth()
    return []
  } catch (error) {
    const report = path.join(app.outdir, 'validation-report.json')
    if (!existsSync(report)) throw error
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[]
    }
    return parsed.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath }))),
    )
  }
}

/** Every acknowledgement recorded in the construct tree of `stack`. */
export function acknowledgements(stack: Stack): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = []
  const visit = (construct: IConstruct) => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue
      // Recorded as { "Annotation::<rule id>": reason }.
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: id.replace(/^Annotation::/, ''), reason })
      }
    }
    for (const child of construct.node.children) visit(child)
  }
  visit(stack)
  return found
}
