// The bundled synthetic sample: for each case a folder with a CT series (one DICOM file per
// slice), a DICOM SEG of the five pelvic bones and a TID 1500 SR of landmarks. Deterministic
// in (case index, seed), quick to make, so it doubles as the load generator for bulk tests.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { ctSliceEncoder, sliceFileName } from './ct.js'
import { rasterizeSample, sampleTruth, type SampleTruth } from './phantom.js'
import { encodeSampleSeg } from './seg.js'
import { encodeSampleSr } from './sr.js'

export interface WriteSampleOptions {
  /** Number of cases (default 1). */
  cases?: number
  /** Seed; the same seed gives byte-identical files (default 1). */
  seed?: number
  /** Index of the first case (0-based, default 0): case ids run from pelvis-<firstCase+1>. */
  firstCase?: number
  /** Also write `<case-id>.truth.json` next to (not inside) each case folder (default false). */
  truth?: boolean
}

export interface WrittenCase {
  caseId: string
  /** The case folder. */
  dir: string
  /** CT slice files, slice-0001 (most superior) first. */
  ctFiles: string[]
  seg: string
  sr: string
  truthFile?: string
  bytes: number
}

export interface WriteSampleSummary {
  dir: string
  seed: number
  cases: WrittenCase[]
  bytes: number
  milliseconds: number
}

/** The truth as plain JSON (what `truth: true` writes). */
export function truthJson(t: SampleTruth): unknown {
  return {
    caseId: t.caseId,
    caseIndex: t.caseIndex,
    seed: t.seed,
    grid: t.grid,
    uids: {
      study: t.uids.study,
      series: t.uids.series,
      frameOfReference: t.uids.frameOfReference,
      seg: t.uids.seg,
      sr: t.uids.sr,
    },
    bones: t.bones.map((b) => ({ value: b.value, name: b.name, label: b.label, volumeMl: b.volumeMl })),
    landmarks: t.landmarks.map((l) => ({ key: l.key, name: l.name, code: l.code, lps: l.lps })),
  }
}

/** Write one sample case into `dir/<case-id>/`. */
export async function writeSampleCase(dir: string, caseIndex: number, seed = 1, withTruth = false): Promise<WrittenCase> {
  const truth = sampleTruth(caseIndex, seed)
  const { stored, labels } = rasterizeSample(truth)
  const caseDir = path.join(dir, truth.caseId)
  const ctDir = path.join(caseDir, 'ct')
  await fs.mkdir(ctDir, { recursive: true })

  const nz = truth.grid.size[2]
  const ctFiles: string[] = new Array(nz)
  let bytes = 0
  const writes: Promise<void>[] = []
  const encodeSlice = ctSliceEncoder(truth, stored)
  for (let k = nz - 1; k >= 0; k--) {
    const file = path.join(ctDir, sliceFileName(truth, k))
    const data = encodeSlice(k)
    bytes += data.length
    ctFiles[nz - 1 - k] = file
    writes.push(fs.writeFile(file, data))
  }
  const seg = path.join(caseDir, 'seg.dcm')
  const segBytes = encodeSampleSeg(truth, labels)
  const sr = path.join(caseDir, 'landmarks.sr.dcm')
  const srBytes = encodeSampleSr(truth)
  bytes += segBytes.length + srBytes.length
  writes.push(fs.writeFile(seg, segBytes), fs.writeFile(sr, srBytes))
  let truthFile: string | undefined
  if (withTruth) {
    truthFile = path.join(dir, `${truth.caseId}.truth.json`)
    writes.push(fs.writeFile(truthFile, JSON.stringify(truthJson(truth), null, 2) + '\n'))
  }
  await Promise.all(writes)
  return { caseId: truth.caseId, dir: caseDir, ctFiles, seg, sr, truthFile, bytes }
}

/** Write `cases` sample cases (pelvis-001, pelvis-002, ...) into `dir`. */
export async function writeSample(dir: string, options: WriteSampleOptions = {}): Promise<WriteSampleSummary> {
  const { cases = 1, seed = 1, firstCase = 0, truth = false } = options
  if (!Number.isInteger(cases) || cases < 0) throw new Error(`cases must be a non-negative integer, got ${cases}`)
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`)
  const started = performance.now()
  const root = path.resolve(dir)
  await fs.mkdir(root, { recursive: true })
  const written: WrittenCase[] = []
  for (let i = 0; i < cases; i++) written.push(await writeSampleCase(root, firstCase + i, seed, truth))
  return {
    dir: root,
    seed,
    cases: written,
    bytes: written.reduce((n, c) => n + c.bytes, 0),
    milliseconds: performance.now() - started,
  }
}

/** One line per case folder, for the CLI. */
export function formatSampleSummary(summary: WriteSampleSummary): string {
  const lines = summary.cases.map((c) => `${c.dir}  (${c.ctFiles.length} CT slices, seg.dcm, landmarks.sr.dcm)`)
  const mb = (summary.bytes / 1e6).toFixed(1)
  lines.push(`${summary.cases.length} case(s), seed ${summary.seed}, ${mb} MB in ${(summary.milliseconds / 1000).toFixed(1)} s`)
  return lines.join('\n')
}
