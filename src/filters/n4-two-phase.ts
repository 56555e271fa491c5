// N4 bias-field correction split in the two phases chunked processing needs (issue 7):
//   phase 1 (global, once): offset, Otsu mask, shrink and the B-spline fit on the shrunk whole
//            image, exactly steps 1-4 of n4BiasFieldCorrection (n4-bias-field-correction.ts);
//            the result is the control-point lattice plus the offset, small JSON;
//   phase 2 (pointwise, per slab): the lattice evaluated on the slab's planes of the full grid
//            and corrected = (input + offset) / bias - offset, steps 5-6 of the same filter.
// Each plane is evaluated from the lattice alone (latticePlanes), so the corrected values are
// the same float32 numbers whatever the slab sizes, and the same as n4BiasFieldCorrection's.
import { type Image, gridOf, makeImage, pixelsOf } from '../image/image.js'
import { latticePlanes } from './bspline-scattered-fit.js'
import { type N4Options, n4Fit, n4ShrunkInputs } from './n4-bias-field-correction.js'

/** The fitted log-bias field: everything phase 2 needs (JSON-safe). */
export interface N4Field {
  /** Size of the full-resolution grid the lattice's parametric domain spans. */
  gridSize: [number, number, number]
  latticeSize: [number, number, number]
  /** Control-point values, x fastest (float64; JSON keeps them exactly). */
  lattice: number[]
  offset: number
  /** Otsu threshold of the mask, in input units. */
  threshold: number
  iterationsRun: number[]
  convergence: number[]
}

/** Phase 1: fit the log bias of the whole image on its shrunk copy. */
export function fitN4Field(image: Image, options: Omit<N4Options, 'mask'> = {}): N4Field {
  if ((options.splineOrder ?? 3) !== 3) throw new Error('fitN4Field: only spline order 3 is supported')
  const size: [number, number, number] = [image.size[0], image.size[1], image.size[2] ?? 1]
  const { offset, threshold, plan, small, smallMask } = n4ShrunkInputs(image, options)
  const fit = n4Fit(small, smallMask, plan.grid.size, options)
  return {
    gridSize: size,
    latticeSize: [...fit.lattice.size],
    lattice: Array.from(fit.lattice.values),
    offset,
    threshold,
    iterationsRun: fit.iterationsRun,
    convergence: fit.convergence,
  }
}

/**
 * Phase 2: the corrected float32 slab. `slab` holds planes [kStart, kStart + depth) of the grid
 * the field was fitted on (same i-j size).
 */
export function applyN4Field(slab: Image, field: N4Field, kStart: number): Image {
  const [nx, ny, nz] = field.gridSize
  const depth = slab.size[2]
  if (slab.size[0] !== nx || slab.size[1] !== ny || kStart < 0 || kStart + depth > nz) {
    throw new Error(`applyN4Field: slab ${slab.size.join('x')} at plane ${kStart} is not inside the fitted grid ${field.gridSize.join('x')}`)
  }
  const data = pixelsOf(slab)
  const plane = nx * ny
  const evaluate = latticePlanes({ size: field.latticeSize, values: Float64Array.from(field.lattice) }, field.gridSize)
  const logPlane = new Float64Array(plane)
  const corrected = new Float32Array(data.length)
  const { offset } = field
  for (let z = 0; z < depth; z++) {
    evaluate(kStart + z, logPlane, 0)
    const base = z * plane
    for (let j = 0; j < plane; j++) corrected[base + j] = Math.fround(data[base + j] + offset) / Math.exp(logPlane[j]) - offset
  }
  return makeImage(gridOf(slab), corrected, slab.name)
}
