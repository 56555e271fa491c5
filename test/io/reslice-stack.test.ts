// Tilt correction / slice equalization (src/io/reslice-stack.ts): on a synthetic tilted,
// non-uniformly spaced stack holding a linear intensity ramp in world coordinates, the resliced
// volume must hold the same ramp at its own (orthogonal) voxel positions.
import { describe, expect, it } from 'vitest'
import type { DicomHeader } from '../../src/io/dicom-header.js'
import { gridOf, makeImage, pixelsOf } from '../../src/image/image.js'
import { indexToPhysical } from '../../src/image/geometry.js'
import { sliceGeometry } from '../../src/io/slice-geometry.js'
import { needsReslice, resliceStack } from '../../src/io/reslice-stack.js'

const ramp = (x: number[]) => 2 * x[0] + 3 * x[1] + 5 * x[2] + 100

function tiltedStack(zs: number[], degrees: number, n = 16, s = 0.5) {
  const t = (degrees * Math.PI) / 180
  const iop = [1, 0, 0, 0, Math.cos(t), -Math.sin(t)]
  const headers: DicomHeader[] = zs.map((z, i) => ({
    file: `f${i}`, sopClassUid: '', sopInstanceUid: `${i}`, modality: 'CT', seriesInstanceUid: '1', seriesDescription: '',
    frameOfReferenceUid: '', imageType: [], rows: n, columns: n, imageOrientationPatient: iop, imagePositionPatient: [-4, -4, z], numberOfFrames: 1,
  }))
  const g = sliceGeometry(headers)
  // The stack as laid out by toDcm2niixGrid: i = column, j = n-1-row, k ascending.
  const data = new Float32Array(n * n * zs.length)
  for (let k = 0; k < zs.length; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const row = n - 1 - j
    const x = [0, 1, 2].map((a) => g.ipps[k][a] + i * s * g.rowDirection[a] + row * s * g.columnDirection[a])
    data[k * n * n + j * n + i] = ramp(x)
  }
  const c = g.columnDirection
  const laid = makeImage({
    size: [n, n, zs.length], spacing: [s, s, g.spacing.medianMm],
    origin: [0, 1, 2].map((a) => g.ipps[0][a] + (n - 1) * s * c[a]),
    direction: [1, -c[0], g.normal[0], 0, -c[1], g.normal[1], 0, -c[2], g.normal[2]],
  }, data)
  return { g, laid }
}

describe('resliceStack', () => {
  it('corrects a 12° tilt with non-uniform steps onto an orthogonal grid, reproducing a linear ramp', () => {
    const { g, laid } = tiltedStack([0, 1, 2, 3, 3.5, 5, 6.5], 12)
    expect(needsReslice(g)).toBe(true)
    const r = resliceStack(laid, g, { padValue: -1024 })
    const t = (12 * Math.PI) / 180
    expect(r.stepMm).toBeCloseTo(0.5 * Math.cos(t), 9) // smallest step along the normal
    expect(r.slices).toBe(Math.round((6.5 * Math.cos(t)) / r.stepMm) + 1)
    const d = Array.from(r.image.direction as ArrayLike<number>)
    // Orthonormal columns.
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      const dot = d[a] * d[b] + d[3 + a] * d[3 + b] + d[6 + a] * d[6 + b]
      expect(dot).toBeCloseTo(a === b ? 1 : 0, 9)
    }
    const out = pixelsOf(r.image)
    const grid = gridOf(r.image)
    const [nx, ny, nz] = r.image.size
    let checked = 0
    let padded = 0
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      const v = out[k * nx * ny + j * nx + i]
      if (v === -1024) { padded++; continue }
      expect(v).toBeCloseTo(ramp(indexToPhysical(grid, [i, j, k])), 2)
      checked++
    }
    expect(checked).toBeGreaterThan(nx * ny * nz * 0.5)
    expect(padded).toBeGreaterThan(0) // the sheared rows fall outside the first slice's field
    expect(r.maxShiftMm).toBeCloseTo(6.5 * Math.sin(t), 6) // the in-plane part of the last IPP offset
  })

  it('a uniform untilted stack needs no reslicing; a uniform tilted one keeps its step', () => {
    expect(needsReslice(tiltedStack([0, 1, 2, 3], 0).g)).toBe(false)
    const { g, laid } = tiltedStack([0, 1, 2, 3], 20)
    const r = resliceStack(laid, g)
    expect(r.slices).toBe(4)
    expect(r.stepMm).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 9)
  })
})
