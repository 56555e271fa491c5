// Deterministic object keys: a re-run writes exactly the same keys, so every stage is safe to repeat.
import type { RunRef } from './state.js'

/** Every run's scratch lives under `runs/<run id>/` of the work bucket (IAM grants are limited to it). */
export const workRunsPrefix = 'runs/'

export const workKeys = {
  manifest: (run: Pick<RunRef, 'workPrefix'>) => `${run.workPrefix}case.json`,
  facts: (run: RunRef) => `${run.workPrefix}facts.json`,
  chunkInputImage: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-image.vfimg`,
  chunkInputLabels: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-labels.vfimg`,
  chunkSource: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-source.vfimg`,
  /** B-spline recursion state at the source's borders (chunk-source.ts). */
  chunkSourceKStates: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-source-k-states.vfimg`,
  resamplePlan: (run: RunRef) => `${run.workPrefix}resample-plan.json`,
  n4Field: (run: RunRef) => `${run.workPrefix}n4-field.json`,
  chunkImage: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/image.vfimg`,
  chunkLabels: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/labels.vfimg`,
  chunkComponents: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/components.json`,
  /** A chunk's slices of an output volume, as gzip members of its NIfTI voxel bytes (see output-parts.ts). */
  chunkOutputPart: (run: RunRef, index: number, volume: 'image' | 'labels') => `${run.workPrefix}chunks/${pad(index)}/${volume}.part.gz`,
  chunkShape: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/shape.json`,
  chunkPartials: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/partials.json`,
  statistics: (run: RunRef) => `${run.workPrefix}statistics.json`,
  shape: (run: RunRef) => `${run.workPrefix}shape.json`,
  analysis: (run: RunRef) => `${run.workPrefix}analysis.json`,
  prediction: (run: RunRef) => `${run.workPrefix}prediction.nii`,
}

export const outputKeys = {
  image: (run: RunRef) => `${run.outputPrefix}image.nii.gz`,
  labels: (run: RunRef) => `${run.outputPrefix}labels.nii.gz`,
  qc: (run: RunRef) => `${run.outputPrefix}qc.png`,
  report: (run: RunRef) => `${run.outputPrefix}report.json`,
}

function pad(index: number): string {
  return String(index).padStart(5, '0')
}

/**
 * The analytics prefix of the output bucket: one JSON-lines object per case (the rows of
 * `voxelflow reports`), Hive-partitioned so Athena/Glue see dataset and pipeline_version as
 * partition columns. The output bucket has no event notifications, so these writes start nothing.
 */
export const analyticsPrefix = 'analytics/'

export const analyticsKeys = {
  caseRows: (dataset: string, pipelineVersion: string, caseId: string) =>
    `${analyticsPrefix}dataset=${partitionValue(dataset || 'default')}/pipeline_version=${partitionValue(pipelineVersion)}/${partitionValue(caseId)}.jsonl`,
}

/** Percent-encode what Hive would escape in a partition value (and anything else unsafe in a key). */
function partitionValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._+-]/g, (c) => [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))
}
