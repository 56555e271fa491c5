// Mirrors itk::SignedMaurerDistanceMapImageFilter (UseImageSpacing on, SquaredDistance off,
// InsideIsPositive off, BackgroundValue 0 by default): foreground = voxel != background; the
// boundary = foreground voxels with at least one background voxel among their 26 neighbours,
// voxels outside the image not counting as background; every voxel gets the Euclidean distance
// (mm, between voxel centres) to the nearest boundary voxel: 0 on the boundary, negative inside,
// positive outside (signs swapped with insideIsPositive). Float32 output, as the golden.
// Implementation: the exact separable EDT (lower envelope of parabolas, as distance-transform.ts)
// in three line passes. Phase 1, slice by slice: boundary detection fused with the x pass (a
// ring of three "background within the in-plane 3x3" planes; per row, sites and the distance to
// the nearest one in two scans), then the y pass over tiles of columns written straight into the
// float32 output (squared in-plane distances). Phase 2: one in-place pass along z over the
// columns that also takes the square root and the sign. Only the output and one float64 slice
// per thread are allocated, not a float64 volume. signedMaurerDistanceAsync runs both phases on
// the calling thread and the filter thread pool (slabs of slices, then blocks of columns, a
// barrier in between); every line of a pass is independent, so results do not depend on threads.
// Differs on purpose: an image without boundary voxels (empty or full) gets +Infinity outside
// and -Infinity inside (ITK fills NumericTraits::max()).
import { pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { asShared, defaultThreadCount, runOnThreads } from './filter-threads.js'

export const signedMaurerDistanceFootprint: Footprint = globalFootprint

export interface SignedMaurerOptions {
  /** Distances in mm using the image spacing (default true) or in voxels. */
  useImageSpacing?: boolean
  /** Return squared distances (signed); default false. */
  squaredDistance?: boolean
  /** Positive inside, negative outside; default false (ITK's default: inside negative). */
  insideIsPositive?: boolean
  /** Voxels equal to this are background; default 0. */
  backgroundValue?: number
}

export interface SignedMaurerThreadOptions extends SignedMaurerOptions {
  /** Threads in total (the calling one included); default: the available cores for large images. */
  threads?: number
}

/** Signed Maurer distance map on the calling thread. */
export function signedMaurerDistance(image: Image, options: SignedMaurerOptions = {}): Image {
  const args = planMaurer(image, options, false)
  maurerKernel(args)
  return withPixels(image, args.out)
}

/** The same on `threads` threads (the calling one and workers); identical results. */
export async function signedMaurerDistanceAsync(image: Image, options: SignedMaurerThreadOptions = {}): Promise<Image> {
  const n = pixelsOf(image).length
  const threads = options.threads ?? (n >= 1 << 21 ? defaultThreadCount() : 1)
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`signedMaurerDistance: threads must be an integer >= 1, got ${threads}`)
  if (threads === 1) return signedMaurerDistance(image, options)
  const args = planMaurer(image, options, true)
  await runOnThreads({ module: import.meta.url, name: 'maurerKernel', args }, threads, maurerKernel)
  return withPixels(image, args.out)
}

/** Arguments of the kernel; typed arrays over SharedArrayBuffers when threads > 1. */
export interface MaurerKernelArgs {
  data: PixelArray
  out: Float32Array
  dims: [number, number, number]
  /** squared spacing per axis */
  w: [number, number, number]
  bg: number
  sign: number
  squared: boolean
  /** slices per phase-1 work item, columns per phase-2 work item */
  slab: number
  columns: number
  /** [next slab, slices done, next column block, slices with boundary voxels] */
  sync: Int32Array
}

function planMaurer(image: Image, options: SignedMaurerOptions, shared: boolean): MaurerKernelArgs {
  const data = pixelsOf(image)
  const dims: [number, number, number] = [image.size[0], image.size[1], image.size[2] ?? 1]
  if (data.length !== dims[0] * dims[1] * dims[2]) throw new Error(`signedMaurerDistance: expected a 3-D scalar image, got size ${image.size.join('x')}`)
  const useSpacing = options.useImageSpacing ?? true
  const w = [0, 1, 2].map((d) => {
    const s = useSpacing ? image.spacing[d] ?? 1 : 1
    if (!(s > 0) || !Number.isFinite(s)) throw new Error(`signedMaurerDistance: spacing ${s} on axis ${d} must be positive`)
    return s * s
  }) as [number, number, number]
  let input = data
  let out: Float32Array
  let sync: Int32Array
  if (shared) {
    input = asShared(data)
    out = new Float32Array(new SharedArrayBuffer(4 * data.length))
    sync = new Int32Array(new SharedArrayBuffer(16))
  } else {
    out = new Float32Array(data.length)
    sync = new Int32Array(4)
  }
  return {
    data: input, out, dims, w,
    bg: options.backgroundValue ?? 0,
    sign: options.insideIsPositive ? 1 : -1,
    squared: options.squaredDistance ?? false,
    // small work items balance the threads (a slab needs no neighbouring slices computed first,
    // so nothing is recomputed per item)
    slab: 2,
    columns: 2048,
    sync,
  }
}

/**
 * Both phases, pulling work items from args.sync: (1) slabs of slices: boundary voxels, then
 * the in-plane EDT into `out` (squared); (2) after every slice is done, blocks of (x, y)
 * columns: the z pass, square root and sign, in place.
 */
export function maurerKernel(args: MaurerKernelArgs): void {
  const { data, out, dims, w, bg, sign, squared, slab, columns, sync } = args
  const [nx, ny, nz] = dims
  const plane = nx * ny
  // phase 1
  const slice = new Float64Array(plane)
  const vy = new Int32Array(ny)
  const fy = new Float64Array(ny)
  const hy = new Float64Array(ny)
  const zy = new Float64Array(ny + 1)
  const ry = reciprocals(ny, w[1])
  const tileY = new Float64Array(TILE_COLUMNS * ny)
  for (;;) {
    const z0 = Atomics.add(sync, 0, 1) * slab
    if (z0 >= nz) break
    const z1 = Math.min(nz, z0 + slab)
    let withBoundary = 0
    for (let z = z0; z < z1; z++) {
      const off = z * plane
      const sites = boundaryAlongX(data, bg, z, dims, w[0], slice)
      if (sites === 0) {
        out.fill(Infinity, off, off + plane)
        continue
      }
      withBoundary++
      alongY(slice, nx, ny, w[1], out, off, { v: vy, fv: fy, hv: hy, zb: zy, recip: ry }, tileY)
    }
    if (withBoundary) Atomics.add(sync, 3, withBoundary)
    if (Atomics.add(sync, 1, z1 - z0) + (z1 - z0) >= nz) Atomics.notify(sync, 1)
  }
  // barrier: every slice must be done before any column is finished
  for (let done = Atomics.load(sync, 1), waited = 0; done < nz; done = Atomics.load(sync, 1)) {
    if (waited++ > 600) throw new Error('signedMaurerDistance: a thread did not finish its slices')
    Atomics.wait(sync, 1, done, 1000)
  }
  // phase 2
  const anyBoundary = Atomics.load(sync, 3) > 0
  const stack: EnvelopeStack = { v: new Int32Array(nz), fv: new Float64Array(nz), hv: new Float64Array(nz), zb: new Float64Array(nz + 1), recip: reciprocals(nz, w[2]) }
  const tile = new Float64Array(Z_TILE_COLUMNS * nz)
  for (;;) {
    const c0 = Atomics.add(sync, 2, 1) * columns
    if (c0 >= plane) break
    const c1 = Math.min(plane, c0 + columns)
    if (!anyBoundary) {
      for (let c = c0; c < c1; c++) {
        for (let q = 0; q < nz; q++) out[c + q * plane] = data[c + q * plane] !== bg ? sign * Infinity : -sign * Infinity
      }
      continue
    }
    alongZ(out, data, bg, plane, nz, w[2], sign, squared, c0, c1, stack, tile)
  }
}

/**
 * The first pass, fused with boundary detection: row by row, a voxel is a site (0) when it is
 * foreground with background in its 26-neighbourhood (looked at for foreground voxels only, and
 * only until the first background voxel: most voxels of a mask are background, or interior);
 * every other voxel gets wx * (distance in voxels to the nearest site of its row)^2, Infinity
 * when the row has none (two scans, as the parabola envelope of 0/Infinity data reduces to
 * that). Returns the number of sites of the slice.
 */
function boundaryAlongX(data: PixelArray, bg: number, z: number, dims: [number, number, number], wx: number, slice: Float64Array): number {
  const [nx, ny, nz] = dims
  const plane = nx * ny
  const off = z * plane
  const zLo = z > 0 ? -plane : 0, zHi = z + 1 < nz ? plane : 0
  let sites = 0
  for (let y = 0; y < ny; y++) {
    const r = y * nx, d = off + r
    const yLo = y > 0 ? -nx : 0, yHi = y + 1 < ny ? nx : 0
    let last = -1
    for (let x = 0; x < nx; x++) {
      const i = r + x
      if (data[d + x] !== bg && touchesBackground(data, bg, d + x, x > 0 ? -1 : 0, x + 1 < nx ? 1 : 0, yLo, yHi, nx, zLo, zHi, plane)) {
        slice[i] = 0
        last = x
        sites++
      } else if (last >= 0) {
        const dx = x - last
        slice[i] = wx * dx * dx
      } else {
        slice[i] = Infinity
      }
    }
    if (last < 0) continue // no site in the row: all Infinity
    let next = -1
    for (let x = last; x >= 0; x--) {
      const i = r + x
      const cur = slice[i]
      if (cur === 0) next = x
      else {
        const dx = next - x
        const cand = wx * dx * dx
        if (cand < cur) slice[i] = cand
      }
    }
  }
  return sites
}

/** Whether a background voxel lies in the 3x3x3 block around voxel `i` (offsets clipped to the image). */
function touchesBackground(
  data: PixelArray, bg: number, i: number, xLo: number, xHi: number,
  yLo: number, yHi: number, nx: number, zLo: number, zHi: number, plane: number,
): boolean {
  for (let dz = zLo; dz <= zHi; dz += plane) {
    for (let dy = yLo; dy <= yHi; dy += nx) {
      const row = i + dz + dy
      for (let dx = xLo; dx <= xHi; dx++) if (data[row + dx] === bg) return true
    }
  }
  return false
}

/**
 * The y pass of one slice: columns of `slice` gathered a tile of TILE_COLUMNS at a time, the
 * parabola envelope solved in place, the result written straight into out[off ..] (float32).
 */
function alongY(
  slice: Float64Array, nx: number, ny: number, wy: number, out: Float32Array, off: number,
  stack: EnvelopeStack, tile: Float64Array,
): void {
  for (let t0 = 0; t0 < nx; t0 += TILE_COLUMNS) {
    const bw = Math.min(TILE_COLUMNS, nx - t0)
    for (let y = 0; y < ny; y++) {
      const row = t0 + y * nx
      for (let r = 0; r < bw; r++) tile[r * ny + y] = slice[row + r]
    }
    for (let r = 0; r < bw; r++) columnEnvelope(tile, r * ny, ny, wy, stack)
    for (let y = 0; y < ny; y++) {
      const row = t0 + y * nx
      const dst = off + row
      for (let r = 0; r < bw; r++) out[dst + r] = tile[r * ny + y]
    }
  }
}

/**
 * The z pass, in place over the (x, y) columns [c0, c1) of `out` (squared in-plane distances,
 * Infinity where a slice has no boundary): d(z) = min_p out(p) + wz (z - p)^2, then the square
 * root (unless squared) and the sign (`sign` on foreground, -sign on background; 0 stays 0).
 * Columns are strided by a whole slice, so they are gathered a tile of Z_TILE_COLUMNS at a time
 * (contiguous reads of each slice's row piece) into `tile` (one column per nz values), solved
 * there, and scattered back the same way.
 */
function alongZ(
  out: Float32Array, data: PixelArray, bg: number, plane: number, nz: number, wz: number, sign: number, squared: boolean,
  c0: number, c1: number, stack: EnvelopeStack, tile: Float64Array,
): void {
  for (let t0 = c0; t0 < c1; t0 += Z_TILE_COLUMNS) {
    const bw = Math.min(Z_TILE_COLUMNS, c1 - t0)
    for (let q = 0; q < nz; q++) {
      const row = t0 + q * plane
      for (let r = 0; r < bw; r++) tile[r * nz + q] = out[row + r]
    }
    for (let r = 0; r < bw; r++) columnEnvelope(tile, r * nz, nz, wz, stack)
    for (let q = 0; q < nz; q++) {
      const row = t0 + q * plane
      for (let r = 0; r < bw; r++) {
        const d2 = tile[r * nz + q]
        const i = row + r
        if (d2 === Infinity) {
          // no boundary voxel in any slice of this column: cannot happen when some slice has
          // one (the in-plane passes reach every voxel of such a slice), kept for safety
          out[i] = data[i] !== bg ? sign * Infinity : -sign * Infinity
          continue
        }
        const d = squared ? d2 : Math.sqrt(d2)
        out[i] = d === 0 ? 0 : data[i] !== bg ? sign * d : -sign * d
      }
    }
  }
}

/** Columns per y-pass tile: TILE_COLUMNS x ny float64 values stay in the L2 cache. */
const TILE_COLUMNS = 64
/**
 * Columns per z-pass tile: each gathered piece of a slice is 1 KiB of float32 (at 64 columns,
 * 256 bytes per slice 1 MiB apart left the gather and scatter waiting on memory; ~2x slower in
 * a 512x512x200 gather/scatter loop); 256 x nz float64 values (400 KiB for 200 slices) still
 * fit the L2 cache.
 */
const Z_TILE_COLUMNS = 256

/** The parabolas of a lower envelope, and 1 / (2 w d) for the distances d of a line. */
interface EnvelopeStack {
  /** apex positions */
  v: Int32Array
  /** f values at the apexes */
  fv: Float64Array
  /** f(p) + w p^2, the intersection formula's terms */
  hv: Float64Array
  /** left ends of the parabolas' ranges */
  zb: Float64Array
  recip: Float64Array
}

/** recip[d] = 1 / (2 w d), d = 1 .. n - 1: the intersections multiply instead of divide. */
function reciprocals(n: number, w: number): Float64Array {
  const r = new Float64Array(Math.max(1, n))
  for (let d = 1; d < n; d++) r[d] = 1 / (2 * w * d)
  return r
}

/**
 * One contiguous column c[off .. off + n), in place: c(z) = min_p c(p) + w (z - p)^2. The
 * parabolas kept on the stack carry their own f values, so results can overwrite the column.
 */
function columnEnvelope(c: Float64Array, off: number, n: number, w: number, stack: EnvelopeStack): void {
  const { v, fv, hv, zb, recip } = stack
  let k = -1
  for (let q = 0; q < n; q++) {
    const fq = c[off + q]
    if (fq === Infinity) continue
    const hq = fq + w * q * q
    if (k < 0) {
      k = 0
      v[0] = q
      fv[0] = fq
      hv[0] = hq
      zb[0] = -Infinity
      continue
    }
    let s = 0
    for (;;) {
      s = (hq - hv[k]) * recip[q - v[k]]
      if (s > zb[k]) break
      k--
    }
    k++
    v[k] = q
    fv[k] = fq
    hv[k] = hq
    zb[k] = s
  }
  if (k < 0) return // all Infinity: left as is
  // parabola j owns the q in (zb[j], zb[j + 1]] (the first j with zb[j + 1] >= q): filled range by
  // range, so the loop has no data-dependent branch per element
  let q = 0
  for (let j = 0; j <= k; j++) {
    const end = j === k ? n - 1 : Math.min(n - 1, Math.floor(zb[j + 1]))
    const vj = v[j], fj = fv[j]
    for (; q <= end; q++) {
      const dz = q - vj
      c[off + q] = w * dz * dz + fj
    }
  }
}
