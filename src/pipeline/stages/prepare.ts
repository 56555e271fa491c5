// Stage "prepare" (global footprint): read the case, resample it onto the isotropic output
// grid, carry the reference segmentation along, and cut the volume into slabs for the workers.
import { type Slab, planSlabs } from '../../chunks/plan-slabs.js'
import { type Image, componentTypeOf, gridOf, pixelsOf } from '../../image/image.js'
import { extentCenteredIsotropicGrid, resampleLabels } from '../../filters/resample.js'
import { type PipelineConfig } from '../config.js'
import { loadCase } from '../load-case.js'
import { chunkHaloSlices } from '../stage-registry.js'
import { type ChunkInput, putChunkInputs, resampleAsChunksDo } from '../chunk-inputs.js'
import { type N4Facts, fitCaseN4, n4Applies } from '../n4-stage.js'
import { getJson, putImage, putJson } from '../object-io.js'
import { putWorkImage } from '../work-image.js'
import { type StageContext, withScratch } from '../stage-context.js'
import { type CaseManifest, type ChunkRef, type ExecutionInput, type LabelSource, type Prepared, caseManifestSchema } from '../state.js'
import { workKeys } from '../work-keys.js'
import type { InputDescription, Landmark, Warning } from '../report-schema.js'
import { placeLandmarks } from '../../measure/place-landmarks.js'
import { sha256OfFilesInBackground } from '../sha256-files.js'
import { caseInputFiles } from '../case-input-files.js'
import { derivedImagesOf, planDerivedImages } from '../derived-images-stage.js'
import { type MovingImageFacts, stageMovingImage } from '../registration-stage.js'
import { valueRange } from '../../image/value-range.js'
import type { VoxelArrival } from '../../io/voxel-arrival.js'

/** What prepare learned that later stages and the report need (stored as facts.json). */
export interface CaseFacts {
  input: InputDescription
  inputs: { bucket: string; key: string; size_bytes: number; etag: string; sha256: string }[]
  outputGrid: { size: number[]; spacing: number[]; origin: number[]; direction: number[] }
  labelSource: LabelSource
  labelNames: Record<string, string>
  /** The prediction to evaluate against the reference, on the output grid (work bucket). */
  prediction?: { key: string; source: string }
  /** Reference landmarks placed on the output grid, with the image value at each. */
  landmarks: Landmark[]
  predictedLandmarks?: { source: string; landmarks: Landmark[] }
  warnings: Warning[]
  /** Whether N4 ran and how it converged (absent in facts of older runs). */
  n4?: N4Facts
  /** The case's moving image in the work bucket, registered after assembly. */
  moving?: MovingImageFacts
}

export async function prepare(input: ExecutionInput, context: StageContext): Promise<Prepared> {
  const started = Date.now()
  const { run } = input
  const manifest: CaseManifest = caseManifestSchema.parse(
    await getJson(context.stores(input.case.manifest.bucket), input.case.manifest.key),
  )
  const config = manifest.config
  const work = context.stores(run.workBucket)

  return withScratch(context, async (scratch) => {
    const files = await caseInputFiles(manifest.objects, context.stores, scratch)
    // Provenance: the files hashed on a filter thread while the case is read
    const hashing = sha256OfFilesInBackground(files.map((f) => f.file))
    hashing.catch(() => {}) // awaited below
    // a NIfTI's voxels may still arrive while the first slabs are cut (loadCase: voxelsMayArrive)
    const loaded = await loadCase(files, { dicom: config.dicom, limits: config.limits, voxelsMayArrive: true })
    const { arrival } = loaded

    const outputGrid = extentCenteredIsotropicGrid(gridOf(loaded.image), config.resample.spacing_mm === 'min-in-plane' ? undefined : config.resample.spacing_mm)
    const resampleOptions = {
      interpolator: config.resample.interpolator,
      defaultValue: paddingValue(config, loaded.modality),
      outputType: config.output.image_type === 'float32' ? ('float32' as const) : await integerTypeOr(loaded.image, arrival),
    }
    const referenceLabels = loaded.reference ? resampleLabels(loaded.reference.labels, outputGrid) : undefined

    const labelSource = chooseLabelSource(Boolean(referenceLabels), loaded.modality)
    const halo = chunkHaloSlices(labelSource, config)
    const slabs = planSlabs(outputGrid.size, { slices: config.chunks.enabled ? config.chunks.slices : outputGrid.size[2], maxMb: config.chunks.max_mb, halo, maxCount: config.chunks.max_count, parallelism: context.chunkParallelism })
    const labelsWritten = new Map<number, Promise<string | undefined>>()
    const putSlabLabels = (slab: Slab) => {
      if (!referenceLabels) return Promise.resolve(undefined)
      const key = workKeys.chunkInputLabels(run, slab.index)
      if (!labelsWritten.has(slab.index)) labelsWritten.set(slab.index, putWorkImage(work, key, referenceLabels, slab.k0, slab.k1).then(() => key))
      return labelsWritten.get(slab.index)!
    }
    const chunkRef = (slab: Slab, chunkInput: ChunkInput, labelsKey: string | undefined, n4FieldKey: string | undefined): ChunkRef =>
      ({ ...slab, labelSource, ...chunkInput, labelsKey, n4FieldKey, outputSlices: outputGrid.size[2] })
    // A chunk that reads nothing but its inputs starts as soon as they are written, where the
    // runtime can (the local pool, while prepare reads the rest); an N4 field or derived images
    // need the whole image first.
    const startEarly = !n4Applies(config, loaded.modality) && derivedImagesOf(config).length === 0 ? context.startChunkEarly : undefined
    const inputsWritten = startEarly && ((n: number, chunkInput: ChunkInput) => {
      // a failed labels write shows where the chunks are listed below
      putSlabLabels(slabs[n]).then((labelsKey) => startEarly({ chunk: chunkRef(slabs[n], chunkInput, labelsKey, undefined), case: input.case, run }), () => {})
    })
    // The chunks resample their own slices when the grid allows (see chunk-inputs.ts).
    const inputs = await putChunkInputs(loaded.image, outputGrid, resampleOptions, slabs, run, work, { arrival, inputsWritten })
    // every voxel in and checked (and the warnings complete) before anything else reads the image
    await arrival?.complete
    const moving = await stageMovingImage(files, config, run, work)
    loaded.warnings.push(...moving.warnings)
    if (labelSource === 'none') {
      loaded.warnings.push({ code: 'no_segmentation', message: `the baseline segmentation thresholds Hounsfield units and applies to CT only; this ${loaded.modality} case gets an empty label map (give a reference segmentation to carry one along)` })
    }
    // the whole resampled image, made at most once for N4's fit and the derived images' statistics
    let resampled: Image | undefined
    const resampledWhole = () => (resampled ??= resampleAsChunksDo(loaded.image, outputGrid, resampleOptions))
    const n4 = await fitCaseN4(loaded.image, outputGrid, resampleOptions, config, loaded.modality, run, work, resampledWhole)
    await planDerivedImages(resampledWhole, n4.fieldKey, config, run, work)
    resampled = undefined
    const chunks: ChunkRef[] = []
    for (const slab of slabs) chunks.push(chunkRef(slab, inputs[slab.index], await putSlabLabels(slab), n4.fieldKey))

    const labelNames: Record<string, string> = { ...config.labels.names }
    if (loaded.reference) Object.assign(labelNames, loaded.reference.names)
    else if (labelSource === 'baseline') labelNames[String(config.segmentation.label_value)] ??= config.segmentation.label_name

    const sha256 = await hashing
    const facts: CaseFacts = {
      input: loaded.description,
      inputs: manifest.objects.map((o, n) => ({ bucket: o.bucket, key: o.key, size_bytes: o.size, etag: o.etag, sha256: sha256[n] })),
      outputGrid,
      labelSource,
      labelNames,
      landmarks: placeLandmarks(loaded.landmarks, outputGrid, loaded.image),
      ...(loaded.predictedLandmarks && {
        predictedLandmarks: { source: loaded.predictedLandmarks.source, landmarks: placeLandmarks(loaded.predictedLandmarks.points, outputGrid, loaded.image) },
      }),
      warnings: loaded.warnings,
      n4: n4.facts,
      ...(moving.facts && { moving: moving.facts }),
    }
    if (loaded.prediction) {
      const key = workKeys.prediction(run)
      await putImage(work, key, resampleLabels(loaded.prediction.labels, outputGrid), scratch)
      facts.prediction = { key, source: loaded.prediction.source }
    }
    const factsKey = workKeys.facts(run)
    await putJson(work, factsKey, facts)
    return {
      chunks,
      facts: { bucket: run.workBucket, key: factsKey },
      labelSource: facts.labelSource,
      ms: Date.now() - started,
    }
  })
}

/** A reference segmentation wins; the HU-threshold baseline only makes sense for CT. */
export function chooseLabelSource(hasReference: boolean, modality: string): LabelSource {
  if (hasReference) return 'reference'
  return modality === 'CT' ? 'baseline' : 'none'
}

/** -1024 HU (air) for CT, 0 for everything else, unless configured. */
export function paddingValue(config: PipelineConfig, modality: string): number {
  if (config.resample.padding_value !== null) return config.resample.padding_value
  return modality === 'CT' ? -1024 : 0
}

/**
 * Output type for "keep the input's type": integer scans stay integer, and as int16 whenever
 * their values fit (GDCM widens rescaled CT to int32 although HU always fit in int16).
 */
async function integerTypeOr(image: Image, arrival?: VoxelArrival): Promise<'int16' | 'int32' | 'uint8' | 'uint16' | 'float32'> {
  const type = componentTypeOf(pixelsOf(image))
  if (type === 'uint8' || type === 'int16' || type === 'uint16') return type
  if (type !== 'int32' && type !== 'uint32') return 'float32'
  await arrival?.complete
  const { min, max } = valueRange(pixelsOf(image))
  if (min >= -32768 && max <= 32767) return 'int16'
  return type === 'int32' ? 'int32' : 'float32'
}
