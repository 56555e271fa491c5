// The phantom's primitives: their analytic volumes must be independently right, and the
// fast membership tests must agree with first principles.
import { describe, expect, it } from 'vitest'
import {
  boundsOf, cylinder, depthFunction, ellipsoid, pathDistanceFunction, pathLength, rotation, samplePath, tube, volumeMm3,
  type Primitive, type Vec3,
} from '../../src/sample/shapes.js'
import { sampleTruth } from '../../src/sample/phantom.js'

/** Volume by counting cell centres of a fine regular grid over the bounding box. */
function integrate(p: Primitive, h: number): number {
  const box = boundsOf(p)
  const inside = depthFunction(p)
  let count = 0
  for (let z = box.min[2] + h / 2; z < box.max[2]; z += h) {
    for (let y = box.min[1] + h / 2; y < box.max[1]; y += h) {
      for (let x = box.min[0] + h / 2; x < box.max[0]; x += h) {
        const d = inside(x, y, z)
        if (d >= 0) count++
        else if (-d > 2 * h) x += Math.floor(-d / h - 1) * h // 1-Lipschitz: skip what cannot be inside
      }
    }
  }
  return count * h ** 3
}

describe('analytic volumes', () => {
  it('ellipsoid, cylinder and straight capsule match their textbook formulas', () => {
    const e = ellipsoid([1, 2, 3], [20, 12, 30], rotation([1, 1, 0], 0.7))
    expect(volumeMm3(e)).toBeCloseTo((4 / 3) * Math.PI * 20 * 12 * 30, 6)
    expect(integrate(e, 0.4) / volumeMm3(e)).toBeCloseTo(1, 2)

    const c = cylinder([0, 0, 0], [10, 5, 20], 9)
    expect(volumeMm3(c)).toBeCloseTo(Math.PI * 81 * Math.hypot(10, 5, 20), 6)
    expect(integrate(c, 0.4) / volumeMm3(c)).toBeCloseTo(1, 2)

    const capsule = tube([[0, 0, 0], [0, 0, 40]], 10, 20)
    expect(pathLength(capsule)).toBeCloseTo(40, 9)
    expect(volumeMm3(capsule)).toBeCloseTo(Math.PI * 100 * 40 + (4 / 3) * Math.PI * 1000, 6)
    expect(integrate(capsule, 0.4) / volumeMm3(capsule)).toBeCloseTo(1, 2)
  })

  it('a bent tube is pi r^2 L + 4/3 pi r^3 (Pappus), L counting the fillet arcs', () => {
    // A right-angle bend with fillet R: L = 2 (a - R) + pi R / 2.
    const a = 50, R = 20, r = 8
    const t = tube([[0, 0, 0], [a, 0, 0], [a, a, 0]], r, R)
    expect(pathLength(t)).toBeCloseTo(2 * (a - R) + (Math.PI * R) / 2, 9)
    expect(integrate(t, 0.3) / volumeMm3(t)).toBeCloseTo(1, 2)
  })

  it('every primitive of the sample bones integrates numerically to its analytic volume (< 0.5 %)', () => {
    for (const [caseIndex, seed] of [[0, 1], [4, 2], [9, 3]]) {
      const truth = sampleTruth(caseIndex, seed)
      for (const bone of truth.bones) {
        let numeric = 0
        for (const p of bone.primitives) numeric += integrate(p, 0.5)
        expect(Math.abs(numeric / 1000 / bone.volumeMl - 1), `${bone.name} case ${caseIndex} seed ${seed}`).toBeLessThan(0.005)
      }
    }
  })
})

describe('membership', () => {
  it('tube distance equals the brute-force distance to the densely sampled centre line', () => {
    const truth = sampleTruth(2, 5)
    const t = truth.bones[0].primitives[0]
    if (t.kind !== 'tube') throw new Error('expected a tube')
    const dist = pathDistanceFunction(t)
    const line = samplePath(t, 0.02)
    const box = boundsOf(t)
    let seed = 12345
    const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296)
    for (let n = 0; n < 300; n++) {
      const p: Vec3 = [0, 1, 2].map((a) => box.min[a] - 10 + rand() * (box.max[a] - box.min[a] + 20)) as Vec3
      let best = Infinity
      for (const q of line) best = Math.min(best, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]))
      expect(dist(p[0], p[1], p[2])).toBeCloseTo(best, 3)
    }
  })

  it('ellipsoid depth changes sign exactly on the surface', () => {
    const R = rotation([0, 1, 1], 0.4)
    const e = ellipsoid([5, -3, 2], [20, 10, 15], R)
    const depth = depthFunction(e)
    // Surface points along each local axis, mapped to LPS: p = c + R (r e_i).
    for (let axis = 0; axis < 3; axis++) {
      for (const sign of [1, -1]) {
        const local = [0, 0, 0]
        local[axis] = sign * e.radii[axis]
        const p = [0, 1, 2].map((row) => e.center[row] + R[row * 3] * local[0] + R[row * 3 + 1] * local[1] + R[row * 3 + 2] * local[2])
        expect(Math.abs(depth(p[0], p[1], p[2]))).toBeLessThan(1e-9)
        const inward = p.map((v, i) => v + (e.center[i] - v) * 0.01)
        const outward = p.map((v, i) => v - (e.center[i] - v) * 0.01)
        expect(depth(inward[0], inward[1], inward[2])).toBeGreaterThan(0)
        expect(depth(outward[0], outward[1], outward[2])).toBeLessThan(0)
      }
    }
  })

  it('refuses fillets tighter than the tube', () => {
    expect(() => tube([[0, 0, 0], [30, 0, 0], [30, 30, 0]], 10, 8)).toThrow(/fillet/)
  })
})
