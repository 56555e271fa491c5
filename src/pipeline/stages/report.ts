// Stage "report": compose report.json from what the earlier stages stored, validate it
// against the schema, and write it last: the report is the commit point of a case.
import { pipelineVersion } from '../version.js'
import { codeVersion } from '../code-version.js'
import { getJson, putJson } from '../object-io.js'
import { type Report, reportSchema, reportSchemaVersion } from '../report-schema.js'
import type { StageContext } from '../stage-context.js'
import { type Analyzed, type Assembled, type CaseRef, type ChunkResult, type Prepared, type RunRef, caseManifestSchema } from '../state.js'
import { outputKeys } from '../work-keys.js'
import { writeAnalyticsRows } from './analytics-rows.js'
import type { Analysis } from './analyze.js'
import type { CaseFacts } from './prepare.js'
import { derivedImagesReport } from '../derived-images-stage.js'
import { augmentationReport } from '../augmentation-stage.js'
import { registrationReport } from '../registration-stage.js'

export interface ReportInput {
  case: CaseRef
  run: RunRef
  prepared: Prepared
  chunkResults: ChunkResult[]
  assembled: Assembled
  analyzed: Analyzed
}

export interface ReportResult {
  report: { bucket: string; key: string }
  status: Report['status']
  /** Bytes read and written for the case (for the metrics). */
  bytes: { input: number; output: number }
}

export async function writeReport(input: ReportInput, context: StageContext): Promise<ReportResult> {
  const started = Date.now()
  const { run } = input
  const facts = await getJson<CaseFacts>(context.stores(input.prepared.facts.bucket), input.prepared.facts.key)
  const analysis = await getJson<Analysis>(context.stores(input.analyzed.analysis.bucket), input.analyzed.analysis.key)
  const output = context.stores(run.outputBucket)
  const sizeOf = async (key: string) => (await output.head(key))?.size
  const chunkMs = input.chunkResults.map((c) => c.ms)
  const work = context.stores(run.workBucket)
  const { config } = caseManifestSchema.parse(await getJson(context.stores(input.case.manifest.bucket), input.case.manifest.key))
  const [derived, augmentation, registration] = await Promise.all([
    derivedImagesReport(config, run, work, output), augmentationReport(config, run, work, output), registrationReport(facts.moving, run, work, output),
  ])
  const code = codeVersion()
  const report: Report = {
    schema_version: reportSchemaVersion,
    status: 'processed',
    dataset: input.case.dataset,
    case_id: input.case.caseId,
    run_id: run.runId,
    created_at: new Date().toISOString(),
    pipeline: { version: pipelineVersion, config_hash: run.configHash, code_version: code.value, code_version_source: code.source },
    inputs: facts.inputs,
    input: facts.input,
    output_grid: {
      size_voxels: facts.outputGrid.size as [number, number, number],
      spacing_mm: facts.outputGrid.spacing as [number, number, number],
    },
    outputs: {
      image: { ...input.assembled.image, size_bytes: await sizeOf(input.assembled.image.key) },
      labels: { ...input.assembled.labels, size_bytes: await sizeOf(input.assembled.labels.key) },
      qc_png: { ...input.assembled.qc, size_bytes: await sizeOf(input.assembled.qc.key) },
      report: { bucket: run.outputBucket, key: outputKeys.report(run) },
    },
    label_source: facts.labelSource,
    labels: analysis.labels,
    landmarks: analysis.landmarks,
    ...(analysis.landmark_prediction ? { landmark_prediction: analysis.landmark_prediction } : {}),
    ...(analysis.metrics ? { metrics: analysis.metrics } : {}),
    timings_ms: {
      prepare: input.prepared.ms,
      chunks_sum: chunkMs.reduce((a, b) => a + b, 0),
      chunk_max: Math.max(0, ...chunkMs),
      assemble: input.assembled.ms,
      analyze: input.analyzed.ms,
      report: Date.now() - started,
      total: Date.now() - Date.parse(run.startedAt),
    },
    ...(facts.n4 ? { intensity: { n4: facts.n4 } } : {}),
    chunks: {
      count: input.prepared.chunks.length,
      max_slices: Math.max(...input.prepared.chunks.map((c) => c.k1 - c.k0)),
      halo_slices: Math.max(...input.prepared.chunks.map((c) => Math.max(c.haloBefore, c.haloAfter))),
    },
    ...(derived ? { derived_images: derived } : {}),
    ...(augmentation ? { augmentation } : {}),
    ...(registration ? { registration } : {}),
    warnings: facts.warnings,
  }
  const valid = reportSchema.parse(report)
  await writeAnalyticsRows(output, valid)
  await putJson(output, outputKeys.report(run), valid)
  const sum = (sizes: (number | undefined)[]) => sizes.reduce<number>((total, size) => total + (size ?? 0), 0)
  const { image, labels, qc_png } = report.outputs
  const bytes = { input: sum(report.inputs.map((o) => o.size_bytes)), output: sum([image, labels, qc_png].map((o) => o?.size_bytes)) }
  return { report: report.outputs.report, status: report.status, bytes }
}
