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
 */
export function fitLattice(
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  gridSize: readonly number[],
  controlPoints: [number, number, number],
): ControlLattice {
  const [nx, ny, nz] = gridSize
  const [cx, cy, cz] = controlPoints
  const ax = axisWeights(nx, cx - 3), ay = axisWeights(ny, cy - 3), az = axisWeights(nz, cz - 3)
  const nc = cx * cy * cz
  const delta = new Float64Array(nc)
  const omega = new Float64Array(nc)
  const w = new Float64Array(64)
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = (z * ny + y) * nx + x
        if (!mask[i]) continue
        let sum2 = 0
        let k = 0
        for (let c = 0; c < 4; c++) {
          const wz = az.w[4 * z + c]
          for (let b = 0; b < 4; b++) {
            const wzy = wz * ay.w[4 * y + b]
            for (let a = 0; a < 4; a++) {
              const v = wzy * ax.w[4 * x + a]
              w[k++] = v
              sum2 += v * v
            }
          }
        }
        const ratio = values[i] / sum2
        k = 0
        for (let c = 0; c < 4; c++) {
          const rowZ = (az.base[z] + c) * cy
          for (let b = 0; b < 4; b++) {
            const row = (rowZ + ay.base[y] + b) * cx + ax.base[x]
            for (let a = 0; a < 4; a++) {
              const v = w[k++]
              const v2 = v * v
              delta[row + a] += v2 * v * ratio
              omega[row + a] += v2
            }
          }
        }
      }
    }
  }
  const out = new Float64Array(nc)
  for (let j = 0; j < nc; j++) out[j] = omega[j] !== 0 ? delta[j] / omega[j] : 0
  return { size: [cx, cy, cz], values: out }
}

/**
 * Evaluation plane by plane: contracts x and y once (cz planes of the grid's x-y size), then
 * `plane(z, out, offset)` writes the field on grid plane z to out[offset ..].
 */
export function latticePlanes(lattice: ControlLattice, gridSize: readonly number[]): (z: number, out: Float64Array | Float32Array, offset: number) => void {
  const [nx, ny, nz] = gridSize
  const [cx, cy, cz] = lattice.size
  const ax = axisWeights(nx, cx - 3), ay = axisWeights(ny, cy - 3), az = axisWeights(nz, cz - 3)
  const phi = lattice.values
  // contract x: [cz][cy][nx]
  const tx = new Float64Array(cz * cy * nx)
  for (let r = 0; r < cz * cy; r++) {
    const src = r * cx
    const dst = r * nx
    for (let x = 0; x < nx; x++) {
      const b = src + ax.base[x]
      const o = 4 * x
      tx[dst + x] = ax.w[o] * phi[b] + ax.w[o + 1] * phi[b + 1] + ax.w[o + 2] * phi[b + 2] + ax.w[o + 3] * phi[b + 3]
    }
  }
  // contract y: [cz][ny][nx]
  const ty = new Float64Array(cz * ny * nx)
  for (let c = 0; c < cz; c++) {
    for (let y = 0; y < ny; y++) {
      const o = 4 * y
      const w0 = ay.w[o], w1 = ay.w[o + 1], w2 = ay.w[o + 2], w3 = ay.w[o + 3]
      const s0 = (c * cy + ay.base[y]) * nx
      const dst = (c * ny + y) * nx
      for (let x = 0; x < nx; x++) {
        ty[dst + x] = w0 * tx[s0 + x] + w1 * tx[s0 + nx + x] + w2 * tx[s0 + 2 * nx + x] + w3 * tx[s0 + 3 * nx + x]
      }
    }
  }
  const plane = nx * ny
  return (z, out, offset) => {
    if (!(z >= 0 && z < nz)) throw new Error(`latticePlanes: plane ${z} outside 0..${nz - 1}`)
    const o = 4 * z
    const w0 = az.w[o], w1 = az.w[o + 1], w2 = az.w[o + 2], w3 = az.w[o + 3]
    const s0 = az.base[z] * plane
    for (let j = 0; j < plane; j++) {
      out[offset + j] = w0 * ty[s0 + j] + w1 * ty[s0 + plane + j] + w2 * ty[s0 + 2 * plane + j] + w3 * ty[s0 + 3 * plane + j]
    }
  }
}

/** The lattice's function sampled on a grid of `gridSize` spread over the parametric domain. */
export function evaluateLattice(lattice: ControlLattice, gridSize: readonly number[], out?: Float64Array | Float32Array): Float64Array | Float32Array {
  const [nx, ny, nz] = gridSize
  const result = out ?? new Float64Array(nx * ny * nz)
  const plane = latticePlanes(lattice, gridSize)
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
