// Cubic B-spline control-point lattices on a 3-D grid's parametric domain, as N4 uses them:
// mirrors the single-level fit of itk::BSplineScatteredDataPointSetToImageFilter (Lee, Wolberg
// and Shin's B-spline approximation, with point weights), itk::BSplineControlPointImageFilter
// (evaluation of a lattice on a grid) and its RefineControlPointLattice (knot insertion that
// doubles the number of spans per axis without changing the function).
// The parametric domain of an axis of n samples is first to last sample centre: sample i sits at
// u = i / (n - 1) * spans, spans = control points - 3. The last sample uses span spans - 1 with
// t = 1 (ITK moves it inside by an epsilon; the value is the same by continuity).
// Differs on purpose: spline order 3 only; the data points are the voxels of a grid (a 0/1 mask
// chooses them), which lets the basis weights be tabulated per axis; evaluation is separable.

/** A lattice of control points, x fastest; size[d] = spans[d] + 3. */
export interface ControlLattice {
  size: [number, number, number]
  values: Float64Array
}

/**
 * Reused float64 work buffers, one per slot: an iterative caller (N4 runs ~150 fits and
 * evaluations) would otherwise leave megabytes of garbage per iteration, which V8 collects only
 * after tens of MiB of external memory have piled up, and that pile adds to the caller's peak.
 */
export class ScratchBuffers {
  private readonly buffers: Float64Array[] = []

  /** A zero-filled view of n values in `slot` (valid until the slot is asked for again). */
  zeros(slot: number, n: number): Float64Array {
    const view = this.take(slot, n)
    view.fill(0)
    return view
  }

  /** The same without clearing: for buffers that are written in full before being read. */
  take(slot: number, n: number): Float64Array {
    let b = this.buffers[slot]
    if (!b || b.length < n) b = this.buffers[slot] = new Float64Array(n)
    return b.subarray(0, n)
  }
}

const fresh = {
  zeros: (_slot: number, n: number) => new Float64Array(n),
  take: (_slot: number, n: number) => new Float64Array(n),
}

/** Per-axis tables: the first control index and the 4 cubic B-spline weights of each sample. */
export interface AxisWeights {
  base: Int32Array
  w: Float64Array
}

/** The four uniform cubic B-spline weights at fraction t, written to out[o..o+3]. */
function cubicWeights(t: number, out: Float64Array, o: number): void {
  const s = 1 - t
  const t2 = t * t
  const t3 = t2 * t
  out[o] = (s * s * s) / 6
  out[o + 1] = (3 * t3 - 6 * t2 + 4) / 6
  out[o + 2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6
  out[o + 3] = t3 / 6
}

/** Weights of n samples spread first-to-last over `spans` spans. */
export function axisWeights(n: number, spans: number): AxisWeights {
  const base = new Int32Array(n)
  const w = new Float64Array(4 * n)
  for (let i = 0; i < n; i++) {
    const u = n > 1 ? (i * spans) / (n - 1) : 0
    let b = Math.floor(u)
    if (b > spans - 1) b = spans - 1
    base[i] = b
    cubicWeights(u - b, w, 4 * i)
  }
  return { base, w }
}

export function emptyLattice(controlPoints: [number, number, number]): ControlLattice {
  for (const c of controlPoints) if (!Number.isInteger(c) || c < 4) throw new Error(`B-spline lattice: need >= 4 control points per axis for order 3, got ${c}`)
  return { size: [...controlPoints], values: new Float64Array(controlPoints[0] * controlPoints[1] * controlPoints[2]) }
}

/**
 * Single-level B-spline approximation of the values at the grid voxels where mask != 0:
 * phi_k = sum_p w_pk^2 phi_pk / sum_p w_pk^2 with phi_pk = w_pk v_p / sum_l w_pl^2 (weights 1).
 * On a grid the tensor-product weights factor per axis: w_pk = wx wy wz, and so do
 * sum_l w_pl^2 = Sx Sy Sz, w^3 and w^2. Both sums over p are therefore separable contractions,
 * done one axis at a time (x, then y, then z): 8 multiply-adds per masked voxel instead of
 * 64 weights and 128 scattered updates. Same sums, other rounding order.
 */
export function fitLattice(
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  gridSize: readonly number[],
  controlPoints: [number, number, number],
  scratch: Pick<ScratchBuffers, 'zeros' | 'take'> = fresh,
): ControlLattice {
  const [nx, ny, nz] = gridSize
  const [cx, cy, cz] = controlPoints
  const ax = powerWeights(axisWeights(nx, cx - 3)), ay = powerWeights(axisWeights(ny, cy - 3)), az = powerWeights(axisWeights(nz, cz - 3))
  // x: rows (z, y) of the grid -> [nz][ny][cx] sums of wx^3 v / (Sx Sy Sz) and of wx^2
  const dx = scratch.zeros(0, nz * ny * cx)
  const ox = scratch.zeros(1, nz * ny * cx)
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const r = z * ny + y
      const invSyz = 1 / (ay.sum2[y] * az.sum2[z])
      const src = r * nx
      const dst = r * cx
      for (let x = 0; x < nx; x++) {
        if (!mask[src + x]) continue
        const g = values[src + x] * ax.invSum2[x] * invSyz
        const o = 4 * x
        const k = dst + ax.base[x]
        dx[k] += ax.w3[o] * g; dx[k + 1] += ax.w3[o + 1] * g; dx[k + 2] += ax.w3[o + 2] * g; dx[k + 3] += ax.w3[o + 3] * g
        ox[k] += ax.w2[o]; ox[k + 1] += ax.w2[o + 1]; ox[k + 2] += ax.w2[o + 2]; ox[k + 3] += ax.w2[o + 3]
      }
    }
  }
  // y: [nz][ny][cx] -> [nz][cy][cx]
  const dy = scratch.zeros(2, nz * cy * cx)
  const oy = scratch.zeros(3, nz * cy * cx)
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const src = (z * ny + y) * cx
      for (let b = 0; b < 4; b++) {
        const w3 = ay.w3[4 * y + b], w2 = ay.w2[4 * y + b]
        const dst = (z * cy + ay.base[y] + b) * cx
        for (let a = 0; a < cx; a++) {
          dy[dst + a] += w3 * dx[src + a]
          oy[dst + a] += w2 * ox[src + a]
        }
      }
    }
  }
  // z: [nz][cy][cx] -> [cz][cy][cx]
  const slab = cy * cx
  const delta = scratch.zeros(4, cz * slab)
  const omega = scratch.zeros(5, cz * slab)
  for (let z = 0; z < nz; z++) {
    const src = z * slab
    for (let c = 0; c < 4; c++) {
      const w3 = az.w3[4 * z + c], w2 = az.w2[4 * z + c]
      const dst = (az.base[z] + c) * slab
      for (let j = 0; j < slab; j++) {
        delta[dst + j] += w3 * dy[src + j]
        omega[dst + j] += w2 * oy[src + j]
      }
    }
  }
  const out = new Float64Array(cz * slab)
  for (let j = 0; j < out.length; j++) out[j] = omega[j] !== 0 ? delta[j] / omega[j] : 0
  return { size: [cx, cy, cz], values: out }
}

/** An axis's weights with their squares, cubes and per-sample sums of squares. */
function powerWeights({ base, w }: AxisWeights) {
  const n = base.length
  const w2 = new Float64Array(4 * n), w3 = new Float64Array(4 * n)
  const sum2 = new Float64Array(n), invSum2 = new Float64Array(n)
  for (let i = 0; i < 4 * n; i++) {
    w2[i] = w[i] * w[i]
    w3[i] = w2[i] * w[i]
  }
  for (let i = 0; i < n; i++) {
    sum2[i] = w2[4 * i] + w2[4 * i + 1] + w2[4 * i + 2] + w2[4 * i + 3]
    invSum2[i] = 1 / sum2[i]
  }
  return { base, w2, w3, sum2, invSum2 }
}

/**
 * Evaluation plane by plane: contracts x and y once (cz planes of the grid's x-y size), then
 * `plane(z, out, offset)` writes the field on grid plane z to out[offset ..].
 */
export function latticePlanes(
  lattice: ControlLattice, gridSize: readonly number[], scratch: Pick<ScratchBuffers, 'zeros' | 'take'> = fresh,
): (z: number, out: Float64Array | Float32Array, offset: number) => void {
  const [nx, ny, nz] = gridSize
  const [cx, cy, cz] = lattice.size
  const ax = axisWeights(nx, cx - 3), ay = axisWeights(ny, cy - 3), az = axisWeights(nz, cz - 3)
  const phi = lattice.values
  // contract x: [cz][cy][nx]
  const tx = scratch.take(6, cz * cy * nx)
  for (let r = 0; r < cz * cy; r++) {
    const src = r * cx
    const dst = r * nx
    for (let x = 0; x < nx; x++) {
      const b = src + ax.base[x]
      const o = 4 * x
      tx[dst + x] = ax.w[o] * phi[b] + ax.w[o + 1] * phi[b + 1] + ax.w[o + 2] * phi[b + 2] + ax.w[o + 3] * phi[b + 3]
    }
  }
  // contract y, per control plane c when a grid plane first needs it: a ring of the 4 planes
  // [cz][ny][nx] that grid plane z uses (planes come in increasing z, so each c is contracted
  // once; for a CT-sized grid the ring is 8 MiB where all cz planes would be ~23 MiB)
  const plane = nx * ny
  const ring = scratch.take(7, 4 * plane)
  const held = [-1, -1, -1, -1]
  const contractY = (c: number): number => {
    const slot = c & 3
    const at = slot * plane
    if (held[slot] === c) return at
    for (let y = 0; y < ny; y++) {
      const o = 4 * y
      const w0 = ay.w[o], w1 = ay.w[o + 1], w2 = ay.w[o + 2], w3 = ay.w[o + 3]
      const s0 = (c * cy + ay.base[y]) * nx
      const dst = at + y * nx
      for (let x = 0; x < nx; x++) {
        ring[dst + x] = w0 * tx[s0 + x] + w1 * tx[s0 + nx + x] + w2 * tx[s0 + 2 * nx + x] + w3 * tx[s0 + 3 * nx + x]
      }
    }
    held[slot] = c
    return at
  }
  return (z, out, offset) => {
    if (!(z >= 0 && z < nz)) throw new Error(`latticePlanes: plane ${z} outside 0..${nz - 1}`)
    const o = 4 * z
    const w0 = az.w[o], w1 = az.w[o + 1], w2 = az.w[o + 2], w3 = az.w[o + 3]
    const c = az.base[z]
    // four consecutive c land in four different slots
    const p0 = contractY(c), p1 = contractY(c + 1), p2 = contractY(c + 2), p3 = contractY(c + 3)
    for (let j = 0; j < plane; j++) {
      out[offset + j] = w0 * ring[p0 + j] + w1 * ring[p1 + j] + w2 * ring[p2 + j] + w3 * ring[p3 + j]
    }
  }
}

/** The lattice's function sampled on a grid of `gridSize` spread over the parametric domain. */
export function evaluateLattice(
  lattice: ControlLattice, gridSize: readonly number[], out?: Float64Array | Float32Array, scratch?: ScratchBuffers,
): Float64Array | Float32Array {
  const [nx, ny, nz] = gridSize
  const result = out ?? new Float64Array(nx * ny * nz)
  const plane = latticePlanes(lattice, gridSize, scratch)
  for (let z = 0; z < nz; z++) plane(z, result, z * nx * ny)
  return result
}

/** Doubles the spans on every axis (c -> 2 (c - 3) + 3 control points); the function is unchanged. */
export function refineLattice(lattice: ControlLattice): ControlLattice {
  let { size, values } = lattice
  for (let d = 0; d < 3; d++) {
    const n = size[d]
    const m = 2 * (n - 3) + 3
    const newSize: [number, number, number] = [...size]
    newSize[d] = m
    const stride = d === 0 ? 1 : d === 1 ? size[0] : size[0] * size[1]
    const outStride = stride // strides of lower axes are unchanged
    const outer = values.length / (n * stride)
    const next = new Float64Array(outer * m * stride)
    for (let o = 0; o < outer; o++) {
      for (let s = 0; s < stride; s++) {
        const src = o * n * stride + s
        const dst = o * m * outStride + s
        const at = (j: number) => values[src + j * stride]
        for (let j = 0; j < m; j++) {
          // new point j sits at old parametric (j - 1) / 2, old point i at i - 1
          let v: number
          if (j % 2 === 1) {
            const i = (j - 1) / 2 + 1 // coincides with old point i
            v = (at(i - 1) + 6 * at(i) + at(i + 1)) / 8
          } else {
            const i = j / 2 // midway between old points i and i + 1
            v = (at(i) + at(i + 1)) / 2
          }
          next[dst + j * outStride] = v
        }
      }
    }
    size = newSize
    values = next
  }
  return { size, values }
}
