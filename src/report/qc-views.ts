// The three orthogonal QC view planes of a volume, oriented for display.
//
// Screen conventions (orientation 'radiological', the default), whatever the direction matrix:
//   axial    (constant S-I): patient Right on screen left, Anterior up      letters R|L, A/P
//   coronal  (constant A-P): patient Right on screen left, Superior up      letters R|L, S/I
//   sagittal (constant R-L): Anterior on screen left,      Superior up      letters A|P, S/I
// The image's direction matrix (LPS, columns = index axes) decides which index axis runs along
// each screen axis and in which sense (flips/permutations); for oblique directions each LPS axis
// takes the index axis nearest to it (best permutation), the planes stay index planes.
// Orientation 'index' draws the raw array instead (index increasing to the right and down) and
// only the letters follow the direction matrix: useful to debug a reader.
//
// Physical aspect: display pixels have the same size in mm on both screen axes and in all three
// views; each display pixel takes the value of the voxel whose extent contains its centre (nearest).
import type { Image, PixelArray } from '../image/image.js'
import { type SlabVolume, asSlabVolume } from '../chunks/slab-volume.js'

export type ViewName = 'axial' | 'coronal' | 'sagittal'
export type QcOrientation = 'radiological' | 'index'

/** How one screen axis maps to the volume. */
export interface ScreenAxis {
  /** LPS axis along the screen axis: 0 = x (R->L), 1 = y (A->P), 2 = z (I->S). */
  physicalAxis: number
  /** +1 when moving right/down on screen moves toward +x (L), +y (P) or +z (S). */
  physicalSense: 1 | -1
  /** Index axis (0 = i, 1 = j, 2 = k) sampled along the screen axis. */
  indexAxis: number
  /** +1 when moving right/down on screen increases the index. */
  indexStep: 1 | -1
}

export interface QcView {
  name: ViewName
  /** Display size in pixels. */
  width: number
  height: number
  /** Intensity values (row-major, width x height, top row first). */
  intensity: Float32Array
  /** Label values at the same display pixels (0 = none; all zero without a label map). */
  labels: Float64Array
  /** The plane: index axis held constant and its index. */
  slice: { indexAxis: number; index: number }
  col: ScreenAxis
  row: ScreenAxis
  /** Orientation letters to draw at the middle of each edge. */
  letters: { left: string; right: string; top: string; bottom: string }
}

export interface QcViews {
  orientation: QcOrientation
  /** Size of a display pixel in mm (same for all views and both screen axes). */
  mmPerPixel: number
  /** Voxel index the three planes pass through. */
  center: [number, number, number]
  /** Whether the centre is the labels' centroid (else the middle of the volume or given). */
  centerSource: 'labels' | 'middle' | 'given'
  /** Sorted nonzero label values present in the whole label map. */
  labelValues: number[]
  views: [QcView, QcView, QcView]
}

export interface QcViewsOptions {
  /** The volume, whole or as its slabs (then only the sampled planes are read). */
  image: Image | SlabVolume
  labels?: Image | SlabVolume | null
  /** Voxel index to cut through (default: centroid of nonzero labels, else the middle). */
  center?: [number, number, number]
  /** Display pixel size in mm (default: smallest spacing, bounded so a view is 256..512 px wide). */
  mmPerPixel?: number
  orientation?: QcOrientation
  /** labelSummary(labels) when already known (e.g. from label partials): skips a pass over the labels. */
  labelSummary?: { values: number[]; centroid: number[] | null }
}

const POSITIVE_LETTER = ['L', 'P', 'S']
const NEGATIVE_LETTER = ['R', 'A', 'I']

const PERMUTATIONS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]

/**
 * For each LPS axis r, the index axis nearest to it and the sign of that index axis along r:
 * the permutation maximising sum |D[r][axis[r]]| (exact for axis-aligned directions).
 */
export function nearestAxes(direction: ArrayLike<number>): { axisOf: number[]; signOf: (1 | -1)[] } {
  let best = PERMUTATIONS[0], bestScore = -1
  for (const p of PERMUTATIONS) {
    const score = Math.abs(direction[0 * 3 + p[0]]) + Math.abs(direction[1 * 3 + p[1]]) + Math.abs(direction[2 * 3 + p[2]])
    if (score > bestScore + 1e-12) { best = p; bestScore = score }
  }
  return { axisOf: [...best], signOf: best.map((c, r) => (direction[r * 3 + c] < 0 ? -1 : 1)) }
}

interface ViewSpec { name: ViewName; normal: number; col: [number, 1 | -1]; row: [number, 1 | -1] }

const RADIOLOGICAL: ViewSpec[] = [
  { name: 'axial', normal: 2, col: [0, 1], row: [1, 1] },
  { name: 'coronal', normal: 1, col: [0, 1], row: [2, -1] },
  { name: 'sagittal', normal: 0, col: [1, 1], row: [2, -1] },
]

function letterOf(axis: number, sense: number): string {
  return sense > 0 ? POSITIVE_LETTER[axis] : NEGATIVE_LETTER[axis]
}

/** Sorted nonzero labels and the mean index of nonzero voxels (null when there are none). */
export function labelSummary(labels: Image | SlabVolume): { values: number[]; centroid: number[] | null } {
  const { grid, planes } = asSlabVolume(labels)
  const [nx, ny, nz] = grid.size
  const values = new Set<number>()
  let n = 0, si = 0, sj = 0, sk = 0
  let last = 0
  for (let k = 0; k < nz; k++) {
    const data = planes[k]
    for (let j = 0, x = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, x++) {
        const l = data[x]
        if (l === 0) continue
        if (l !== last) { values.add(l); last = l }
        n++; si += i; sj += j; sk += k
      }
    }
  }
  return { values: [...values].sort((a, b) => a - b), centroid: n > 0 ? [si / n, sj / n, sk / n] : null }
}

function sameSize(a: SlabVolume, b: SlabVolume): boolean {
  return a.grid.size.length === b.grid.size.length && a.grid.size.every((n, d) => n === b.grid.size[d])
}

/** The three display planes (pure; no drawing). See the module comment for conventions. */
export function qcViews(options: QcViewsOptions): QcViews {
  const image = asSlabVolume(options.image)
  const labels = options.labels ? asSlabVolume(options.labels) : null
  const orientation = options.orientation ?? 'radiological'
  const { size, spacing, direction } = image.grid
  if (size.length !== 3) throw new Error(`qcViews: image must be 3-D, got size ${size.join('x')}`)
  if (labels && !sameSize(image, labels)) {
    throw new Error(`qcViews: label map size ${labels.grid.size.join('x')} differs from image size ${size.join('x')}`)
  }
  const { axisOf, signOf } = nearestAxes(direction)

  const summary = options.labelSummary ?? (labels ? labelSummary(labels) : { values: [], centroid: null })
  let centerSource: QcViews['centerSource']
  let center: [number, number, number]
  if (options.center) {
    center = options.center.map((c, d) => Math.min(size[d] - 1, Math.max(0, Math.round(c)))) as [number, number, number]
    centerSource = 'given'
  } else if (summary.centroid) {
    center = summary.centroid.map((c) => Math.round(c)) as [number, number, number]
    centerSource = 'labels'
  } else {
    center = [0, 1, 2].map((d) => Math.floor(size[d] / 2)) as [number, number, number]
    centerSource = 'middle'
  }

  let mm = options.mmPerPixel
  if (!(mm && mm > 0)) {
    mm = Math.min(...spacing)
    const extent = Math.max(...[0, 1, 2].map((d) => size[d] * spacing[d]))
    if (extent / mm > 512) mm = extent / 512
    if (extent / mm < 256) mm = extent / 256
  }

  const intensity = image.planes
  const labelData = labels ? labels.planes : null
  // a voxel is (plane k, offset in the plane): i and j step within a plane, k picks the plane
  const planeStrides = [1, size[0], 0]
  const kStep = [0, 0, 1]

  const makeAxis = ([physicalAxis, radiologicalSense]: [number, 1 | -1]): ScreenAxis & { n: number; pixels: number } => {
    const indexAxis = axisOf[physicalAxis]
    const physicalSense = orientation === 'radiological' ? radiologicalSense : signOf[physicalAxis]
    const indexStep = (physicalSense * signOf[physicalAxis]) as 1 | -1
    const n = size[indexAxis]
    return { physicalAxis, physicalSense, indexAxis, indexStep, n, pixels: Math.max(1, Math.round((n * spacing[indexAxis]) / mm!)) }
  }
  const sampleIndices = (a: { n: number; pixels: number; indexStep: number }): Int32Array => {
    const out = new Int32Array(a.pixels)
    for (let u = 0; u < a.pixels; u++) {
      const t = Math.min(a.n - 1, Math.floor(((u + 0.5) * a.n) / a.pixels))
      out[u] = a.indexStep > 0 ? t : a.n - 1 - t
    }
    return out
  }

  const views = RADIOLOGICAL.map((spec): QcView => {
    const col = makeAxis(spec.col), row = makeAxis(spec.row)
    const sliceAxis = axisOf[spec.normal]
    const cu = sampleIndices(col), rv = sampleIndices(row)
    const width = col.pixels, height = row.pixels
    const outI = new Float32Array(width * height)
    const outL = new Float64Array(width * height)
    const baseOffset = center[sliceAxis] * planeStrides[sliceAxis], baseK = center[sliceAxis] * kStep[sliceAxis]
    const cs = planeStrides[col.indexAxis], rs = planeStrides[row.indexAxis]
    const ck = kStep[col.indexAxis], rk = kStep[row.indexAxis]
    const sample = (planes: PixelArray[], out: Float32Array | Float64Array) => {
      for (let v = 0; v < height; v++) {
        const rowOffset = baseOffset + rv[v] * rs, rowK = baseK + rv[v] * rk
        if (ck === 0) {
          // the usual case: a screen row lies in one plane
          const plane = planes[rowK]
          for (let u = 0, o = v * width; u < width; u++, o++) out[o] = plane[rowOffset + cu[u] * cs]
        } else {
          for (let u = 0, o = v * width; u < width; u++, o++) out[o] = planes[rowK + cu[u] * ck][rowOffset + cu[u] * cs]
        }
      }
    }
    sample(intensity, outI)
    if (labelData) sample(labelData, outL)
    const strip = ({ physicalAxis, physicalSense, indexAxis, indexStep }: ScreenAxis): ScreenAxis => ({ physicalAxis, physicalSense, indexAxis, indexStep })
    return {
      name: spec.name,
      width,
      height,
      intensity: outI,
      labels: outL,
      slice: { indexAxis: sliceAxis, index: center[sliceAxis] },
      col: strip(col),
      row: strip(row),
      letters: {
        left: letterOf(col.physicalAxis, -col.physicalSense),
        right: letterOf(col.physicalAxis, col.physicalSense),
        top: letterOf(row.physicalAxis, -row.physicalSense),
        bottom: letterOf(row.physicalAxis, row.physicalSense),
      },
    }
  }) as [QcView, QcView, QcView]

  return { orientation, mmPerPixel: mm, center, centerSource, labelValues: summary.values, views }
}
