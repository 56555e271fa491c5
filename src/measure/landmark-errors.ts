// Predicted landmarks against reference landmarks: pairs matched by name (exact, after trimming
// and case folding), else by finding code (+ laterality) when that code occurs exactly once in
// each set; the error of a pair is the Euclidean distance in mm. Summary statistics are over
// the matched pairs.
import type { LandmarkPoint } from './landmarks-file.js'

type Named = Pick<LandmarkPoint, 'name' | 'code' | 'laterality'> & { lps_mm: [number, number, number] }

export interface LandmarkPair {
  name: string
  matched_by: 'name' | 'code'
  reference_lps_mm: [number, number, number]
  predicted_lps_mm: [number, number, number]
  /** predicted - reference, LPS mm. */
  error_vector_mm: [number, number, number]
  error_mm: number
}

export interface LandmarkErrorSummary {
  count: number
  mean_mm: number
  median_mm: number
  max_mm: number
  /** Population standard deviation (n denominator). */
  std_population_mm: number
  /** Sample standard deviation (n - 1 denominator); null for a single pair. */
  std_sample_mm: number | null
}

export interface LandmarkComparison {
  pairs: LandmarkPair[]
  unmatched_reference: string[]
  unmatched_predicted: string[]
  /** null when no pair matched. */
  summary: LandmarkErrorSummary | null
}

const nameKey = (p: Named) => p.name.trim().toLowerCase()
const codeKey = (p: Named) => (p.code ? `${p.code.scheme}:${p.code.value}|${p.laterality ? `${p.laterality.scheme}:${p.laterality.value}` : ''}` : undefined)

export function compareLandmarks(reference: readonly Named[], predicted: readonly Named[]): LandmarkComparison {
  const pairs: LandmarkPair[] = []
  const usedPredicted = new Set<number>()
  const unmatchedReference: Named[] = []
  const predictedByName = new Map<string, number>()
  predicted.forEach((p, i) => { if (!predictedByName.has(nameKey(p))) predictedByName.set(nameKey(p), i) })
  for (const ref of reference) {
    const i = predictedByName.get(nameKey(ref))
    if (i !== undefined && !usedPredicted.has(i)) {
      usedPredicted.add(i)
      pairs.push(pairOf(ref, predicted[i], 'name'))
    } else unmatchedReference.push(ref)
  }
  // Codes only identify a landmark when they are unique on both sides.
  const count = (points: readonly Named[]) => {
    const n = new Map<string, number>()
    for (const p of points) { const k = codeKey(p); if (k) n.set(k, (n.get(k) ?? 0) + 1) }
    return n
  }
  const referenceCodes = count(reference)
  const predictedCodes = count(predicted)
  const stillUnmatched: Named[] = []
  for (const ref of unmatchedReference) {
    const k = codeKey(ref)
    const i = k && referenceCodes.get(k) === 1 && predictedCodes.get(k) === 1 ? predicted.findIndex((p) => codeKey(p) === k) : -1
    if (i >= 0 && !usedPredicted.has(i)) {
      usedPredicted.add(i)
      pairs.push(pairOf(ref, predicted[i], 'code'))
    } else stillUnmatched.push(ref)
  }
  return {
    pairs,
    unmatched_reference: stillUnmatched.map((p) => p.name),
    unmatched_predicted: predicted.filter((_, i) => !usedPredicted.has(i)).map((p) => p.name),
    summary: summarize(pairs.map((p) => p.error_mm)),
  }
}

function pairOf(ref: Named, pred: Named, matchedBy: LandmarkPair['matched_by']): LandmarkPair {
  const v: [number, number, number] = [pred.lps_mm[0] - ref.lps_mm[0], pred.lps_mm[1] - ref.lps_mm[1], pred.lps_mm[2] - ref.lps_mm[2]]
  return {
    name: ref.name,
    matched_by: matchedBy,
    reference_lps_mm: ref.lps_mm,
    predicted_lps_mm: pred.lps_mm,
    error_vector_mm: v,
    error_mm: Math.hypot(v[0], v[1], v[2]),
  }
}

export function summarize(errors: readonly number[]): LandmarkErrorSummary | null {
  const n = errors.length
  if (!n) return null
  const sorted = [...errors].sort((a, b) => a - b)
  const mean = errors.reduce((a, b) => a + b, 0) / n
  const squares = errors.reduce((a, e) => a + (e - mean) ** 2, 0)
  return {
    count: n,
    mean_mm: mean,
    median_mm: n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    max_mm: sorted[n - 1],
    std_population_mm: Math.sqrt(squares / n),
    std_sample_mm: n > 1 ? Math.sqrt(squares / (n - 1)) : null,
  }
}
