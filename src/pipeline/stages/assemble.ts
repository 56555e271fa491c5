// Stage "assemble": stitch the slabs into the output volumes, reduce the partial statistics
// exactly, and draw the QC picture while the volumes are in memory. The slabs stay as they were
// read (slab-volume.ts): the output volumes come from the chunks' compressed parts, and the QC
// views and the shape pass read only the planes they need; a whole stitched array is built
// only for what needs one (a volume without parts, augmentation, registration).
import { slabSlices } from '../../chunks/slab-image.js'
import { type SlabVolume, slabVolume, wholeImage } from '../../chunks/slab-volume.js'
import { type Image, type PixelArray, componentTypeOf, pixelsOf } from '../../image/image.js'
import { reducePartials } from '../../measure/reduce-partials.js'
import { type ShapePartials, shapePartials } from '../../measure/shape-partials.js'
import { shapeFromChunkInteriors } from '../chunk-shape.js'
import type { LabelPartials } from '../../measure/label-partials.js'
import { renderQcRgba } from '../../report/qc-png.js'
import { encodeRgbaPng } from '../../report/png-encode.js'
import { qcWindow, qcWindowForLabelledMean } from '../../report/qc-window.js'
import { labelledMeanFromPartials, labelSummaryFromPartials } from '../../report/qc-from-partials.js'
import { getJson, putImage, putJson } from '../object-io.js'
import { getWorkImage } from '../work-image.js'
import { type JoinedParts, joinParts, niftiHeaderFor, putVolumeFromParts } from '../output-parts.js'
import type { ObjectStore } from '../../store/object-store.js'
import { type StageContext, withScratch } from '../stage-context.js'
import type { Assembled, ChunkResult, Prepared, CaseRef, RunRef } from '../state.js'
import { caseManifestSchema } from '../state.js'
import { outputKeys, workKeys } from '../work-keys.js'
import type { CaseFacts } from './prepare.js'
import { type ComponentSummary, resolveChunkComponents } from '../chunk-components.js'
import { assembleDerivedImages } from '../derived-images-stage.js'
import { augmentCase } from '../augmentation-stage.js'
import { registerCaseMoving } from '../registration-stage.js'

export interface AssembleInput {
  case: CaseRef
  run: RunRef
  prepared: Prepared
  chunkResults: ChunkResult[]
}

export async function assemble(input: AssembleInput, context: StageContext): Promise<Assembled> {
  const started = Date.now()
  const { run } = input
  const work = context.stores(run.workBucket)
  const output = context.stores(run.outputBucket)
  const results = [...input.chunkResults].sort((a, b) => a.index - b.index)
  const plan = new Map(input.prepared.chunks.map((c) => [c.index, c]))
  // every chunk's objects read at once (the reads overlap instead of queueing behind each
  // other), started before the small JSON reads below, which they do not depend on
  const reading = Promise.all(results.map(async (result) => {
    const chunk = plan.get(result.index)
    if (!chunk) throw new Error(`chunk ${result.index} is not in the plan`)
    const depth = chunk.k1 - chunk.k0
    const [image, labels, partial] = await Promise.all([getWorkImage(work, result.imageKey), getWorkImage(work, result.labelsKey), getJson<LabelPartials>(work, result.partialsKey)])
    // A chunk image read back from its input still carries the halo slices (a view without them).
    const haloBefore = image.size[2] === depth ? 0 : chunk.haloBefore
    return { image: { k0: chunk.k0, pixels: slabSlices(image, haloBefore, depth) }, labels: { k0: chunk.k0, pixels: pixelsOf(labels) }, partial }
  }))
  // the compressed parts and the shape partials too; for a store that cannot write parts one
  // after another (S3), the parts are joined as they arrive, while the main thread would
  // otherwise wait for the chunk images
  const imageParts = results.map((r) => r.outputParts?.image)
  const labelParts = results.map((r) => (r.componentsKey ? undefined : r.outputParts?.labels))
  const asWritten = (parts: Uint8Array[]) => (output.putParts ? parts : joinParts(parts))
  const partsReading = { image: getEvery(work, imageParts)?.then(asWritten), labels: getEvery(work, labelParts)?.then(asWritten) }
  const shapesReading = results.every((r) => r.shapeKey) ? Promise.all(results.map((r) => getJson<ShapePartials>(work, r.shapeKey!))) : undefined
  for (const pending of [reading, partsReading.image, partsReading.labels, shapesReading] as (Promise<unknown> | undefined)[]) if (pending) awaitedLater(pending)
  const manifest = caseManifestSchema.parse(await getJson(context.stores(input.case.manifest.bucket), input.case.manifest.key))
  const facts = await getJson<CaseFacts>(work, input.prepared.facts.key)

  return withScratch(context, async (scratch) => {
    const read = await reading
    const imageSlabs = read.map((r) => r.image)
    const labelSlabs: { k0: number; pixels: PixelArray }[] = read.map((r) => r.labels)
    const partials: LabelPartials[] = read.map((r) => r.partial)
    if (results.some((r) => r.componentsKey)) {
      // segmentation.min_component_ml: merge the chunks' components across slab borders
      const summaries = await Promise.all(results.map((r) => getJson<ComponentSummary>(work, r.componentsKey!)))
      const resolved = resolveChunkComponents(
        results.map((_, n) => ({ summary: summaries[n], labels: labelSlabs[n].pixels as Int32Array, partials: partials[n] })),
        facts.outputGrid,
        manifest.config,
      )
      resolved.masks.forEach((mask, n) => (labelSlabs[n].pixels = mask))
      partials.splice(0, partials.length, ...resolved.partials)
    }
    const image = slabVolume(facts.outputGrid, imageSlabs)
    const labels = slabVolume(facts.outputGrid, labelSlabs)
    const whole = { image: once(() => wholeImage(image)), labels: once(() => wholeImage(labels)) }
    const level = manifest.config.output.compression_level

    // The chunks compressed their slices already (output-parts.ts); a volume without every
    // part (merged components relabel here) is compressed here, on libuv's thread pool.
    const putVolume = async (key: string, volume: SlabVolume, stitched: () => Image, parts: Promise<Uint8Array[] | JoinedParts> | undefined) => {
      const header = parts ? await niftiHeaderFor(facts.outputGrid, componentTypeOf(volume.planes[0]), scratch) : undefined
      if (!header) return putImage(output, key, stitched(), scratch, level)
      await putVolumeFromParts(output, key, header, await parts!, level)
    }
    // started first: the volumes are joined and written while the shape pass and the picture run
    const writes: Promise<unknown>[] = [
      awaitedLater(putVolume(outputKeys.image(run), image, whole.image, partsReading.image)),
      awaitedLater(putVolume(outputKeys.labels(run), labels, whole.labels, partsReading.labels)),
    ]
    const statisticsKey = workKeys.statistics(run)
    const reduced = reducePartials(partials)
    writes.push(awaitedLater(putJson(work, statisticsKey, reduced)))
    // Shape, surface and percentiles: the chunks measured their own planes, here only the faces
    // across slab borders are added (chunk-shape.ts); merged components relabel here, so then
    // the whole stitched volume is measured.
    const shapeKey = workKeys.shape(run)
    const shape = shapesReading
      ? shapeFromChunkInteriors(await shapesReading, labels, results.map((r) => plan.get(r.index)!))
      : shapePartials(whole.labels(), whole.image(), { includeBackground: false })
    writes.push(awaitedLater(putJson(work, shapeKey, shape)))

    const window = reduced.hasIntensity
      ? qcWindowForLabelledMean(image, facts.input.modality, () => labelledMeanFromPartials(reduced))
      : qcWindow(image, facts.input.modality, labels)
    const raster = renderQcRgba({ image, labels, window, labelNames: facts.labelNames, labelSummary: labelSummaryFromPartials(reduced) })
    // deflated on libuv's thread pool while the volumes are written
    await output.put(outputKeys.qc(run), await encodeRgbaPng(raster.width, raster.height, raster.rgba), 'image/png')
    await Promise.all(writes)
    await assembleDerivedImages(results.map((r) => r.index), facts.outputGrid, manifest.config, run, work, output, scratch)
    // only these two need the whole arrays
    if (manifest.config.augmentation) await augmentCase(whole.image(), whole.labels(), input.case.caseId, manifest.config, run, work, output, scratch)
    if (facts.moving) await registerCaseMoving(whole.image(), facts.moving, manifest.config, run, work, output, scratch)
    return {
      image: { bucket: run.outputBucket, key: outputKeys.image(run) },
      labels: { bucket: run.outputBucket, key: outputKeys.labels(run) },
      qc: { bucket: run.outputBucket, key: outputKeys.qc(run) },
      statistics: { bucket: run.workBucket, key: statisticsKey },
      shape: { bucket: run.workBucket, key: shapeKey },
      ms: Date.now() - started,
    }
  })
}

/** A promise awaited after other awaits: its rejection is handled there, not reported as unhandled meanwhile. */
function awaitedLater<T>(pending: Promise<T>): Promise<T> {
  pending.catch(() => {})
  return pending
}

/** f's result, computed on the first call only. */
function once<T>(f: () => T): () => T {
  let value: { v: T } | undefined
  return () => (value ??= { v: f() }).v
}

/** Every object, or undefined when a key is missing. */
function getEvery(store: ObjectStore, keys: (string | undefined)[]): Promise<Uint8Array[]> | undefined {
  return keys.every(Boolean) ? Promise.all(keys.map((key) => store.get(key!))) : undefined
}
