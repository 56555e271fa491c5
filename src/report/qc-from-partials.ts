// What the QC picture needs from the label map as a whole (the labels present, their centroid,
// the mean intensity under them) read off the reduced label partials, which assemble has anyway,
// instead of two more passes over the stitched volumes. Counts and index sums are exact integers
// in both, so the centroid and the label list equal labelSummary's; the mean is the same sum
// (exact for integer images; float images may differ in the last bit, which only matters at
// exactly the bone-window threshold).
import type { LabelPartials } from '../measure/label-partials.js'

function foreground(partials: LabelPartials) {
  return Object.entries(partials.labels).filter(([key, p]) => Number(key) !== 0 && p.count > 0)
}

/** As labelSummary in qc-views.ts: sorted nonzero label values and the centroid of their voxels. */
export function labelSummaryFromPartials(partials: LabelPartials): { values: number[]; centroid: number[] | null } {
  let n = 0
  const sum = [0, 0, 0]
  for (const [, p] of foreground(partials)) {
    n += p.count
    for (let d = 0; d < 3; d++) sum[d] += p.indexSum[d]
  }
  return {
    values: foreground(partials).map(([key]) => Number(key)).sort((a, b) => a - b),
    centroid: n > 0 ? sum.map((s) => s / n) : null,
  }
}

/** Mean intensity over the nonzero labels' voxels (-Infinity without any), as qcWindow measures it. */
export function labelledMeanFromPartials(partials: LabelPartials): number {
  if (!partials.hasIntensity) throw new Error('labelledMeanFromPartials: the partials carry no intensity sums')
  let count = 0
  let sum = 0
  for (const [, p] of foreground(partials)) {
    count += p.count
    sum += p.sum![0] + p.sum![1]
  }
  return count ? sum / count : -Infinity
}
