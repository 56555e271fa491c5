// Step "ProcessChunk" (once per slab, in parallel): the registered chunk stages on one slab with
// its halo, then partial label statistics of the slab's own slices.
import { cropSlices } from '../../chunks/slab-image.js'
import { type Image, pixelsOf, withPixels } from '../../image/image.js'
import { labelPartials } from '../../measure/label-partials.js'
import type { PipelineConfig } from '../config.js'
import { getJson, putJson } from '../object-io.js'
import { getWorkImage, putWorkImage } from '../work-image.js'
import { putOutputPart } from '../output-parts.js'
import { chunkInteriorShape } from '../chunk-shape.js'
import type { CaseFacts } from './prepare.js'
import { type StageContext, withScratch } from '../stage-context.js'
import { type ChunkRef, type ChunkResult, type CaseRef, type RunRef, caseManifestSchema } from '../state.js'
import { workKeys } from '../work-keys.js'
import { resampleSlab } from '../../filters/resample-slab.js'
import { type StoredSlabResamplePlan, readChunkSource } from '../chunk-source.js'
import { applyCaseN4 } from '../n4-stage.js'
import { labelSlabComponents } from '../chunk-components.js'
import { type Slab, enabledChunkStages } from '../stage-registry.js'
import type { ObjectStore } from '../../store/object-store.js'
import { putDerivedChunkParts } from '../derived-images-stage.js'

export interface ChunkJob {
  chunk: ChunkRef
  case: CaseRef
  run: RunRef
}

export async function processChunk(job: ChunkJob, context: StageContext): Promise<ChunkResult> {
  const started = Date.now()
  const { chunk, run } = job
  const work = context.stores(run.workBucket)
  const manifest = caseManifestSchema.parse(await getJson(context.stores(job.case.manifest.bucket), job.case.manifest.key))
  return withScratch(context, async () => {
    let withHalo = chunk.source ? await resampleChunk(chunk, run, work) : await getWorkImage(work, chunk.imageKey)
    if (chunk.n4FieldKey) withHalo = await applyCaseN4(withHalo, chunk.n4FieldKey, chunk.k0 - chunk.haloBefore, work)
    const image = cropHalo(withHalo, chunk)
    await putDerivedChunkParts(withHalo, chunk, manifest.config, run, work)
    // A chunk that made its image (resampled or corrected it) stores its own slices for
    // assemble; otherwise assemble reads the chunk's input back and crops its halo.
    const madeHere = Boolean(chunk.source || chunk.n4FieldKey)
    const imageKey = madeHere ? workKeys.chunkImage(run, chunk.index) : chunk.imageKey
    if (madeHere) await putWorkImage(work, imageKey, image)
    let labels = await chunkLabels(chunk, withHalo, image, manifest.config, (key) => getWorkImage(work, key))
    // A minimum component size is global: label this slab's components for assemble to merge.
    const components = chunk.labelSource === 'baseline' && manifest.config.segmentation.min_component_ml !== null ? labelSlabComponents(labels, chunk.k0) : undefined
    if (components) labels = components.labels
    const partials = labelPartials(labels, image, { kOffset: chunk.k0 })
    // This chunk's share of the output files, compressed here in parallel with the other chunks;
    // merged components relabel in assemble, so those labels are compressed there.
    const level = manifest.config.output.compression_level
    const outputParts = { image: workKeys.chunkOutputPart(run, chunk.index, 'image'), ...(components ? {} : { labels: workKeys.chunkOutputPart(run, chunk.index, 'labels') }) }

    const result: ChunkResult = {
      index: chunk.index,
      imageKey,
      labelsKey: workKeys.chunkLabels(run, chunk.index),
      partialsKey: workKeys.chunkPartials(run, chunk.index),
      ...(components ? { componentsKey: workKeys.chunkComponents(run, chunk.index) } : {}),
      outputParts,
      ...(components ? {} : { shapeKey: workKeys.chunkShape(run, chunk.index) }),
      ms: 0,
    }
    if (components) await putJson(work, workKeys.chunkComponents(run, chunk.index), components.summary)
    await Promise.all([
      putWorkImage(work, result.labelsKey, labels),
      putJson(work, result.partialsKey, partials),
      putOutputPart(work, outputParts.image, image, level),
      outputParts.labels && putOutputPart(work, outputParts.labels, labels, level),
      result.shapeKey && putShape(work, result.shapeKey, labels, image, chunk, run),
    ])
    return { ...result, ms: Date.now() - started }
  })
}

async function chunkLabels(chunk: ChunkRef, withHalo: Image, image: Image, config: PipelineConfig, read: (key: string) => Promise<Image>): Promise<Image> {
  if (chunk.labelSource === 'reference') {
    if (!chunk.labelsKey) throw new Error(`chunk ${chunk.index} has a reference segmentation but no labels object`)
    return read(chunk.labelsKey)
  }
  let slab: Slab = { image: withHalo }
  for (const stage of enabledChunkStages(chunk.labelSource, config)) slab = stage.apply(slab, config)
  return slab.labels ? cropHalo(slab.labels, chunk) : withPixels(image, new Uint8Array(pixelsOf(image).length))
}

/** Most of the shape pass, here in parallel (merged components relabel in assemble: not then). */
async function putShape(work: ObjectStore, key: string, labels: Image, image: Image, chunk: ChunkRef, run: RunRef): Promise<void> {
  // the case facts are written at the end of prepare, which a chunk started early may precede
  const depth = chunk.outputSlices ?? (await getJson<CaseFacts>(work, workKeys.facts(run))).outputGrid.size[2]
  await putJson(work, key, chunkInteriorShape(labels, image, chunk.k0, depth))
}

/** The chunk's slices with their halo, resampled from its source slab (two-phase form). */
async function resampleChunk(chunk: ChunkRef, run: RunRef, work: ObjectStore): Promise<Image> {
  const source = chunk.source!
  const planRead = getJson<StoredSlabResamplePlan>(work, workKeys.resamplePlan(run))
  const slab = await readChunkSource(work, source.key, workKeys.chunkSourceKStates(run, chunk.index), planRead)
  return resampleSlab(slab, source.z0, await planRead, chunk.k0 - chunk.haloBefore, chunk.k1 + chunk.haloAfter)
}

/** The chunk's own slices, without the halo context. */
function cropHalo(image: Image, chunk: ChunkRef): Image {
  return cropSlices(image, chunk.haloBefore, chunk.k1 - chunk.k0)
}
