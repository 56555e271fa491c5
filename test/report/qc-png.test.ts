import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { makeImage, type Image } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { nearestAxes, qcViews, renderQcPng, renderQcRgba, type QcView } from '../../src/report/qc-png.js'

// Reference volume A: 40 x 30 x 20 voxels, spacing 1 x 1.5 x 2 mm, identity direction (LPS).
// Intensity encodes the position: v = 1000 * k + 10 * j + i / 10 (so a pixel tells its voxel).
// Label 3 fills the block i 5..9, j 8..12, k 6..10 (centroid exactly (7, 10, 8)); label 8 one voxel.
const NX = 40, NY = 30, NZ = 20
const SPACING = [1, 1.5, 2]
const ID = [1, 0, 0, 0, 1, 0, 0, 0, 1]
const enc = (i: number, j: number, k: number): number => 1000 * k + 10 * j + i / 10
const inBlock = (i: number, j: number, k: number): boolean => i >= 5 && i <= 9 && j >= 8 && j <= 12 && k >= 6 && k <= 10

function volumeA(): { image: Image; labels: Image } {
  const v = new Float32Array(NX * NY * NZ), l = new Uint8Array(NX * NY * NZ)
  for (let k = 0; k < NZ; k++) for (let j = 0; j < NY; j++) for (let i = 0; i < NX; i++) {
    const x = i + NX * (j + NY * k)
    v[x] = enc(i, j, k)
    l[x] = inBlock(i, j, k) ? 3 : 0
  }
  l[30 + NX * (10 + NY * 8)] = 8
  const grid = { size: [NX, NY, NZ], spacing: SPACING, origin: [0, 0, 0], direction: ID }
  return { image: makeImage(grid, v), labels: makeImage(grid, l) }
}

/**
 * The same anatomy stored differently: index axis a of the new image runs along LPS axis
 * axes[a] with sign signs[a]. Origin chosen so every voxel keeps its physical position.
 */
function restore(src: Image, axes: number[], signs: number[]): Image {
  const size = axes.map((p) => src.size[p])
  const spacing = axes.map((p) => src.spacing[p])
  const direction = new Array(9).fill(0)
  axes.forEach((p, a) => { direction[p * 3 + a] = signs[a] })
  // source index of new index n: along LPS axis axes[a], source index = sign>0 ? n[a] : N-1-n[a]
  const srcIndex = (n: number[]): number[] => {
    const s = [0, 0, 0]
    axes.forEach((p, a) => { s[p] = signs[a] > 0 ? n[a] : src.size[p] - 1 - n[a] })
    return s
  }
  const origin = indexToPhysical({ origin: src.origin, spacing: src.spacing, direction: ID }, srcIndex([0, 0, 0]))
  const from = src.data as Float32Array
  const data = from.slice(0) // same type and length, every voxel rewritten below
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) {
    const s = srcIndex([i, j, k])
    data[i + size[0] * (j + size[1] * k)] = from[s[0] + src.size[0] * (s[1] + src.size[1] * s[2])]
  }
  return makeImage({ size, spacing, origin, direction }, data)
}

const decode = (v: QcView, u: number, r: number): { i: number; j: number; k: number } => {
  const val = v.intensity[r * v.width + u]
  const k = Math.floor(val / 1000 + 1e-6), j = Math.floor((val - 1000 * k) / 10 + 1e-6)
  return { i: Math.round((val - 1000 * k - 10 * j) * 10), j, k }
}

describe('qcViews', () => {
  it('cuts through the label centroid, radiological orientation, physical aspect', () => {
    const { image, labels } = volumeA()
    const q = qcViews({ image, labels })
    expect(q.centerSource).toBe('labels')
    // label 3: 125 voxels at mean (7,10,8); label 8: 1 voxel at (30,10,8) -> mean i = (875+30)/126
    expect(q.center).toEqual([Math.round((125 * 7 + 30) / 126), 10, 8])
    expect(q.labelValues).toEqual([3, 8])
    const [ax, co, sa] = q.views
    expect([ax.name, co.name, sa.name]).toEqual(['axial', 'coronal', 'sagittal'])
    expect(ax.letters).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' })
    expect(co.letters).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' })
    expect(sa.letters).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' })
    // physical aspect: pixel counts proportional to mm extents (40, 45, 40 mm)
    const mm = q.mmPerPixel
    expect(ax.width).toBe(Math.round(40 / mm))
    expect(ax.height).toBe(Math.round(45 / mm))
    expect(co.height).toBe(Math.round(40 / mm))
    expect(sa.width).toBe(Math.round(45 / mm))
    // corners: axial top-left = patient right-anterior = (i 0, j 0); coronal top-left = right-superior
    expect(decode(ax, 0, 0)).toEqual({ i: 0, j: 0, k: 8 })
    expect(decode(ax, ax.width - 1, ax.height - 1)).toEqual({ i: 39, j: 29, k: 8 })
    expect(decode(co, 0, 0)).toEqual({ i: 0, j: 10, k: 19 })
    expect(decode(co, 0, co.height - 1)).toEqual({ i: 0, j: 10, k: 0 })
    expect(decode(sa, 0, 0)).toEqual({ i: q.center[0], j: 0, k: 19 }) // anterior-superior
    expect(decode(sa, sa.width - 1, 0)).toEqual({ i: q.center[0], j: 29, k: 19 })
  })

  it('puts labels exactly where the label map has them', () => {
    const { image, labels } = volumeA()
    const q = qcViews({ image, labels, center: [7, 10, 8] })
    for (const v of q.views) {
      let n = 0
      const wrong: string[] = []
      for (let r = 0; r < v.height; r++) for (let u = 0; u < v.width; u++) {
        const { i, j, k } = decode(v, u, r)
        const expected = inBlock(i, j, k) ? 3 : i === 30 && j === 10 && k === 8 ? 8 : 0
        if (v.labels[r * v.width + u] !== expected) wrong.push(`${v.name} (${u}, ${r})`)
        if (expected) n++
      }
      expect(wrong).toEqual([])
      expect(n).toBeGreaterThan(0)
    }
  })

  it('x-flipped direction: radiological keeps letters and mirrors the array; index mode keeps the array and swaps letters', () => {
    const { image, labels } = volumeA()
    const flipDir = [-1, 0, 0, 0, 1, 0, 0, 0, 1]
    const imageF = makeImage({ size: [NX, NY, NZ], spacing: SPACING, origin: [0, 0, 0], direction: flipDir }, image.data as Float32Array)
    const labelsF = makeImage({ size: [NX, NY, NZ], spacing: SPACING, origin: [0, 0, 0], direction: flipDir }, labels.data as Uint8Array)
    const center: [number, number, number] = [7, 10, 8]
    // index (raw array) mode: anatomy (the array) stays on the same screen side, letters swap
    const a = qcViews({ image, labels, center, orientation: 'index' }).views[0]
    const b = qcViews({ image: imageF, labels: labelsF, center, orientation: 'index' }).views[0]
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels))
    expect(a.letters).toMatchObject({ left: 'R', right: 'L' })
    expect(b.letters).toMatchObject({ left: 'L', right: 'R' })
    // radiological mode: patient right stays on screen left; i = 0 is now the patient's LEFT-most
    // column, so the same array appears mirrored and the block moves to the other side
    const ra = qcViews({ image, labels, center }).views[0]
    const rb = qcViews({ image: imageF, labels: labelsF, center }).views[0]
    expect(rb.letters).toEqual(ra.letters)
    expect(rb.col.indexStep).toBe(-1)
    // the same array mirrored (up to nearest-neighbour tie breaks: +/- 1 display pixel)
    const columns = (v: QcView): [number, number] => {
      let lo = Infinity, hi = -Infinity
      v.labels.forEach((l, x) => { if (l === 3) { lo = Math.min(lo, x % v.width); hi = Math.max(hi, x % v.width) } })
      return [lo, hi]
    }
    const [a0, a1] = columns(ra), [b0, b1] = columns(rb)
    expect(Math.abs(b0 - (ra.width - 1 - a1))).toBeLessThanOrEqual(1)
    expect(Math.abs(b1 - (ra.width - 1 - a0))).toBeLessThanOrEqual(1)
    expect(decode(rb, 0, 0).i).toBe(NX - 1)
    expect(decode(ra, 0, 0).i).toBe(0)
    const meanCol = (v: QcView): number => {
      let s = 0, n = 0
      v.labels.forEach((l, x) => { if (l === 3) { s += x % v.width; n++ } })
      return s / n / v.width
    }
    expect(meanCol(ra)).toBeLessThan(0.5)
    expect(meanCol(rb)).toBeGreaterThan(0.5)
  })

  it('shows the same anatomy identically whatever the storage order (flips and permutations)', () => {
    const { image, labels } = volumeA()
    const ref = qcViews({ image, labels })
    const cases: [number[], number[]][] = [
      [[0, 1, 2], [-1, 1, 1]], // x flipped (RPS-like storage)
      [[0, 1, 2], [-1, -1, 1]], // RAS-like storage
      [[2, 0, 1], [1, 1, 1]], // i along z, j along x, k along y (permuted)
      [[1, 2, 0], [-1, -1, 1]], // sagittal-like storage with flips
      [[2, 1, 0], [-1, 1, -1]],
    ]
    for (const [axes, signs] of cases) {
      const q = qcViews({ image: restore(image, axes, signs), labels: restore(labels, axes, signs) })
      expect(q.mmPerPixel).toBeCloseTo(ref.mmPerPixel, 12)
      for (let n = 0; n < 3; n++) {
        const a = ref.views[n], b = q.views[n]
        expect([b.width, b.height], `${axes}/${signs} ${a.name}`).toEqual([a.width, a.height])
        expect(b.letters).toEqual(a.letters)
        expect(Array.from(b.intensity)).toEqual(Array.from(a.intensity))
        expect(Array.from(b.labels)).toEqual(Array.from(a.labels))
      }
    }
  })

  it('maps oblique directions to the nearest axes and uses mid-slices without labels', () => {
    const c = Math.cos(0.3), s = Math.sin(0.3)
    expect(nearestAxes([c, -s, 0, s, c, 0, 0, 0, 1])).toEqual({ axisOf: [0, 1, 2], signOf: [1, 1, 1] })
    // rotated ~80 deg about z: index axis i now runs mostly along +y, j along -x
    const c2 = Math.cos(1.4), s2 = Math.sin(1.4)
    expect(nearestAxes([c2, -s2, 0, s2, c2, 0, 0, 0, 1])).toEqual({ axisOf: [1, 0, 2], signOf: [-1, 1, 1] })
    const { image } = volumeA()
    const q = qcViews({ image })
    expect(q.centerSource).toBe('middle')
    expect(q.center).toEqual([20, 15, 10])
    expect(q.labelValues).toEqual([])
    expect(q.views.every((v) => v.labels.every((l) => l === 0))).toBe(true)
  })
})

describe('renderQcPng', () => {
  const isColoured = (rgba: Uint8Array, o: number): boolean => rgba[o] !== rgba[o + 1] || rgba[o + 1] !== rgba[o + 2]

  it('blends colour only on labelled pixels, inside the panels', () => {
    const { image, labels } = volumeA()
    const raster = renderQcRgba({ image, labels, window: { center: 10000, width: 20000 }, labelNames: { 3: 'Liver' }, labelColors: { 8: [0, 255, 0] } })
    expect(raster.legend.map((e) => [e.label, e.name])).toEqual([[3, 'Liver'], [8, '8']])
    expect(raster.legend[1].color).toEqual([0, 255, 0])
    let coloured = 0
    const wrong: string[] = []
    raster.views.views.forEach((v, n) => {
      const p = raster.panels[n]
      for (let r = 0; r < v.height; r++) for (let u = 0; u < v.width; u++) {
        const o = ((p.y + r) * raster.width + p.x + u) * 4
        if (isColoured(raster.rgba, o) !== (v.labels[r * v.width + u] !== 0)) wrong.push(`${v.name} (${u}, ${r})`)
        if (v.labels[r * v.width + u] !== 0) coloured++
      }
    })
    expect(wrong).toEqual([])
    expect(coloured).toBeGreaterThan(100)
    // the 1-voxel label 8 is blended with pure green on the axial view
    const ax = raster.views.views[0], p = raster.panels[0]
    const x = ax.labels.indexOf(8)
    const o = ((p.y + Math.floor(x / ax.width)) * raster.width + p.x + (x % ax.width)) * 4
    expect(raster.rgba[o + 1]).toBeGreaterThan(raster.rgba[o])
    // outside the panels only the legend swatches are coloured (letters, scale bar: grey/white)
    const inPanel = (xx: number, yy: number): boolean => raster.panels.some((q) => xx >= q.x && xx < q.x + q.width && yy >= q.y && yy < q.y + q.height)
    const panelsBottom = Math.max(...raster.panels.map((q) => q.y + q.height))
    let strayColour = 0
    for (let yy = 0; yy <= panelsBottom; yy++) for (let xx = 0; xx < raster.width; xx++) {
      if (!inPanel(xx, yy) && isColoured(raster.rgba, (yy * raster.width + xx) * 4)) strayColour++
    }
    expect(strayColour).toBe(0)
  })

  it('draws letters on the side the views say, swapping them for a flipped direction in index mode', () => {
    const { image, labels } = volumeA()
    const flip = makeImage({ size: [NX, NY, NZ], spacing: SPACING, origin: [0, 0, 0], direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] }, image.data as Float32Array)
    const a = renderQcRgba({ image, labels, orientation: 'index' })
    const b = renderQcRgba({ image: flip, orientation: 'index' })
    // white letter pixels left and right of the axial panel: "R" and "L" differ in shape, so the
    // pixel pattern in the left margin of A equals the one in the right margin of B
    // white pixels in the margin left/right of the axial panel, cropped to their bounding box
    // ("R" and "L" differ in shape, so A's left margin must look like B's right margin)
    const marginPattern = (r: typeof a, side: 'left' | 'right'): string => {
      const p = r.panels[0]
      const x0 = side === 'left' ? 0 : p.x + p.width
      const on: [number, number][] = []
      for (let yy = p.y; yy < p.y + p.height; yy++) for (let xx = x0; xx < x0 + p.x; xx++) {
        if (r.rgba[(yy * r.width + xx) * 4] === 255) on.push([xx, yy])
      }
      const minX = Math.min(...on.map((q) => q[0])), minY = Math.min(...on.map((q) => q[1]))
      return on.map(([xx, yy]) => `${xx - minX},${yy - minY}`).join(' ')
    }
    expect(marginPattern(a, 'left').length).toBeGreaterThan(0)
    expect(marginPattern(a, 'left')).not.toEqual(marginPattern(a, 'right'))
    expect(marginPattern(b, 'left')).toEqual(marginPattern(a, 'right'))
    expect(marginPattern(b, 'right')).toEqual(marginPattern(a, 'left'))
    expect(b.views.views[0].letters).toMatchObject({ left: 'L', right: 'R' })
  })

  it('encodes a PNG that pngjs decodes to the raster, with a 50 mm-or-smaller scale bar', () => {
    const { image, labels } = volumeA()
    const opts = { image, labels, window: { center: 5000, width: 30000 } }
    const bytes = renderQcPng(opts)
    const raster = renderQcRgba(opts)
    const png = PNG.sync.read(Buffer.from(bytes))
    expect(png.width).toBe(raster.width)
    expect(png.height).toBe(raster.height)
    const w = raster.views.views.reduce((s, v) => s + v.width, 0)
    expect(png.width).toBeGreaterThan(w)
    expect(Buffer.compare(png.data, Buffer.from(raster.rgba))).toBe(0)
    // scale bar: the biggest round length that fits 40 % of the narrowest view (40 mm here -> 10 mm)
    expect(raster.scaleBar.mm).toBe(10)
    expect(raster.scaleBar.pixels).toBe(Math.round(10 / raster.views.mmPerPixel))
  })

  it('renders a large CT-sized slice quickly', () => {
    const size = [512, 512, 300]
    const data = new Int16Array(size[0] * size[1] * size[2])
    const image = makeImage({ size, spacing: [0.8, 0.8, 1], origin: [0, 0, 0], direction: ID }, data)
    const t = performance.now()
    const bytes = renderQcPng({ image, window: { center: 40, width: 400 } })
    const ms = performance.now() - t
    const png = PNG.sync.read(Buffer.from(bytes))
    expect(png.width).toBeGreaterThan(3 * 409)
    expect(ms).toBeLessThan(5000)
  })
})
