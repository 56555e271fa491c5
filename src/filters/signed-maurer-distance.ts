// Mirrors itk::SignedMaurerDistanceMapImageFilter (UseImageSpacing on, SquaredDistance off,
// InsideIsPositive off, BackgroundValue 0 by default): foreground = voxel != background; the
// boundary = foreground voxels with at least one background voxel among their 26 neighbours,
// voxels outside the image not counting as background; every voxel gets the Euclidean distance
// (mm, between voxel centres) to the nearest boundary voxel: 0 on the boundary, negative inside,
// positive outside (signs swapped with insideIsPositive). Float32 output, as the golden.
// Implementation: the exact separable EDT (lower envelope of parabolas) in three line passes.
// Phase 1, blocks of image rows through all slices: boundary detection fused with the z pass,
// which on 0/Infinity sites reduces to the distance to the nearest site of the column (a forward
// and a backward scan over contiguous row pieces: no strided gathers), in slices into the float32
// output. Phase 2, slice by slice: the y pass (columns gathered into a padded tile), then the x
// pass along the contiguous rows, the square root and the sign, back into the output. The
// envelope loop and the root run in a small WebAssembly kernel (parabola-envelope.ts; a
// JavaScript fallback gives identical results). Only the output plus per thread one float64
// slice and a block of slice counts are allocated. signedMaurerDistanceAsync runs both phases on
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
 * distance to the nearest site of the column: a forward and a backward scan, slice by slice, so
 * every read and write is a contiguous row piece), in slices into `out`; (2) after every block is
 * done, slabs of slices: the y pass (tiles of columns), then the x pass along the contiguous
 * rows, fused with the square root and the sign, written back into `out`.
 */
export function maurerKernel(args: MaurerKernelArgs): void {
  const { data, out, dims, w, bg, sign, squared, kernel, slab, rows, sync } = args
  const [nx, ny, nz] = dims
  const plane = nx * ny
  // phase 1
  const next = new Int32Array(rows * nx)
  // slice counts of a block, after a first slice standing for "before the image": no site yet
  const since = new Int32Array(rows * nx * (nz + 1)).fill(NO_SITE - 1, 0, rows * nx)
  for (;;) {
    const y0 = Atomics.add(sync, 0, 1) * rows
    if (y0 >= ny) break
    const y1 = Math.min(ny, y0 + rows)
    const sites = boundaryAlongZ(data, bg, dims, y0, y1, out, since, next)
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
 * Phase 1 for image rows [y0, y1) of every slice. Forward, slice by slice: a voxel is a site
 * when it is foreground with background in its 26-neighbourhood (looked at for foreground voxels
 * only, as three 3x3 columns across z and y, reused along a run of foreground voxels);
 * `since` (the block's own, reused: out is written once, in the second scan) counts the slices
 * since the column's last site, NO_SITE or more before the first (its slice 0 stands for the
 * slices before the image, so the first slice is no special case). Backward: the nearer of that and the
 * next site, in slices (exact in float32), into `out` (Infinity for a column without any).
 * `next` holds each column's next site while going backward. Returns the number of sites.
 */
function boundaryAlongZ(
  data: PixelArray, bg: number, dims: [number, number, number], y0: number, y1: number,
  out: Float32Array, since: Int32Array, next: Int32Array,
): number {
  const [nx, ny, nz] = dims
  const plane = nx * ny
  const c0 = y0 * nx, m = (y1 - y0) * nx
  let sites = 0
  for (let z = 0; z < nz; z++) {
    const off = z * plane
    const s = (z + 1) * m
    const zLo = z > 0 ? -plane : 0, zHi = z + 1 < nz ? plane : 0
    for (let y = y0; y < y1; y++) {
      const d = off + y * nx, r = s + (y - y0) * nx
      const yLo = y > 0 ? -nx : 0, yHi = y + 1 < ny ? nx : 0
      // whether the 3x3 (y, z) columns at x - 1, x, x + 1 hold background, for x = known: along
      // a run of foreground each voxel looks at one new column instead of 27 voxels
      let known = -2, bgLeft = false, bgHere = false, bgRight = false
      for (let x = 0; x < nx; x++) {
        const i = d + x
        if (data[i] !== bg) {
          if (known === x - 1) {
            bgLeft = bgHere
            bgHere = bgRight
          } else {
            bgLeft = x > 0 && columnTouchesBackground(data, bg, i - 1, yLo, yHi, nx, zLo, zHi, plane)
            bgHere = columnTouchesBackground(data, bg, i, yLo, yHi, nx, zLo, zHi, plane)
          }
          bgRight = x + 1 < nx && columnTouchesBackground(data, bg, i + 1, yLo, yHi, nx, zLo, zHi, plane)
          known = x
          if (bgLeft || bgHere || bgRight) {
            since[r + x] = 0
            sites++
            continue
          }
        }
        since[r + x] = since[r + x - m] + 1
      }
    }
  }
  next.fill(NO_NEXT_SITE, 0, m)
  for (let z = nz - 1; z >= 0; z--) {
    const off = z * plane + c0
    const s = (z + 1) * m
    for (let c = 0; c < m; c++) {
      const f = since[s + c]
      if (f === 0) {
        next[c] = z
        out[off + c] = 0
        continue
      }
      // either term is >= NO_SITE only when its side has no site
      const d = Math.min(f, next[c] - z)
      out[off + c] = d >= NO_SITE ? Infinity : d
    }
  }
  return sites
}

/**
 * "No site yet" in a column's slice count (more slices than any image has); counting on from it
 * stays below 2^31 (nz < 2^30), so the forward scan needs no cap: any count >= NO_SITE means none.
 */
const NO_SITE = 0x3fffffff
/** "No later site" while going backward: next - z >= NO_SITE for every z < nz, and fits int32. */
const NO_NEXT_SITE = 2 * NO_SITE

/** Whether a background voxel lies in the 3x3 (y, z) block around voxel `i` (offsets clipped to the image). */
function columnTouchesBackground(
  data: PixelArray, bg: number, i: number, yLo: number, yHi: number, nx: number, zLo: number, zHi: number, plane: number,
): boolean {
  for (let dz = zLo; dz <= zHi; dz += plane) {
    for (let dy = yLo; dy <= yHi; dy += nx) if (data[i + dz + dy] === bg) return true
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

