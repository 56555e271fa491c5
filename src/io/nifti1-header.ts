// The 352-byte NIfTI-1 header (348 + 4 extension bytes) ITK's NiftiImageIO writes for a scalar
// 3-D or 4-D image, built in plain JavaScript: qform and sform (code 1, scanner) from the LPS
// direction, spacing and origin flipped to RAS, the quaternion as nifti_mat44_to_quatern computes
// it (polar decomposition first, so rounding matches), xyzt_units mm + s, scl 1 / 0.
// test/io/nifti1-writer.test.ts compares these bytes with itk-wasm's output.
import type { Image } from '../image/image.js'

export const niftiHeaderBytes = 352

const datatypes: Record<string, [code: number, bitpix: number]> = {
  uint8: [2, 8],
  int16: [4, 16],
  int32: [8, 32],
  float32: [16, 32],
  float64: [64, 64],
  int8: [256, 8],
  uint16: [512, 16],
  uint32: [768, 32],
}

/** Whether the plain writer covers this image (else the caller uses itk-wasm). */
export function plainNiftiWritable(image: Image): boolean {
  const t = image.imageType
  return (t.dimension === 3 || t.dimension === 4) && t.components === 1 && String(t.componentType) in datatypes
}

export function nifti1Header(image: Image): Buffer {
  const dimension = image.imageType.dimension
  const [code, bitpix] = datatypes[String(image.imageType.componentType)]
  const header = Buffer.alloc(niftiHeaderBytes)
  const v = new DataView(header.buffer, header.byteOffset, header.byteLength)
  v.setInt32(0, 348, true)
  header[38] = 0x72 // regular = 'r'
  v.setInt16(40, dimension, true)
  for (let i = 0; i < 7; i++) v.setInt16(42 + 2 * i, i < dimension ? image.size[i] : 1, true)
  v.setInt16(70, code, true)
  v.setInt16(72, bitpix, true)

  // LPS (ITK) -> RAS (NIfTI): negate the x and y rows; the rotation is made orthogonal in single
  // precision as nifti_make_orthog_mat44 does (rows = the index axes' directions).
  const n = dimension
  const d = image.direction as ArrayLike<number>
  const flip = [-1, -1, 1]
  const axes = [0, 1, 2].map((j) => [0, 1, 2].map((i) => f(flip[i] * d[i * n + j])))
  const rows = orthogonalRows(axes)
  const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows[j][i])) // columns = axes
  const offset = [0, 1, 2].map((i) => f(flip[i] * image.origin[i]))
  const q = matrixToQuaternion(m)
  v.setFloat32(76, q.qfac, true)
  for (let i = 0; i < dimension; i++) v.setFloat32(80 + 4 * i, image.spacing[i], true)
  v.setFloat32(108, niftiHeaderBytes, true) // vox_offset
  v.setFloat32(112, 1, true) // scl_slope
  header[123] = 2 | 8 // xyzt_units: mm, s
  v.setInt16(252, 1, true) // qform_code: scanner
  v.setInt16(254, 1, true) // sform_code: scanner
  v.setFloat32(256, q.b, true)
  v.setFloat32(260, q.c, true)
  v.setFloat32(264, q.d, true)
  for (let i = 0; i < 3; i++) v.setFloat32(268 + 4 * i, offset[i], true)
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) v.setFloat32(280 + 16 * i + 4 * j, f(f(image.spacing[j]) * m[i][j]), true)
    v.setFloat32(280 + 16 * i + 12, offset[i], true)
  }
  header.write('n+1\0', 344, 'latin1')
  return header
}

type Mat3 = number[][]
/** Single precision: niftilib keeps its matrices in float. */
const f = Math.fround

/** Unit rows (a zero third row becomes the cross product), then the closest orthogonal matrix. */
function orthogonalRows(input: Mat3): Mat3 {
  const q = input.map((row) => row.map(f))
  const fallback = [[1, 0, 0], [0, 1, 0]]
  for (let r = 0; r < 3; r++) {
    const val = f(f(f(q[r][0] * q[r][0]) + f(q[r][1] * q[r][1])) + f(q[r][2] * q[r][2]))
    if (val > 0) {
      const scale = f(1 / Math.sqrt(val))
      q[r] = q[r].map((x) => f(x * scale))
    } else if (r < 2) q[r] = [...fallback[r]]
    else {
      q[2] = [
        f(f(q[0][1] * q[1][2]) - f(q[0][2] * q[1][1])),
        f(f(q[0][2] * q[1][0]) - f(q[0][0] * q[1][2])),
        f(f(q[0][0] * q[1][1]) - f(q[0][1] * q[1][0])),
      ]
    }
  }
  return polar(q)
}

/** Quaternion (b, c, d) and qfac of a rotation matrix, as niftilib's nifti_mat44_to_quatern. */
export function matrixToQuaternion(m: Mat3): { b: number; c: number; d: number; qfac: number } {
  // Unit columns (a zero column counts as a unit axis), in double, then stored as float.
  const cols = [0, 1, 2].map((j) => {
    const len = Math.sqrt(m[0][j] * m[0][j] + m[1][j] * m[1][j] + m[2][j] * m[2][j])
    return len === 0 ? [j === 0 ? 1 : 0, j === 1 ? 1 : 0, j === 2 ? 1 : 0] : [m[0][j] / len, m[1][j] / len, m[2][j] / len]
  })
  // The orthogonal matrix closest to it (the columns may not be orthogonal).
  const p = polar([0, 1, 2].map((i) => [f(cols[0][i]), f(cols[1][i]), f(cols[2][i])]))
  let [[r11, r12, r13], [r21, r22, r23], [r31, r32, r33]] = p
  const det = determinant(p)
  let qfac = 1
  if (!(det > 0)) {
    qfac = -1
    r13 = -r13
    r23 = -r23
    r33 = -r33
  }
  let a = r11 + r22 + r33 + 1
  let b: number, c: number, d: number
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a)
    b = 0.25 * (r32 - r23) / a
    c = 0.25 * (r13 - r31) / a
    d = 0.25 * (r21 - r12) / a
  } else {
    const xd = 1 + r11 - (r22 + r33)
    const yd = 1 + r22 - (r11 + r33)
    const zd = 1 + r33 - (r11 + r22)
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd)
      c = 0.25 * (r12 + r21) / b
      d = 0.25 * (r13 + r31) / b
      a = 0.25 * (r32 - r23) / b
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd)
      b = 0.25 * (r12 + r21) / c
      d = 0.25 * (r23 + r32) / c
      a = 0.25 * (r13 - r31) / c
    } else {
      d = 0.5 * Math.sqrt(zd)
      b = 0.25 * (r13 + r31) / d
      c = 0.25 * (r23 + r32) / d
      a = 0.25 * (r21 - r12) / d
    }
    if (a < 0) {
      b = -b
      c = -c
      d = -d
    }
  }
  return { b: f(b), c: f(c), d: f(d), qfac }
}

/** Determinant in double of a float matrix. */
function determinant(m: Mat3): number {
  const [[r11, r12, r13], [r21, r22, r23], [r31, r32, r33]] = m
  return r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13
}

function inverse(m: Mat3): Mat3 {
  const [[r11, r12, r13], [r21, r22, r23], [r31, r32, r33]] = m
  let deti = determinant(m)
  if (deti !== 0) deti = 1 / deti
  return [
    [f(deti * (r22 * r33 - r32 * r23)), f(deti * (-r12 * r33 + r32 * r13)), f(deti * (r12 * r23 - r22 * r13))],
    [f(deti * (-r21 * r33 + r31 * r23)), f(deti * (r11 * r33 - r31 * r13)), f(deti * (-r11 * r23 + r21 * r13))],
    [f(deti * (r21 * r32 - r31 * r22)), f(deti * (-r11 * r32 + r31 * r12)), f(deti * (r11 * r22 - r21 * r12))],
  ]
}

const rowNorm = (m: Mat3) => Math.max(...m.map((row) => f(Math.abs(row[0]) + Math.abs(row[1]) + Math.abs(row[2]))))
const colNorm = (m: Mat3) => Math.max(...[0, 1, 2].map((j) => f(Math.abs(m[0][j]) + Math.abs(m[1][j]) + Math.abs(m[2][j]))))

/** Polar decomposition by the iteration niftilib's nifti_mat33_polar uses (Higham), in float. */
function polar(a: Mat3): Mat3 {
  let x = a.map((row) => [...row])
  let gam = f(determinant(x))
  while (gam === 0) {
    gam = f(0.00001 * (0.001 + rowNorm(x)))
    for (let i = 0; i < 3; i++) x[i][i] = f(x[i][i] + gam)
    gam = f(determinant(x))
  }
  let dif = 1
  for (let k = 1; ; k++) {
    const y = inverse(x)
    let g = 1
    let gi = 1
    if (dif > 0.3) {
      const alp = f(Math.sqrt(f(rowNorm(x) * colNorm(x))))
      const bet = f(Math.sqrt(f(rowNorm(y) * colNorm(y))))
      g = f(Math.sqrt(f(bet / alp)))
      gi = f(1 / g)
    }
    const z = [0, 1, 2].map((i) => [0, 1, 2].map((j) => f(0.5 * f(f(g * x[i][j]) + f(gi * y[j][i])))))
    dif = 0
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) dif += Math.abs(f(z[i][j] - x[i][j]))
    dif = f(dif)
    if (k > 100 || dif < 3e-6) return z
    x = z
  }
}
