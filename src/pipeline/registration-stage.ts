// Rigid registration as a pipeline stage: a case may carry a moving image (manifest role
// "moving": `moving_image` in case.json, `voxelflow run --moving`), a NIfTI of the same patient
// (another scan, another modality). Prepare validates it and keeps a copy in the work bucket;
// after assembly, the moving image is registered to the whole stitched output image (global:
// elastix samples the whole volume) with src/register (the function `voxelflow register` runs)
// and written on the output grid as `<case>/moving_registered.nii.gz` (float32), the transform
// and the Mattes metric going to the report. Settings: config `registration` (optional).
import { gridOf, type Image } from '../image/image.js'
import { readInputNifti } from '../io/read-input-nifti.js'
import { isNiftiPath } from '../io/nifti.js'
import { registerRigid, type RigidRegistrationResult } from '../register/rigid-registration.js'
import type { ObjectStore } from '../store/object-store.js'
import type { PipelineConfig } from './config.js'
import type { CaseFile } from './load-case.js'
import { BadInputError } from './errors.js'
import { getImage, getJson, putImage, putJson } from './object-io.js'
import type { RunRef } from './state.js'

/** Where prepare put the moving image (facts.json), and the input object it came from. */
export interface MovingImageFacts {
  key: string
  source: string
}

export interface RegistrationFacts {
  moving: string
  output: string
  transform: RigidRegistrationResult['transform'] & { kind: 'Euler3D'; direction: 'fixed-to-moving' }
  metric: RigidRegistrationResult['metric']
  seconds: number
}

export const registrationKeys = {
  moving: (run: RunRef, gzipped: boolean) => `${run.workPrefix}moving.nii${gzipped ? '.gz' : ''}`,
  facts: (run: RunRef) => `${run.workPrefix}registration.json`,
  output: (run: RunRef) => `${run.outputPrefix}moving_registered.nii.gz`,
}

/** Prepare: check the case's moving image (NIfTI, within the limits) and copy it to the work bucket. */
export async function stageMovingImage(files: CaseFile[], config: PipelineConfig, run: RunRef, work: ObjectStore): Promise<MovingImageFacts | undefined> {
  const moving = files.filter((f) => f.role === 'moving')
  if (moving.length === 0) return undefined
  if (moving.length > 1) throw new BadInputError(`a case takes one moving image, got ${moving.length}`, { file: moving[1].key, field: 'moving_image' })
  const [file] = moving
  if (!isNiftiPath(file.file)) throw new BadInputError('the moving image must be a NIfTI file (.nii or .nii.gz)', { file: file.key, field: 'moving_image' })
  await readInputNifti(file.file, config.limits, file.key) // validated before anything else reads it
  const key = registrationKeys.moving(run, file.file.endsWith('.gz'))
  await work.upload(key, file.file)
  return { key, source: file.key }
}

/** After assembly: register the moving image to the output image; nothing without one. */
export async function registerCaseMoving(
  image: Image, moving: MovingImageFacts | undefined, config: PipelineConfig, run: RunRef, work: ObjectStore, output: ObjectStore, scratch: string,
): Promise<void> {
  if (!moving) return
  const settings = config.registration
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
  const facts: RegistrationFacts = {
    moving: moving.source,
    output: key,
    transform: { kind: 'Euler3D', direction: 'fixed-to-moving', ...result.transform },
    metric: result.metric,
    seconds: result.elapsed_ms / 1000,
  }
  await putJson(work, registrationKeys.facts(run), facts)
}

/** What report.json says about the registration (absent without a moving image). */
export async function registrationReport(run: RunRef, work: ObjectStore, output: ObjectStore) {
  if (!(await work.head(registrationKeys.facts(run)))) return undefined
  const facts = await getJson<RegistrationFacts>(work, registrationKeys.facts(run))
  return {
    moving: facts.moving,
    output: { bucket: output.bucket, key: facts.output, size_bytes: (await output.head(facts.output))?.size },
    transform: facts.transform,
    metric: facts.metric,
    seconds: facts.seconds,
  }
}
