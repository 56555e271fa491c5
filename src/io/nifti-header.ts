// The NIfTI-1 (348-byte) and NIfTI-2 (540-byte) header, parsed and checked before any voxel is
// read, so a header that lies (terabytes of voxels, NaN affine, unknown type) is refused before
// ITK allocates anything. Offsets and codes are those of nifti1.h / nifti2.h.
import type { Limits } from '../pipeline/config.js'
import { BadInputError } from '../pipeline/errors.js'
import { exceedsLimit } from '../pipeline/limits.js'

export interface NiftiHeader {
  version: 1 | 2
  littleEndian: boolean
  headerBytes: number
  /** dim[0..7]: dim[0] is the number of dimensions used. */
  dim: number[]
  datatype: number
  bitpix: number
  pixdim: number[]
  voxOffset: number
  sclSlope: number
  sclInter: number
  qformCode: number
  sformCode: number
  /** quatern_b, c, d, qoffset_x, y, z. */
  quatern: number[]
  /** srow_x, srow_y, srow_z (12 numbers). */
  srow: number[]
}

/** Scalar NIfTI datatypes the pipeline reads, with their size in bytes. */
export const scalarDatatypes: Record<number, { name: string; bytes: number; float: boolean }> = {
  2: { name: 'uint8', bytes: 1, float: false },
  4: { name: 'int16', bytes: 2, float: false },
  8: { name: 'int32', bytes: 4, float: false },
  16: { name: 'float32', bytes: 4, float: true },
  64: { name: 'float64', bytes: 8, float: true },
  256: { name: 'int8', bytes: 1, float: false },
  512: { name: 'uint16', bytes: 2, float: false },
  768: { name: 'uint32', bytes: 4, float: false },
  1024: { name: 'int64', bytes: 8, float: false },
  1280: { name: 'uint64', bytes: 8, float: false },
}

/** Valid NIfTI codes that are not one scalar per voxel. */
const nonScalarDatatypes: Record<number, string> = { 32: 'complex64', 128: 'RGB24', 1536: 'float128', 1792: 'complex128', 2048: 'complex256', 2304: 'RGBA32' }

/** Bytes needed to know the header's version and parse it. */
export const niftiHeaderMaxBytes = 540

export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.length < 4) throw new BadInputError(`not a NIfTI file: only ${bytes.length} bytes`, { file, field: 'sizeof_hdr' })
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const sizeLe = view.getInt32(0, true)
  const sizeBe = view.getInt32(0, false)
  const headerBytes = sizeLe === 348 || sizeLe === 540 ? sizeLe : sizeBe === 348 || sizeBe === 540 ? sizeBe : 0
  if (!headerBytes) throw new BadInputError(`not a NIfTI file: sizeof_hdr is ${sizeLe}, not 348 or 540`, { file, field: 'sizeof_hdr' })
  if (bytes.length < headerBytes) throw new BadInputError(`truncated NIfTI header: ${bytes.length} of ${headerBytes} bytes`, { file, field: 'sizeof_hdr' })
  const le = sizeLe === headerBytes
  return headerBytes === 348 ? parseNifti1(view, le, file) : parseNifti2(view, le, file)
}

function parseNifti1(v: DataView, le: boolean, file: string): NiftiHeader {
  const magic = text(v, 344, 4)
  if (magic !== 'n+1') throw new BadInputError(`not a single-file NIfTI-1: magic is ${JSON.stringify(magic)}, not "n+1"`, { file, field: 'magic' })
  const i16 = (at: number) => v.getInt16(at, le)
  const f32 = (at: number) => v.getFloat32(at, le)
  return {
    version: 1,
    littleEndian: le,
    headerBytes: 348,
    dim: range(8).map((i) => i16(40 + 2 * i)),
    datatype: i16(70),
    bitpix: i16(72),
    pixdim: range(8).map((i) => f32(76 + 4 * i)),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: range(6).map((i) => f32(256 + 4 * i)),
    srow: range(12).map((i) => f32(280 + 4 * i)),
  }
}

function parseNifti2(v: DataView, le: boolean, file: string): NiftiHeader {
  const magic = text(v, 4, 4)
  if (magic !== 'n+2') throw new BadInputError(`not a single-file NIfTI-2: magic is ${JSON.stringify(magic)}, not "n+2"`, { file, field: 'magic' })
  const i64 = (at: number) => Number(v.getBigInt64(at, le))
  const f64 = (at: number) => v.getFloat64(at, le)
  return {
    version: 2,
    littleEndian: le,
    headerBytes: 540,
    dim: range(8).map((i) => i64(16 + 8 * i)),
    datatype: v.getInt16(12, le),
    bitpix: v.getInt16(14, le),
    pixdim: range(8).map((i) => f64(104 + 8 * i)),
    voxOffset: i64(168),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: v.getInt32(344, le),
    sformCode: v.getInt32(348, le),
    quatern: range(6).map((i) => f64(352 + 8 * i)),
    srow: range(12).map((i) => f64(400 + 8 * i)),
  }
}

export interface NiftiLayout {
  /** Voxels of the 3D volume (dim[1] * dim[2] * dim[3]). */
  voxels: number
  bytesPerVoxel: number
  float: boolean
  /** vox_offset + voxels * bytesPerVoxel: the bytes the file must hold. */
  endOfData: number
}

/**
 * Every check that needs only the header. Throws BadInputError naming the file and field;
 * returns where the voxel data lies and how large it is.
 */
export function checkNiftiHeader(h: NiftiHeader, file: string, limits: Limits): NiftiLayout {
  const bad = (message: string, field: string) => new BadInputError(message, { file, field })
  const ndim = h.dim[0]
  if (!(ndim >= 1 && ndim <= 7)) throw bad(`dim[0] is ${ndim}; a NIfTI image has 1 to 7 dimensions`, 'dim[0]')
  for (let i = 1; i <= ndim; i++) if (!(h.dim[i] >= 1)) throw bad(`dim[${i}] is ${h.dim[i]}; every used dimension needs at least one voxel`, `dim[${i}]`)
  for (let i = 4; i <= ndim; i++) {
    if (h.dim[i] > 1) throw bad(`${ndim}D image (dim[${i}] = ${h.dim[i]}) where a 3D volume is expected`, `dim[${i}]`)
  }
  const type = scalarDatatypes[h.datatype]
  if (!type) {
    const known = nonScalarDatatypes[h.datatype]
    throw bad(known ? `datatype ${h.datatype} (${known}) is not a scalar image type` : `unknown datatype code ${h.datatype}`, 'datatype')
  }
  const size = [1, 2, 3].map((i) => (i <= ndim ? h.dim[i] : 1))
  const voxels = size[0] * size[1] * size[2]
  if (voxels > limits.max_voxels) throw exceedsLimit(file, 'max_voxels', `${size.join(' x ')} voxels`, voxels, limits)
  for (let i = 1; i <= Math.min(ndim, 3); i++) {
    const s = h.pixdim[i]
    if (!Number.isFinite(s) || s <= 0) throw bad(`pixdim[${i}] (voxel spacing) is ${s}; spacing must be a positive number`, `pixdim[${i}]`)
  }
  if (h.qformCode > 0) {
    const names = ['quatern_b', 'quatern_c', 'quatern_d', 'qoffset_x', 'qoffset_y', 'qoffset_z']
    const at = h.quatern.findIndex((x) => !Number.isFinite(x))
    if (at >= 0) throw bad(`${names[at]} is ${h.quatern[at]}; the qform must be finite`, names[at])
  }
  if (h.sformCode > 0) {
    const at = h.srow.findIndex((x) => !Number.isFinite(x))
    if (at >= 0) {
      const field = `srow_${'xyz'[Math.floor(at / 4)]}[${at % 4}]`
      throw bad(`${field} is ${h.srow[at]}; the sform must be finite`, field)
    }
    const [a, b, c, , d, e, f, , g, hh, i] = h.srow
    const determinant = a * (e * i - f * hh) - b * (d * i - f * g) + c * (d * hh - e * g)
    if (determinant === 0) throw bad('the sform matrix is singular (determinant 0)', 'srow_x')
  }
  if (h.sclSlope !== 0 && (!Number.isFinite(h.sclSlope) || !Number.isFinite(h.sclInter))) {
    throw bad(`scl_slope ${h.sclSlope} / scl_inter ${h.sclInter} must be finite`, 'scl_slope')
  }
  if (!Number.isFinite(h.voxOffset) || h.voxOffset < h.headerBytes + 4) {
    // The 4 bytes after the header are the extension flag; data cannot start before them.
    throw bad(`vox_offset ${h.voxOffset} lies inside the header (a single-file NIfTI-${h.version} needs at least ${h.headerBytes + 4})`, 'vox_offset')
  }
  const endOfData = Math.floor(h.voxOffset) + voxels * type.bytes
  if (endOfData > limits.max_decompressed_bytes) throw exceedsLimit(file, 'max_decompressed_bytes', 'header and voxel data bytes', endOfData, limits)
  return { voxels, bytesPerVoxel: type.bytes, float: type.float, endOfData }
}

function text(v: DataView, at: number, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    const c = v.getUint8(at + i)
    if (c === 0) break
    out += String.fromCharCode(c)
  }
  return out
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}
