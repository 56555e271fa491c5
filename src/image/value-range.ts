// Smallest and largest voxel value, the scan many operations start with.

export interface ValueRange {
  min: number
  max: number
}

/** { min, max } over all values; { Infinity, -Infinity } for an empty array. */
export function valueRange(data: ArrayLike<number>): ValueRange {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max }
}
