// NIfTI-1 files read byte by byte from their header (no library in between, no scaling), and a
// comparison of two such files in physical space: a reference (dcm2niix) may lay the same voxels
// out in another index order (its flipZ convention), so each voxel is matched by its position.
import { readFileSync } from 'node:fs'

export interface RawNifti {
  dims: number[]
  /** pixdim[1..dims]: spacing, then the time step. */
  pixdim: number[]
  sclSlope: number
  sclInter: number
  /** srow_x, srow_y, srow_z: voxel -> RAS mm. */
  affine: number[][]
  raw: Int16Array | Uint16Array
}

/** An int16 or uint16 NIfTI-1 file (throws on anything else: the references here are all int16). */
export function readRawNifti(file: string): RawNifti {
  const bytes = readFileSync(file)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getInt32(0, true) !== 348) throw new Error(`${file}: not a little-endian NIfTI-1 file`)
  const datatype = view.getInt16(70, true)
  if (datatype !== 4 && datatype !== 512) throw new Error(`${file}: datatype ${datatype}, not int16 or uint16`)
  const rank = view.getInt16(40, true)
  const dims = Array.from({ length: rank }, (_, i) => view.getInt16(42 + 2 * i, true))
  const pixdim = Array.from({ length: rank }, (_, i) => view.getFloat32(80 + 4 * i, true))
  const offset = view.getFloat32(108, true)
  const affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => view.getFloat32(280 + 16 * r + 4 * c, true)))
  const count = dims.reduce((a, b) => a * b, 1)
  const voxels = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 2 * count)
  const raw = datatype === 4 ? new Int16Array(voxels) : new Uint16Array(voxels)
  return { dims, pixdim, sclSlope: view.getFloat32(112, true), sclInter: view.getFloat32(116, true), affine, raw }
}

export interface PhysicalComparison {
  /** Largest distance of one of our voxel centres from the nearest reference voxel centre, in reference voxels. */
  maxIndexError: number
  /** Our voxels (over all time points) whose reference voxel holds another value or lies outside it. */
  mismatches: number
  compared: number
}

/**
 * Every voxel of `ours` at every time point against the reference voxel at the same RAS position
 * (time point t of ours against t + `firstRefVolume` of the reference).
 */
export function compareInPhysicalSpace(ours: RawNifti, ref: RawNifti, firstRefVolume = 0): PhysicalComparison {
  const [nx, ny, nz] = ours.dims
  const volumes = ours.dims[3] ?? 1
  const inverse = invertAffine(ref.affine)
  const refIndex = (ras: number[]) => [0, 1, 2].map((r) => inverse[r][0] * ras[0] + inverse[r][1] * ras[1] + inverse[r][2] * ras[2] + inverse[r][3])
  const rasOf = (i: number, j: number, k: number) => [0, 1, 2].map((r) => ours.affine[r][0] * i + ours.affine[r][1] * j + ours.affine[r][2] * k + ours.affine[r][3])
  // The map is affine: its value at the origin and its step per index.
  const o = refIndex(rasOf(0, 0, 0))
  const steps = [rasOf(1, 0, 0), rasOf(0, 1, 0), rasOf(0, 0, 1)].map((p) => refIndex(p).map((v, a) => v - o[a]))
  let maxIndexError = 0
  for (const [i, j, k] of [[0, 0, 0], [nx - 1, 0, 0], [0, ny - 1, 0], [0, 0, nz - 1], [nx - 1, ny - 1, nz - 1]]) {
    for (const v of refIndex(rasOf(i, j, k))) maxIndexError = Math.max(maxIndexError, Math.abs(v - Math.round(v)))
  }
  const ro = o.map(Math.round)
  const rs = steps.map((s) => s.map(Math.round))
  const [rx, ry, rz] = ref.dims
  const refVolume = rx * ry * rz
  let mismatches = 0
  for (let t = 0; t < volumes; t++) for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const r = [0, 1, 2].map((a) => ro[a] + i * rs[0][a] + j * rs[1][a] + k * rs[2][a])
    const inside = r[0] >= 0 && r[0] < rx && r[1] >= 0 && r[1] < ry && r[2] >= 0 && r[2] < rz
    const ourValue = ours.raw[i + nx * (j + ny * (k + nz * t))] * ours.sclSlope + ours.sclInter
    const refValue = inside ? ref.raw[r[0] + rx * (r[1] + ry * r[2]) + (t + firstRefVolume) * refVolume] * (ref.sclSlope || 1) + ref.sclInter : NaN
    if (ourValue !== refValue) mismatches++
  }
  return { maxIndexError, mismatches, compared: nx * ny * nz * volumes }
}

function invertAffine(m: number[][]): number[][] {
  const a = m.map((row) => row.slice(0, 3))
  const det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
  const inv = [
    [a[1][1] * a[2][2] - a[1][2] * a[2][1], a[0][2] * a[2][1] - a[0][1] * a[2][2], a[0][1] * a[1][2] - a[0][2] * a[1][1]],
    [a[1][2] * a[2][0] - a[1][0] * a[2][2], a[0][0] * a[2][2] - a[0][2] * a[2][0], a[0][2] * a[1][0] - a[0][0] * a[1][2]],
    [a[1][0] * a[2][1] - a[1][1] * a[2][0], a[0][1] * a[2][0] - a[0][0] * a[2][1], a[0][0] * a[1][1] - a[0][1] * a[1][0]],
  ].map((row) => row.map((v) => v / det))
  return inv.map((row) => [...row, -(row[0] * m[0][3] + row[1] * m[1][3] + row[2] * m[2][3])])
}
