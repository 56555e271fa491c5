// Mirrors itk::SignedMaurerDistanceMapImageFilter (UseImageSpacing on, SquaredDistance off,
// InsideIsPositive off, BackgroundValue 0 by default): foreground = voxel != background; the
// boundary = foreground voxels with at least one background voxel among their 26 neighbours,
// voxels outside the image not counting as background; every voxel gets the Euclidean distance
// (mm, between voxel centres) to the nearest boundary voxel: 0 on the boundary, negative inside,
// positive outside (signs swapped with insideIsPositive). Float32 output, as the golden.
// Implementation: the exact separable EDT (lower envelope of parabolas) in three line passes.
// Phase 1, blocks of image rows through all slices: boundary detection fused with the z pass,
// which on 0/Infinity sites reduces to the distance to the nearest site of the column (a scan
// chaining each column's sites, then one writing distances, over contiguous row pieces: no
// strided gathers), in slices into the float32 output. Phase 2, slice by slice: the y pass
// (columns gathered into a padded tile), then the x pass along the contiguous rows, the square
// root and the sign, back into the output. The envelope loop, the tile transposes and the
// root (with the sign, on byte masks) run in a small WebAssembly kernel (parabola-envelope.ts; a
// JavaScript fallback gives identical results). Only the output plus per thread one float64
// slice, its copies and a block's site chains are allocated. signedMaurerDistanceAsync runs both phases on
// the calling thread and the filter thread pool (work items pulled from shared counters, a
// barrier in between); every line of a pass is independent, so results do not depend on threads.
// Differs on purpose: an image without boundary voxels (empty or full) gets +Infinity outside
// and -Infinity inside (ITK fills NumericTraits::max()).
import { pixelsOf, withPixels, type Image, type PixelArray } from '../image/image.js'
import { globalFootprint, type Footprint } from '../chunks/footprint.js'
import { asShared, defaultThreadCount, runOnThreads } from './filter-threads.js'
import { ParabolaEnvelopes, type EnvelopeKernel } from './parabola-envelope.js'

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
  /** The envelope passes' inner loop: 'auto' (WebAssembly where available) or 'js'; same results. */
  kernel?: EnvelopeKernel
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
  kernel: EnvelopeKernel
  /** image rows per phase-1 work item, slices per phase-2 work item */
  rows: number
  slab: number
  /** [next row block, rows done, next slab, boundary voxels] */
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
    kernel: options.kernel ?? 'auto',
    // small work items balance the threads (no item needs its neighbours computed first, so
    // nothing is recomputed per item); 4 rows of 512: 8 KiB contiguous per slice and pass
    rows: Math.max(1, Math.ceil(2048 / dims[0])),
    slab: 2,
    sync,
  }
}

/**
 * Both phases, pulling work items from args.sync: (1) blocks of `rows` image rows through every
 * slice: boundary voxels and the z pass (on 0/Infinity data the parabola envelope reduces to the
 * distance to the nearest site of the column: two forward scans, slice by slice, so every
 * read and write is a contiguous row piece), in slices into `out`; (2) after every block is
 * done, slabs of slices: the y pass (tiles of columns), then the x pass along the contiguous
 * rows, fused with the square root and the sign, written back into `out`.
 */
export function maurerKernel(args: MaurerKernelArgs): void {
  const { data, out, dims, w, bg, sign, squared, kernel, slab, rows, sync } = args
  const [nx, ny, nz] = dims
  const plane = nx * ny
  // phase 1
  const columns: ColumnSites = {
    link: new Int32Array(rows * nx * nz),
    first: new Int32Array(rows * nx),
    last: new Int32Array(rows * nx),
    prev: new Int32Array(rows * nx),
  }
  for (;;) {
    const y0 = Atomics.add(sync, 0, 1) * rows
    if (y0 >= ny) break
    const y1 = Math.min(ny, y0 + rows)
    const sites = boundaryAlongZ(data, bg, dims, y0, y1, out, columns)
    if (sites) Atomics.add(sync, 3, sites)
    if (Atomics.add(sync, 1, y1 - y0) + (y1 - y0) >= ny) Atomics.notify(sync, 1)
  }
  // barrier: every column must be done before any slice is finished
  for (let done = Atomics.load(sync, 1), waited = 0; done < ny; done = Atomics.load(sync, 1)) {
    if (waited++ > 600) throw new Error('signedMaurerDistance: a thread did not finish its columns')
    Atomics.wait(sync, 1, done, 1000)
  }
  // phase 2
  const anyBoundary = Atomics.load(sync, 3) > 0
  // a byte mask (as thresholds make) is copied slice by slice next to the magnitudes, so the
  // sign is applied with the root in the kernel; other pixel types are signed by a loop here
  const byteMask = data instanceof Uint8Array && Number.isInteger(bg) && bg >= 0 && bg <= 255
  const envelopes = new ParabolaEnvelopes([plane, Math.ceil(plane / 2), TILE_COLUMNS * (ny + TILE_PAD), byteMask ? Math.ceil(plane / 8) : 0], [{ n: ny, w: w[1] }, { n: nx, w: w[0] }], kernel)
  const maskSlice = byteMask ? envelopes.byteView(envelopes.arrays[3], plane) : null
  // the y pass's copy of a slice's z distances, then the x pass's signed magnitudes
  const magnitudes = envelopes.float32View(envelopes.arrays[1], plane)
  for (;;) {
    const z0 = Atomics.add(sync, 2, 1) * slab
    if (z0 >= nz) break
    for (let z = z0; z < Math.min(nz, z0 + slab); z++) {
      const off = z * plane
      if (!anyBoundary) {
        for (let i = off; i < off + plane; i++) out[i] = data[i] !== bg ? sign * Infinity : -sign * Infinity
        continue
      }
      alongY(out, off, nx, ny, w[2], envelopes, magnitudes)
      alongXSigned(envelopes, magnitudes, out, data, off, nx, ny, bg, sign, squared, maskSlice)
    }
  }
}

/**
 * A block's sites per column (index c of its m columns): link[z * m + c] = the column's next site
 * after slice z (a site), NO_NEXT_SITE after the last; first[c] its first site; last[c] and
 * prev[c] are the scans' cursors. Written only at sites (a mask's sites are few), reused.
 */
interface ColumnSites {
  link: Int32Array
  first: Int32Array
  last: Int32Array
  prev: Int32Array
}

/**
 * Phase 1 for image rows [y0, y1) of every slice. Forward, slice by slice: a voxel is a site
 * when it is foreground with background in its 26-neighbourhood (looked at for foreground voxels
 * only, until the first background voxel: most voxels of a mask are background, or interior);
 * sites are chained per column (`columns`), nothing is written for other voxels. Then forward
 * again: each voxel's distance to the nearer of its column's previous and next site, in slices
 * (exact in float32), into `out` (Infinity for a column without any). Returns the number of sites.
 */
function boundaryAlongZ(
  data: PixelArray, bg: number, dims: [number, number, number], y0: number, y1: number,
  out: Float32Array, columns: ColumnSites,
): number {
  const [nx, ny, nz] = dims
  const plane = nx * ny
  const c0 = y0 * nx, m = (y1 - y0) * nx
  const { link, first, last, prev } = columns
  first.fill(NO_NEXT_SITE, 0, m)
  last.fill(-1, 0, m)
  let sites = 0
  for (let z = 0; z < nz; z++) {
    const off = z * plane
    const zLo = z > 0 ? -plane : 0, zHi = z + 1 < nz ? plane : 0
    for (let y = y0; y < y1; y++) {
      const d = off + y * nx, r = (y - y0) * nx
      const yLo = y > 0 ? -nx : 0, yHi = y + 1 < ny ? nx : 0
      for (let x = 0; x < nx; x++) {
        const i = d + x
        if (data[i] !== bg && touchesBackground(data, bg, i, x > 0 ? -1 : 0, x + 1 < nx ? 1 : 0, yLo, yHi, nx, zLo, zHi, plane)) {
          const c = r + x
          const k = last[c]
          if (k < 0) first[c] = z
          else link[k * m + c] = z
          last[c] = z
          sites++
        }
      }
    }
  }
  for (let c = 0; c < m; c++) {
    const k = last[c]
    if (k >= 0) link[k * m + c] = NO_NEXT_SITE
  }
  // first holds each column's next site from here on, prev its last one (-NO_SITE: none yet)
  prev.fill(-NO_SITE, 0, m)
  for (let z = 0; z < nz; z++) {
    const off = z * plane + c0
    for (let c = 0; c < m; c++) {
      const k = first[c]
      if (k === z) {
        prev[c] = z
        first[c] = link[z * m + c]
        out[off + c] = 0
        continue
      }
      // either term is >= NO_SITE only when its side has no site
      const d = Math.min(z - prev[c], k - z)
      out[off + c] = d >= NO_SITE ? Infinity : d
    }
  }
  return sites
}

/** "No site yet": more slices than any image has; z - (-NO_SITE) stays below 2^31 (nz < 2^30). */
const NO_SITE = 0x3fffffff
/** "No later site": k - z >= NO_SITE for every z < nz, and fits int32. */
const NO_NEXT_SITE = 2 * NO_SITE

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
 * The y pass of slice `off`: out[off ..] (z distances in slices) copied into `zSlices` (a float32
 * view of the envelopes' work memory), its columns squared and weighted in float64 and gathered a
 * tile of TILE_COLUMNS at a time into the envelopes' third array (one column per ny + TILE_PAD
 * values), solved there (kind 0), scattered into the first (the slice, float64).
 */
function alongY(out: Float32Array, off: number, nx: number, ny: number, wz: number, envelopes: ParabolaEnvelopes, zSlices: Float32Array): void {
  const slice = envelopes.arrays[0], tile = envelopes.arrays[2]
  const line = ny + TILE_PAD
  // one block copy into the work memory, so that both transposes run in the kernel
  zSlices.set(out.subarray(off, off + nx * ny))
  for (let t0 = 0; t0 < nx; t0 += TILE_COLUMNS) {
    const bw = Math.min(TILE_COLUMNS, nx - t0)
    envelopes.gatherColumns(zSlices, t0, nx, bw, ny, tile, 0, line, wz)
    envelopes.solve(tile, 0, bw, 0, line)
    envelopes.scatterColumns(tile, 0, line, bw, ny, slice, t0, nx)
  }
}

/** Columns per y-pass tile: TILE_COLUMNS x ny float64 values stay in the L2 cache. */
const TILE_COLUMNS = 64
/**
 * Padding between the tile's columns: at ny = 512 an unpadded column is 4 KiB, so the gather's
 * and scatter's 64 accesses per row all fall into one L1 cache set (solving the columns in
 * place in the slice, 4 KiB apart, has the same problem); padded, ~10 % less CPU in all.
 */
const TILE_PAD = 8

/**
 * The x pass of one slice, in place along its contiguous rows (kind 1), then the square root
 * (unless squared) and the sign (`sign` on foreground, -sign on background; 0 stays +0) into
 * out[off ..]: with a byte mask (its slice copied into `maskSlice`) both in the kernel, else
 * every voxel gets the background's sign in `magnitudes` (float32), copied as a block, then the
 * foreground voxels are negated (0 - v: a site's -0 becomes +0; same values). Infinity is
 * left only when the image has no boundary voxel at all (every pass carries a finite value to
 * the whole line), so it takes the sign too.
 */
function alongXSigned(
  envelopes: ParabolaEnvelopes, magnitudes: Float32Array, out: Float32Array, data: PixelArray, off: number,
  nx: number, ny: number, bg: number, sign: number, squared: boolean, maskSlice: Uint8Array | null,
): void {
  const slice = envelopes.arrays[0]
  const end = off + nx * ny
  envelopes.solve(slice, 0, ny, 1)
  if (maskSlice) {
    maskSlice.set((data as Uint8Array).subarray(off, end))
    envelopes.signedRoots(slice, 0, magnitudes, !squared, -sign, maskSlice, bg)
    out.set(magnitudes, off)
    return
  }
  envelopes.roots(slice, 0, magnitudes, !squared, -sign)
  out.set(magnitudes, off)
  for (let i = off; i < end; i++) if (data[i] !== bg) out[i] = 0 - out[i]
}

