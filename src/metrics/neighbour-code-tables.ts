// Size of the surface element at a voxel-corner point for each neighbour code, exactly as
// google-deepmind/surface-distance (lookup_tables.py, Apache-2.0) defines them:
// - 2-D: contour length per 2x2 code from marching squares (edges of length spacing[0] or
//   spacing[1], or half a pixel diagonal);
// - 3-D: surface area per 2x2x2 code from the library's marching-cubes normal table: each
//   triangle of the code has a normal whose length is its area in voxel units; with spacing
//   s the normal (nx, ny, nz) becomes (nx s1 s2, ny s0 s2, nz s0 s1) and the areas are summed.
//
// Neighbour codes: bit (4(1-a) + 2(1-b) + (1-c)) is voxel (i-1+a, j-1+b, k-1+c) of corner
// (i, j, k), i.e. the library's kernel [[[128, 64], [32, 16]], [[8, 4], [2, 1]]] applied by
// scipy's correlate (an even kernel's centre is its second element). In 2-D bit (2(1-a) + (1-b))
// of corner (i, j) is pixel (i-1+a, j-1+b): kernel [[8, 4], [2, 1]]. Axis 0 is the first array
// axis of the library (here: the fastest image index i).
//
// NORMALS below is our compact transcription of the library's normal table: for each code, its
// normals in the library's order, each as three digits = |component| in eighths of a voxel
// (the sign never matters for an area). It is symmetric under inside/outside swap (code c and
// 255 - c hold the same normals), which the tests check.

/** Full neighbourhoods: every corner of the cell inside. */
export const FULL_CODE_2D = 0b1111
export const FULL_CODE_3D = 0b11111111

// prettier-ignore
const NORMALS: readonly string[] = [
  '', '111', '111', '220 220', '111', '202 202', '111 111', '400 222 111',  // 0-7
  '111', '111 111', '202 202', '400 222 111', '220 220', '400 222 111', '400 222 111', '400 400',  // 8-15
  '111', '022 022', '111 111', '040 222 111', '111 111', '004 222 111', '111 111 111', '111 222 222 111',  // 16-23
  '111 111', '022 022 111', '202 202 111', '111 333 022 202', '111 220 220', '333 022 111 220', '400 111 222 111', '400 111 222',  // 24-31
  '111', '111 111', '022 022', '040 111 222', '111 111', '111 202 202', '022 022 111', '333 022 111 202',  // 32-39
  '111 111', '111 111 111', '004 222 111', '222 222 111 111', '111 220 220', '400 222 111 111', '022 333 111 220', '400 222 111',  // 40-47
  '220 220', '040 222 111', '040 111 222', '040 040', '220 220 111', '333 202 111 220', '111 040 222 111', '040 222 111',  // 48-55
  '111 220 220', '040 222 111 111', '333 220 111 202', '040 222 111', '220 220 220 220', '220 220 111', '111 220 220', '220 220',  // 56-63
  '111', '111 111', '111 111', '111 220 220', '022 022', '004 222 111', '022 022 111', '333 022 111 220',  // 64-71
  '111 111', '111 111 111', '111 202 202', '400 222 111 111', '040 222 111', '222 222 111 111', '202 333 022 111', '400 222 111',  // 72-79
  '202 202', '004 222 111', '111 202 202', '202 333 220 111', '004 222 111', '004 004', '111 111 222 004', '111 222 004',  // 80-87
  '202 202 111', '004 222 111 111', '202 202 202 202', '111 202 202', '202 333 220 111', '004 222 111', '111 202 202', '202 202',  // 88-95
  '111 111', '111 111 111', '111 022 022', '040 111 222 111', '022 022 111', '004 222 111 111', '022 022 022 022', '022 022 111',  // 96-103
  '111 111 111', '111 111 111 111', '004 222 111 111', '111 111 111', '040 222 111 111', '111 111 111', '022 022 111', '111 111',  // 104-111
  '400 222 111', '222 111 222 111', '333 022 111 202', '040 222 111', '333 220 022 111', '111 222 004', '111 022 022', '022 022',  // 112-119
  '400 222 111 111', '111 111 111', '202 202 111', '111 111', '220 220 111', '111 111', '111 111', '111',  // 120-127
  '111', '111 111', '111 111', '220 220 111', '111 111', '202 202 111', '111 111 111', '400 222 111 111',  // 128-135
  '022 022', '111 022 022', '111 222 004', '333 220 022 111', '040 222 111', '333 022 111 202', '222 111 222 111', '400 222 111',  // 136-143
  '111 111', '022 022 111', '111 111 111', '040 222 111 111', '111 111 111', '004 222 111 111', '111 111 111 111', '111 111 111',  // 144-151
  '022 022 111', '022 022 022 022', '004 222 111 111', '022 022 111', '040 111 222 111', '111 022 022', '111 111 111', '111 111',  // 152-159
  '202 202', '111 202 202', '004 222 111', '202 333 220 111', '111 202 202', '202 202 202 202', '004 222 111 111', '202 202 111',  // 160-167
  '111 222 004', '111 111 222 004', '004 004', '004 222 111', '202 333 220 111', '111 202 202', '004 222 111', '202 202',  // 168-175
  '400 222 111', '202 333 022 111', '222 222 111 111', '040 222 111', '400 222 111 111', '111 202 202', '111 111 111', '111 111',  // 176-183
  '333 022 111 220', '022 022 111', '004 222 111', '022 022', '111 220 220', '111 111', '111 111', '111',  // 184-191
  '220 220', '111 220 220', '220 220 111', '220 220 220 220', '040 222 111', '333 220 111 202', '040 222 111 111', '111 220 220',  // 192-199
  '040 222 111', '111 040 222 111', '333 202 111 220', '220 220 111', '040 040', '040 111 222', '040 222 111', '220 220',  // 200-207
  '400 222 111', '022 333 111 220', '400 222 111 111', '111 220 220', '222 222 111 111', '004 222 111', '111 111 111', '111 111',  // 208-215
  '333 022 111 202', '022 022 111', '111 202 202', '111 111', '040 111 222', '022 022', '111 111', '111',  // 216-223
  '400 111 222', '400 111 222 111', '333 022 111 220', '111 220 220', '111 333 022 202', '202 202 111', '022 022 111', '111 111',  // 224-231
  '111 222 222 111', '111 111 111', '004 222 111', '111 111', '040 222 111', '111 111', '022 022', '111',  // 232-239
  '400 400', '400 222 111', '400 222 111', '220 220', '400 222 111', '202 202', '111 111', '111',  // 240-247
  '400 222 111', '111 111', '202 202', '111', '220 220', '111', '111', '',  // 248-255
]

/** The library's normals of one 3-D code, |components| in voxel units (for tests and tools). */
export function normalsOfCode(code: number): [number, number, number][] {
  const text = NORMALS[code]
  if (text === undefined) throw new RangeError(`neighbour code ${code} is not in 0..255`)
  if (!text) return []
  return text.split(' ').map((t) => [Number(t[0]) / 8, Number(t[1]) / 8, Number(t[2]) / 8])
}

/** Surface area (mm^2) of each of the 256 codes of a 2x2x2 neighbourhood for `spacing` (mm per axis). */
export function surfaceAreaTable(spacing: readonly number[]): Float64Array {
  checkSpacing(spacing, 3)
  const [s0, s1, s2] = spacing
  const table = new Float64Array(256)
  for (let code = 0; code < 256; code++) {
    let sum = 0
    for (const [a, b, c] of normalsOfCode(code)) {
      const x = a * s1 * s2
      const y = b * s0 * s2
      const z = c * s0 * s1
      sum += Math.sqrt(x * x + y * y + z * z)
    }
    table[code] = sum
  }
  return table
}

/** Contour length (mm) of each of the 16 codes of a 2x2 neighbourhood for `spacing` (mm per axis). */
export function contourLengthTable(spacing: readonly number[]): Float64Array {
  checkSpacing(spacing, 2)
  const vertical = spacing[0]
  const horizontal = spacing[1]
  const diag = 0.5 * Math.sqrt(spacing[0] ** 2 + spacing[1] ** 2)
  const table = new Float64Array(16)
  // bits: 8 = (i-1, j-1), 4 = (i-1, j), 2 = (i, j-1), 1 = (i, j)
  for (const code of [0b0001, 0b0010, 0b0100, 0b1000, 0b0111, 0b1011, 0b1101, 0b1110]) table[code] = diag
  table[0b0011] = horizontal
  table[0b1100] = horizontal
  table[0b0101] = vertical
  table[0b1010] = vertical
  table[0b0110] = 2 * diag
  table[0b1001] = 2 * diag
  return table
}

/** The table for 2 or 3 axes. */
export function neighbourCodeSizeTable(spacing: readonly number[]): Float64Array {
  return spacing.length === 2 ? contourLengthTable(spacing) : surfaceAreaTable(spacing)
}

function checkSpacing(spacing: readonly number[], n: number): void {
  if (spacing.length !== n) throw new Error(`expected ${n} spacing values, got ${spacing.length}`)
  for (const s of spacing) if (!(s > 0) || !Number.isFinite(s)) throw new Error(`spacing must be positive and finite, got ${spacing.join(', ')}`)
}
