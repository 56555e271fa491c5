// A volume held as slabs answers exactly as the stitched volume does: QC views and raster, display
// windows, label summary and the shape pass at slab borders, for any cut (one-plane slabs
// included) and for directions that put the k axis on a screen axis of every view.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readNifti, writeNifti } from '../../src/io/nifti.js'
import { extractSlab, stitchSlabs } from '../../src/chunks/slab-image.js'
import { type SlabVolume, planesImage, slabVolume, wholeImage } from '../../src/chunks/slab-volume.js'
import { type Image, makeImage, pixelsOf } from '../../src/image/image.js'
import { shapePartials } from '../../src/measure/shape-partials.js'
import { chunkInteriorShape, shapeFromChunkInteriors } from '../../src/pipeline/chunk-shape.js'
import { labelSummary, renderQcRgba } from '../../src/report/qc-png.js'
import { percentileWindow, qcWindow } from '../../src/report/qc-window.js'
import { makeRandom } from '../../src/sample/random.js'

const size = [21, 17, 13]
const directions = {
  identity: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  // index k runs along L-R, i along A-P, j along S-I: every view samples across planes
  permuted: [0, 0, 1, 1, 0, 0, 0, -1, 0],
}

function phantom(direction: number[], seed: number): { image: Image; labels: Image } {
  const grid = { size, spacing: [0.7, 1.1, 1.9], origin: [5, -3, 8], direction }
  const random = makeRandom('slab-volume', seed)
  // a voxel's value tells where it is, so any mix-up of planes shows in the pictures
  const image = new Int16Array(size[0] * size[1] * size[2]).map((_, x) => (x % 3001) - 1000)
  const labels = new Uint8Array(image.length).map(() => (random.next() < 0.3 ? 1 + Math.floor(random.next() * 3) : 0))
  return { image: makeImage(grid, image), labels: makeImage(grid, labels) }
}

function asSlabs(image: Image, cut: number[]): SlabVolume {
  const grid = { size: [...image.size], spacing: [...image.spacing], origin: [...image.origin], direction: Array.from(image.direction as ArrayLike<number>) }
  return slabVolume(grid, cut.slice(0, -1).map((k0, n) => ({ k0, pixels: pixelsOf(extractSlab(image, k0, cut[n + 1])) })))
}

const cuts = [[0, 13], [0, 1, 2, 3, 13], [0, 5, 6, 12, 13], [0, ...Array.from({ length: 13 }, (_, n) => n + 1)]]

describe('slab volume', () => {
  for (const [name, direction] of Object.entries(directions)) {
    for (const cut of cuts) {
      it(`${name} direction, cut at ${cut.join(',')}: QC raster, windows, summary and shape equal the stitched volume's`, () => {
        const { image, labels } = phantom(direction, cut.length)
        const slabImage = asSlabs(image, cut), slabLabels = asSlabs(labels, cut)

        // no window given: the raster's own min..max also runs over the planes
        const whole = renderQcRgba({ image, labels })
        const split = renderQcRgba({ image: slabImage, labels: slabLabels })
        expect(split.views).toEqual(whole.views)
        expect(Buffer.compare(Buffer.from(split.rgba), Buffer.from(whole.rgba))).toBe(0)
        // every view has pixels from more than one plane (k is sampled on a screen axis)
        expect(whole.views.views.filter((v) => v.slice.indexAxis !== 2).length).toBe(2)

        expect(labelSummary(slabLabels)).toEqual(labelSummary(labels))
        expect(percentileWindow(slabImage, 0.01, 0.99)).toEqual(percentileWindow(image, 0.01, 0.99))
        for (const modality of ['CT', 'MR']) expect(qcWindow(slabImage, modality, slabLabels)).toEqual(qcWindow(image, modality, labels))

        const slabs = cut.slice(0, -1).map((k0, n) => ({ k0, k1: cut[n + 1] }))
        const interiors = slabs.map((s) => chunkInteriorShape(extractSlab(labels, s.k0, s.k1), extractSlab(image, s.k0, s.k1), s.k0, size[2]))
        expect(shapeFromChunkInteriors(interiors, slabLabels, slabs)).toEqual(shapePartials(labels, image, { includeBackground: false }))

        expect(pixelsOf(wholeImage(slabImage))).toEqual(pixelsOf(image))
        expect(pixelsOf(planesImage(slabImage, 1, 3))).toEqual(pixelsOf(extractSlab(image, 1, 3)))
        expect(planesImage(slabImage, 1, 3).origin).toEqual(extractSlab(image, 1, 3).origin)
      })
    }
  }

  it('a single slab is the whole image without a copy when it owns its buffer', () => {
    const { image } = phantom(directions.identity, 1)
    const volume = asSlabs(image, [0, 13])
    expect(pixelsOf(wholeImage(volume))).toBe(volume.slabs[0].pixels)
    const cut = asSlabs(image, [0, 4, 13])
    expect(pixelsOf(wholeImage(cut))).not.toBe(cut.slabs[0].pixels)
  })

  it('a slab that is a view (as read behind a work-image header) becomes an image itk-wasm writes correctly', async () => {
    const grid = { size: [4, 3, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: directions.identity }
    const backing = new Int16Array(5 + 24).map((_, n) => n * 7 - 50)
    const view = backing.subarray(5)
    const whole = wholeImage(slabVolume(grid, [{ k0: 0, pixels: view }]))
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'vf-slab-volume-')), 'whole.nii')
    await writeNifti(whole, file)
    expect(Array.from(pixelsOf(await readNifti(file)))).toEqual(Array.from(view))
  })

  it('refuses slabs that leave a plane out, overlap or mix pixel types', () => {
    const grid = { size: [2, 2, 3], spacing: [1, 1, 1], origin: [0, 0, 0], direction: directions.identity }
    expect(() => slabVolume(grid, [{ k0: 0, pixels: new Int16Array(4) }, { k0: 2, pixels: new Int16Array(4) }])).toThrow(/plane 1 is in no slab/)
    expect(() => slabVolume(grid, [{ k0: 0, pixels: new Int16Array(8) }, { k0: 1, pixels: new Int16Array(8) }])).toThrow(/plane 1 is in two slabs/)
    expect(() => slabVolume(grid, [{ k0: 0, pixels: new Int16Array(4) }, { k0: 1, pixels: new Uint8Array(8) }])).toThrow(/different pixel types/)
    expect(() => slabVolume(grid, [{ k0: 2, pixels: new Int16Array(8) }])).toThrow(/does not fit 2x2x3/)
    expect(pixelsOf(stitchSlabs(grid, [{ k0: 0, pixels: new Int16Array(4) }, { k0: 1, pixels: new Int16Array(8).fill(7) }]))).toEqual(
      pixelsOf(wholeImage(slabVolume(grid, [{ k0: 0, pixels: new Int16Array(4) }, { k0: 1, pixels: new Int16Array(8).fill(7) }]))),
    )
  })
})
