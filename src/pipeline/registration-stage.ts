// Rigid registration as a pipeline stage: a case may carry a moving image (manifest role
// "moving": `moving_image` in case.json, `voxelflow run --moving`), a NIfTI of the same patient
// (another scan, another modality). Prepare validates it and keeps a copy in the work bucket;
// after assembly, the moving image is registered to the whole stitched output image (global:
// elastix samples the whole volume) with src/register (the function `voxelflow register` runs)
// and written on the output grid as `<case>/moving_registered.nii.gz` (float32), the transform
// and the Mattes metric going to the report. A label map in moving space (role "moving_labels")
// follows through the same transform with nearest neighbour as `moving_labels_registered.nii.gz`.
// Settings: config `registration` (optional).
import { gridOf, type Image } from '../image/image.js'
import { readInputNifti } from '../io/read-input-nifti.js'
import { isNiftiPath } from '../io/nifti.js'
import type { RigidRegistrationResult } from '../register/rigid-registration.js'
import type { ObjectStore } from '../store/object-store.js'
import type { PipelineConfig } from './config.js'
import type { CaseFile } from './load-case.js'
import { BadInputError } from './errors.js'
import { getImage, getJson, putImage, putJson } from './object-io.js'
import { checkLabelMap } from './check-label-map.js'
import type { Warning } from './report-schema.js'
import type { RunRef } from './state.js'

/** Where prepare put the moving image (facts.json), and the input object it came from. */
export interface MovingImageFacts {
  key: string
  source: string
  /** A label map in moving space, staged the same way. */
  labels?: { key: string; source: string }
}

export interface RegistrationFacts {
  moving: string
  output: string
  labels?: { source: string; output: string }
  transform: RigidRegistrationResult['transform'] & { kind: 'Euler3D'; direction: 'fixed-to-moving' }
  metric: RigidRegistrationResult['metric']
  seconds: number
}

export const registrationKeys = {
  moving: (run: RunRef, gzipped: boolean) => `${run.workPrefix}moving.nii${gzipped ? '.gz' : ''}`,
  facts: (run: RunRef) => `${run.workPrefix}registration.json`,
  output: (run: RunRef) => `${run.outputPrefix}moving_registered.nii.gz`,
  labels: (run: RunRef, gzipped: boolean) => `${run.workPrefix}moving-labels.nii${gzipped ? '.gz' : ''}`,
  labelsOutput: (run: RunRef) => `${run.outputPrefix}moving_labels_registered.nii.gz`,
}

/** Prepare: check the case's moving image (and labels) within the limits and copy them to the work bucket. */
export async function stageMovingImage(
  files: CaseFile[], config: PipelineConfig, run: RunRef, work: ObjectStore,
): Promise<{ facts?: MovingImageFacts; warnings: Warning[] }> {
  const image = onlyOne(files, 'moving', 'moving_image')
  const labels = onlyOne(files, 'moving_labels', 'moving_labels')
  if (!image) {
    if (labels) throw new BadInputError('moving labels need a moving image to follow', { file: labels.key, field: 'moving_labels' })
    return { warnings: [] }
  }
  const moving = await readInputNifti(image.file, config.limits, image.key) // validated before anything else reads it
  const key = registrationKeys.moving(run, image.file.endsWith('.gz'))
  await work.upload(key, image.file)
  const facts: MovingImageFacts = { key, source: image.key }
  const warnings: Warning[] = []
  if (labels) {
    const checked = checkLabelMap(await readInputNifti(labels.file, config.limits, labels.key), gridOf(moving), labels.key, config.limits)
    warnings.push(...checked.warnings)
    facts.labels = { key: registrationKeys.labels(run, labels.file.endsWith('.gz')), source: labels.key }
    await work.upload(facts.labels.key, labels.file)
  }
  return { facts, warnings }
}

function onlyOne(files: CaseFile[], role: CaseFile['role'], field: string): CaseFile | undefined {
  const found = files.filter((f) => f.role === role)
  if (found.length > 1) throw new BadInputError(`a case takes one ${field.replace('_', ' ')}, got ${found.length}`, { file: found[1].key, field })
  if (found[0] && !isNiftiPath(found[0].file)) throw new BadInputError(`the ${field.replace('_', ' ')} must be a NIfTI file (.nii or .nii.gz)`, { file: found[0].key, field })
  return found[0]
}

/** After assembly: register the moving image to the output image; nothing without one. */
export async function registerCaseMoving(
  image: Image, moving: MovingImageFacts | undefined, config: PipelineConfig, run: RunRef, work: ObjectStore, output: ObjectStore, scratch: string,
): Promise<void> {
  if (!moving) return
  const settings = config.registration
  // elastix (itk-wasm) is loaded only for cases that register a moving image
  const { labelsOnFixedGrid, registerRigid } = await import('../register/rigid-registration.js')
  const result = await registerRigid(image, await getImage(work, moving.key, scratch), {
    initializer: settings?.initializer,
    resolutions: settings?.resolutions,
    iterations: settings?.iterations,
    seed: settings?.seed,
    interpolator: settings?.interpolator,
    fixedName: 'image.nii.gz',
    movingName: moving.source,
  })
  if (result.resampled.size.some((n, d) => n !== gridOf(image).size[d])) throw new Error('registration: the resampled moving image is not on the output grid')
  const key = registrationKeys.output(run)
  await putImage(output, key, result.resampled, scratch, config.output.compression_level)
  let labels: RegistrationFacts['labels']
  if (moving.labels) {
    // checked in prepare; a float map of whole numbers gets its integer type again here
    const staged = await getImage(work, moving.labels.key, scratch)
    const read = checkLabelMap(staged, gridOf(staged), moving.labels.source, config.limits).labels
    labels = { source: moving.labels.source, output: registrationKeys.labelsOutput(run) }
    await putImage(output, labels.output, labelsOnFixedGrid(read, image, result.fixedToMoving), scratch, config.output.compression_level)
  }
  const facts: RegistrationFacts = {
    moving: moving.source,
    output: key,
    ...(labels && { labels }),
    transform: { kind: 'Euler3D', direction: 'fixed-to-moving', ...result.transform },
    metric: result.metric,
    seconds: result.elapsed_ms / 1000,
  }
  await putJson(work, registrationKeys.facts(run), facts)
}

/** What report.json says about the registration (absent without a moving image). */
export async function registrationReport(moving: MovingImageFacts | undefined, run: RunRef, work: ObjectStore, output: ObjectStore) {
  if (!moving) return undefined
  const facts = await getJson<RegistrationFacts>(work, registrationKeys.facts(run))
  return {
    moving: facts.moving,
    output: { bucket: output.bucket, key: facts.output, size_bytes: (await output.head(facts.output))?.size },
    ...(facts.labels && { labels: { source: facts.labels.source, output: { bucket: output.bucket, key: facts.labels.output, size_bytes: (await output.head(facts.labels.output))?.size } } }),
    transform: facts.transform,
    metric: facts.metric,
    seconds: facts.seconds,
  }
}
