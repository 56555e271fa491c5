// Landmark errors against analytic truths: a predicted set shifted by a known vector has exactly
// that error everywhere; summary statistics of known error lists.
import { describe, expect, it } from 'vitest'
import { compareLandmarks, summarize } from '../../src/measure/landmark-errors.js'
import { parseLandmarksFile } from '../../src/measure/landmarks-file.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { sampleTruth } from '../../src/sample/index.js'

const truth = sampleTruth(0, 1)
const reference = truth.landmarks.map((l) => ({ name: l.name, code: l.code, laterality: l.laterality, lps_mm: l.lps }))
const shift: [number, number, number] = [3, -4, 12] // |shift| = 13 mm

describe('compareLandmarks', () => {
  it('a set shifted by a known vector has that error for every landmark', () => {
    const predicted = reference.map((l) => ({ ...l, lps_mm: l.lps_mm.map((x, d) => x + shift[d]) as [number, number, number] }))
    const result = compareLandmarks(reference, predicted)
    expect(result.pairs).toHaveLength(reference.length)
    for (const pair of result.pairs) {
      expect(pair.matched_by).toBe('name')
      expect(pair.error_mm).toBeCloseTo(13, 9)
      pair.error_vector_mm.forEach((v, d) => expect(v).toBeCloseTo(shift[d], 9))
    }
    expect(result.summary).toMatchObject({ count: reference.length, std_population_mm: expect.closeTo(0, 9) })
    expect(result.summary!.mean_mm).toBeCloseTo(13, 9)
    expect(result.summary!.max_mm).toBeCloseTo(13, 9)
    expect(result.unmatched_reference).toEqual([])
    expect(result.unmatched_predicted).toEqual([])
  })

  it('falls back to the finding code (with laterality) when names differ, and never pairs ambiguous codes', () => {
    const [headLeft, headRight] = reference // same code (femoral head), different laterality
    const predicted = [
      { name: 'FH-L', code: headLeft.code, laterality: headLeft.laterality, lps_mm: [headLeft.lps_mm[0] + 1, headLeft.lps_mm[1], headLeft.lps_mm[2]] as [number, number, number] },
      { name: 'FH-R', code: headRight.code, laterality: headRight.laterality, lps_mm: headRight.lps_mm },
      { name: 'something else', lps_mm: [0, 0, 0] as [number, number, number] },
    ]
    const result = compareLandmarks(reference, predicted)
    expect(result.pairs.map((p) => [p.name, p.matched_by])).toEqual([[headLeft.name, 'code'], [headRight.name, 'code']])
    expect(result.pairs[0].error_mm).toBeCloseTo(1, 12)
    expect(result.pairs[1].error_mm).toBe(0)
    expect(result.unmatched_predicted).toEqual(['something else'])
    expect(result.unmatched_reference).toEqual(reference.slice(2).map((l) => l.name))
    // Without laterality the two femoral heads share one code: no code match at all.
    const noSide = compareLandmarks(reference.map(({ laterality: _, ...l }) => l), predicted.map(({ laterality: _, ...l }) => l))
    expect(noSide.pairs).toEqual([])
    expect(noSide.summary).toBeNull()
  })
})

describe('summarize', () => {
  it('mean, median, max and both standard deviations, named as such', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({
      count: 4, mean_mm: 2.5, median_mm: 2.5, max_mm: 4,
      std_population_mm: Math.sqrt(1.25), std_sample_mm: Math.sqrt(5 / 3),
    })
    expect(summarize([7])).toEqual({ count: 1, mean_mm: 7, median_mm: 7, max_mm: 7, std_population_mm: 0, std_sample_mm: null })
    expect(summarize([])).toBeNull()
  })
})

describe('landmarks JSON', () => {
  it('parses the documented format and names the file and field of a bad one', () => {
    const text = JSON.stringify({ landmarks: [{ name: 'a', code: { value: '2812003', scheme: 'SCT', meaning: 'Femoral head' }, lps_mm: [1, 2, 3] }] })
    expect(parseLandmarksFile(text, 'p.json').landmarks[0].lps_mm).toEqual([1, 2, 3])
    const bad = () => parseLandmarksFile(JSON.stringify({ landmarks: [{ name: 'a', lps_mm: [1, 2] }] }), 'cases/p.json')
    expect(bad).toThrow(/cases\/p\.json: invalid landmarks file: landmarks\.0\.lps_mm/)
    try { bad() } catch (error) { expect(isBadInput(error)).toBe(true) }
    expect(() => parseLandmarksFile('{', 'x.json')).toThrow(/x\.json: landmarks file is not JSON/)
  })
})
