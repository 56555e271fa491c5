// Gantry-tilt correction and slice equalization of a DICOM stack laid out on the dcm2niix grid
// (src/io/dicom-grid.ts): the slices are resampled onto an orthogonal grid with uniform steps
// along the slice normal. Output grid: the first slice's in-plane grid, direction
// [row, -column, normal] (orthonormal), k from the first to the last slice position.
// Each input slice is a plane perpendicular to the normal, shifted in-plane by its own IPP; an
// output voxel is sampled bilinearly in the two slices around it and blended linearly along
// the normal (linear interpolation reproduces linear intensity ramps exactly).
// Voxels whose in-plane sample falls outside the acquired slice get `padValue`.
import type { Image } from '../image/image.js'
import { componentTypeOf, makeImage, pixelsOf, allocatePixels, type PixelArray } from '../image/image.js'
import type { SliceGeometry } from './slice-geometry.js'

export interface ResliceOptions {
  /** Output step along the normal (mm). Default: the median step for a uniform (tilted) stack,
   * the smallest step when the spacing varies (no acquired slice is undersampled). */
  stepMm?: number
  /** Value outside the acquired slices. Default -1024. */
  padValue?: number
}

export interface ResliceResult {
  image: Image
  stepMm: number
  slices: number
  padValue: number
  /** Largest in-plane shift between the first and any slice (mm), i.e. the shear corrected. */
  maxShiftMm: number
}

/** True when the stack needs reslicing: tilted or not uniformly spaced. */
export function needsReslice(geometry: SliceGeometry): boolean {
  return geometry.sliceCount > 1 && (geometry.tilt.detected || !geometry.spacing.uniform)
}

export function resliceStack(laid: Image, geometry: SliceGeometry, options: ResliceOptions = {}): ResliceResult {
  const [nx, ny, nz] = laid.size
  if (nz !== geometry.sliceCount || nz < 2) throw new Error(`reslice needs the ${geometry.sliceCount} header slices, got ${nz}`)
  const [sx, sy] = laid.spacing
  const r = geometry.rowDirection
  const c = geometry.columnDirection
  const p = geometry.positionsMm
  const step = options.stepMm ?? (geometry.spacing.uniform ? geometry.spacing.medianMm : geometry.spacing.minMm)
  if (!(step > 0)) throw new Error(`invalid output step ${step} mm`)
  const padValue = options.padValue ?? -1024
  const length = p[nz - 1] - p[0]
  const nzOut = Math.round(length / step + 1e-6) + 1

  // In-plane offset of each slice's voxel (i, j) relative to the first slice's (in voxels).
  const p0 = geometry.ipps[0]
  const du = new Float64Array(nz)
  const dv = new Float64Array(nz)
  let maxShiftMm = 0
  for (let s = 0; s < nz; s++) {
    const d = [p0[0] - geometry.ipps[s][0], p0[1] - geometry.ipps[s][1], p0[2] - geometry.ipps[s][2]]
    const alongRow = d[0] * r[0] + d[1] * r[1] + d[2] * r[2]
    const alongColumn = d[0] * c[0] + d[1] * c[1] + d[2] * c[2]
    du[s] = alongRow / sx
    dv[s] = -alongColumn / sy // j runs against the column direction
    maxShiftMm = Math.max(maxShiftMm, Math.hypot(alongRow, alongColumn))
  }

  const src = pixelsOf(laid)
  const type = componentTypeOf(src)
  const integer = !type.startsWith('float')
  const [lo, hi] = integer ? rangeOf(type) : [-Infinity, Infinity]
  const out = allocatePixels(type, nx * ny * nzOut)
  const plane = nx * ny
  const rowA = new Float64Array(nx)
  const rowB = new Float64Array(nx)
  let s = 0
  for (let k = 0; k < nzOut; k++) {
    const q = Math.min(p[0] + k * step, p[nz - 1])
    while (s < nz - 2 && p[s + 1] < q - 1e-9) s++
    const gap = p[s + 1] - p[s]
    const w = gap > 1e-9 ? Math.min(1, Math.max(0, (q - p[s]) / gap)) : 1
    for (let j = 0; j < ny; j++) {
      if (w < 1) sampleRow(src, nx, ny, s * plane, du[s], j + dv[s], rowA)
      if (w > 0) sampleRow(src, nx, ny, (s + 1) * plane, du[s + 1], j + dv[s + 1], rowB)
      const base = k * plane + j * nx
      for (let i = 0; i < nx; i++) {
        // NaN = outside that slice; a voxel needs every sample it blends, else it is padding.
        const v = w <= 0 ? rowA[i] : w >= 1 ? rowB[i] : rowA[i] * (1 - w) + rowB[i] * w
        out[base + i] = Number.isNaN(v) ? padValue : integer ? Math.min(hi, Math.max(lo, Math.round(v))) : v
      }
    }
  }
  const n = geometry.normal
  const origin = [0, 1, 2].map((a) => p0[a] + (ny - 1) * sy * c[a])
  const direction = [r[0], -c[0], n[0], r[1], -c[1], n[1], r[2], -c[2], n[2]]
  const image = makeImage({ size: [nx, ny, nzOut], spacing: [sx, sy, step], origin, direction }, out as PixelArray, laid.name)
  return { image, stepMm: step, slices: nzOut, padValue, maxShiftMm }
}

/** Bilinear samples of one slice at (i + du, y) for i = 0..nx-1; outside the slice: NaN. */
function sampleRow(src: PixelArray, nx: number, ny: number, offset: number, du: number, y: number, into: Float64Array): void {
  const y0 = Math.floor(y)
  const fy = y - y0
  const eps = 1e-6
  for (let i = 0; i < nx; i++) {
    const x = i + du
    if (x < -eps || x > nx - 1 + eps || y < -eps || y > ny - 1 + eps) {
      into[i] = NaN
      continue
    }
    let x0 = Math.floor(x)
    let fx = x - x0
    if (x0 >= nx - 1) { x0 = nx - 1; fx = 0 }
    if (x0 < 0) { x0 = 0; fx = 0 }
    let yy = y0
    let gy = fy
    if (yy >= ny - 1) { yy = ny - 1; gy = 0 }
    if (yy < 0) { yy = 0; gy = 0 }
    const a = offset + yy * nx + x0
    const x1 = fx > 0 ? 1 : 0
    const y1 = gy > 0 ? nx : 0
    const top = src[a] * (1 - fx) + src[a + x1] * fx
    const bottom = gy > 0 ? src[a + y1] * (1 - fx) + src[a + y1 + x1] * fx : top
    into[i] = top * (1 - gy) + bottom * gy
  }
}

function rangeOf(type: string): [number, number] {
  switch (type) {
    case 'int8': return [-128, 127]
    case 'uint8': return [0, 255]
    case 'int16': return [-32768, 32767]
    case 'uint16': return [0, 65535]
    case 'int32': return [-2147483648, 2147483647]
    default: return [0, 4294967295]
  }
}
