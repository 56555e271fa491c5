// Augmentation as a pipeline stage (config `augmentation`): after assembly, on the whole stitched
// image and label map (a rotation moves voxels across every slab border, so it is global),
// `copies` seeded draws of src/augment (the same function as `voxelflow augment`), each written as
// `<case>/augmented/<k>/image.nii.gz` and `labels.nii.gz`. Copy k's seed is derived from
// (augmentation.seed, case id, k), so a copy is reproducible on its own and two cases or two
// copies never share a draw.
import { createHash } from 'node:crypto'
import { augmentImage } from '../augment/augment-image.js'
import { type AugmentParameters, drawAugmentParameters } from '../augment/augment-parameters.js'
import type { Image } from '../image/image.js'
import type { ObjectStore } from '../store/object-store.js'
import type { PipelineConfig } from './config.js'
import type { AugmentationConfig } from './derived-images-config.js'
import { BadInputError } from './errors.js'
import { getJson, putImage, putJson } from './object-io.js'
import type { RunRef } from './state.js'

export interface AugmentationFacts {
  seed: number
  copies: { k: number; seed: number; parameters: AugmentParameters; image: string; labels: string }[]
}

export const augmentationKeys = {
  facts: (run: RunRef) => `${run.workPrefix}augmentation.json`,
  image: (run: RunRef, k: number) => `${run.outputPrefix}augmented/${k}/image.nii.gz`,
  labels: (run: RunRef, k: number) => `${run.outputPrefix}augmented/${k}/labels.nii.gz`,
}

/** The seed of copy k of a case: 31 bits of sha256("seed/case id/k"). */
export function augmentationCopySeed(seed: number, caseId: string, k: number): number {
  return createHash('sha256').update(`${seed}/${caseId}/${k}`).digest().readUInt32BE(0) >>> 1
}

export function drawCopyParameters(settings: AugmentationConfig, caseId: string, k: number): { seed: number; parameters: AugmentParameters } {
  const seed = augmentationCopySeed(settings.seed, caseId, k)
  try {
    const parameters = drawAugmentParameters(seed, {
      rotate_deg: settings.rotate_deg,
      translate_mm: settings.translate_mm,
      scale: settings.scale,
      flip_axes: settings.flip,
      flip_probability: settings.flip_probability,
      gamma: settings.gamma,
      noise_sd: settings.noise_sd,
    })
    return { seed, parameters }
  } catch (error) {
    throw new BadInputError((error as Error).message, { field: 'augmentation' })
  }
}

/** Writes every copy and the drawn parameters (for the report); nothing without `augmentation`. */
export async function augmentCase(
  image: Image, labels: Image, caseId: string, config: PipelineConfig, run: RunRef, work: ObjectStore, output: ObjectStore, scratch: string,
): Promise<void> {
  const settings = config.augmentation
  if (!settings) return
  const facts: AugmentationFacts = { seed: settings.seed, copies: [] }
  for (let k = 0; k < settings.copies; k++) {
    const { seed, parameters } = drawCopyParameters(settings, caseId, k)
    const copy = augmentImage(image, labels, parameters, { interpolator: settings.interpolator })
    const keys = { image: augmentationKeys.image(run, k), labels: augmentationKeys.labels(run, k) }
    await putImage(output, keys.image, copy.image, scratch, config.output.compression_level)
    await putImage(output, keys.labels, copy.labels!, scratch, config.output.compression_level)
    facts.copies.push({ k, seed, parameters, ...keys })
  }
  await putJson(work, augmentationKeys.facts(run), facts)
}

/** What report.json says about the augmented copies (absent when not configured). */
export async function augmentationReport(config: PipelineConfig, run: RunRef, work: ObjectStore, output: ObjectStore) {
  if (!config.augmentation) return undefined
  const facts = await getJson<AugmentationFacts>(work, augmentationKeys.facts(run))
  const ref = async (key: string) => ({ bucket: output.bucket, key, size_bytes: (await output.head(key))?.size })
  return {
    seed: facts.seed,
    copies: await Promise.all(facts.copies.map(async (c) => ({ k: c.k, seed: c.seed, parameters: c.parameters, image: await ref(c.image), labels: await ref(c.labels) }))),
  }
}
