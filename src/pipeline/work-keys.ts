// Deterministic object keys: a re-run writes exactly the same keys, so every stage is safe to repeat.
import type { RunRef } from './state.js'

export const workKeys = {
  manifest: (run: Pick<RunRef, 'workPrefix'>) => `${run.workPrefix}case.json`,
  facts: (run: RunRef) => `${run.workPrefix}facts.json`,
  chunkInputImage: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-image.nii`,
  chunkInputLabels: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-labels.nii`,
  chunkSource: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/input-source.nii`,
  resamplePlan: (run: RunRef) => `${run.workPrefix}resample-plan.json`,
  n4Field: (run: RunRef) => `${run.workPrefix}n4-field.json`,
  chunkImage: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/image.nii`,
  chunkLabels: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/labels.nii`,
  chunkComponents: (run: RunRef, index: number) => `${run.workPrefix}chunks/${pad(index)}/components.json`,
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
