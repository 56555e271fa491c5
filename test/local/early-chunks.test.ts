// Chunks started before prepare ends (StageContext.startChunkEarly, the local pool): prepare
// hands each chunk over once, only when everything it reads is in the work bucket and with the
// very message the state machine's Map sends later; the pool then runs every chunk once, and
// the outputs equal the whole volume processed in one piece. A NIfTI CT's modality is decided
// from its first voxels, with the same modality and warnings as from the whole read.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeImage } from '../../src/image/image.js'
import { writeNifti } from '../../src/io/nifti.js'
import { closeFilterThreads } from '../../src/filters/filter-threads.js'
import { folderStores } from '../../src/local/folder-stores.js'
import { runLocal } from '../../src/local/run-local.js'
import { type PipelineConfig, defaultConfig, parseConfig } from '../../src/pipeline/config.js'
import { loadCase } from '../../src/pipeline/load-case.js'
import { planRun } from '../../src/pipeline/plan-run.js'
import { prepare } from '../../src/pipeline/stages/prepare.js'
import type { ChunkMessage } from '../../src/pipeline/state.js'
import { workKeys } from '../../src/pipeline/work-keys.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-early-chunks-'))
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await closeFilterThreads()
})

const [nx, ny, nz] = [96, 80, 90]

/** A 1 mm isotropic CT (no resampling): air around an ellipse of soft tissue, a bone rod along z, ribs every 15 slices. */
function ctVoxels(air = -1000): Int16Array {
  const data = new Int16Array(nx * ny * nz)
  for (let z = 0, p = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, p++) {
        const ex = (x - 48) / 40, ey = (y - 40) / 30
        const r = ex * ex + ey * ey
        const rod = (x - 48) ** 2 + (y - 55) ** 2 < 36
        const rib = z % 15 < 3 && r > 0.7 && r <= 1
        data[p] = r > 1 ? air : rod || rib ? 700 : 40
      }
    }
  }
  return data
}

async function caseFolder(name: string, data: Int16Array): Promise<string> {
  const folder = path.join(dir, name)
  await writeNifti(makeImage({ size: [nx, ny, nz], spacing: [1, 1, 1], origin: [-48, -40, -45], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data), path.join(folder, 'ct.nii.gz'))
  return folder
}

let ct: string
beforeAll(async () => {
  ct = await caseFolder('ct', ctVoxels())
})

/** prepare run directly, recording what it hands over early and what the work bucket held at that moment. */
async function prepareRecording(input: string, config: PipelineConfig) {
  const buckets = { input, work: path.join(dir, `work-${Math.random().toString(36).slice(2)}`) }
  const stores = folderStores(buckets)
  const info = (await stores('input').head('ct.nii.gz'))!
  const objects = [{ bucket: 'input', key: 'ct.nii.gz', size: info.size, etag: info.etag, role: 'auto' as const }]
  const planned = await planRun({ dataset: '', caseId: 'ct', objects, config, work: stores('work'), outputBucket: 'output', outputRoot: '' })
  const handed: { message: Omit<ChunkMessage, 'taskToken'>; sourceWritten: boolean; factsWritten: boolean }[] = []
  const pending: Promise<void>[] = []
  const context = {
    stores,
    chunkParallelism: 2,
    startChunkEarly: (message: Omit<ChunkMessage, 'taskToken'>) => {
      const work = stores('work')
      pending.push((async () => {
        const [source, facts] = await Promise.all([work.head(message.chunk.source?.key ?? message.chunk.imageKey), work.head(workKeys.facts(planned.input.run))])
        handed.push({ message, sourceWritten: Boolean(source), factsWritten: Boolean(facts) })
      })())
    },
  }
  const prepared = await prepare(planned.input, context)
  await Promise.all(pending)
  return { planned, prepared, handed }
}

/** What a message looks like after the state machine carried it (JSON). */
const asCarried = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown

describe('prepare hands chunks over early', () => {
  it('each chunk once, with the message the Map sends, once its input is written and before prepare ends', async () => {
    const { planned, prepared, handed } = await prepareRecording(ct, parseConfig({ chunks: { slices: 20 } }))
    expect(prepared.chunks.length).toBe(5)
    expect(handed.map((h) => h.message.chunk.index).sort()).toEqual([0, 1, 2, 3, 4])
    for (const { message, sourceWritten, factsWritten } of handed) {
      expect(asCarried(message)).toEqual(asCarried({ chunk: prepared.chunks[message.chunk.index], case: planned.input.case, run: planned.input.run }))
      expect(sourceWritten).toBe(true)
      expect(factsWritten).toBe(false) // facts.json is prepare's last write
    }
  })

  it('with N4 (fitted on the whole image first), no chunk is handed over early', async () => {
    const { prepared, handed } = await prepareRecording(ct, parseConfig({ chunks: { slices: 20 }, intensity: { n4: 'on' } }))
    expect(prepared.chunks.every((c) => c.n4FieldKey)).toBe(true)
    expect(handed).toEqual([])
  })
})

const bytesOf = (file: string) => zlib.gunzipSync(readFileSync(file))

/** The CT processed whole (--no-chunks, one worker), once: the reference of the chunked runs. */
let wholeRun: ReturnType<typeof runLocal> | undefined
const processedWhole = () => (wholeRun ??= runLocal({ input: ct, out: path.join(dir, 'out-whole'), config: parseConfig({ chunks: { enabled: false } }), workers: 1 }))

describe('voxelflow run with chunks started early', () => {
  it('runs every chunk once, and the outputs equal the volume processed whole', async () => {
    const outChunked = path.join(dir, 'out-chunked')
    const outWhole = path.join(dir, 'out-whole')
    const chunked = await runLocal({ input: ct, out: outChunked, config: parseConfig({ chunks: { slices: 20 } }), workers: 2 })
    const whole = await processedWhole()
    expect(chunked.cases[0].report.status).toBe('processed')
    expect(chunked.chunkTimeline.map((s) => s.chunk).sort()).toEqual([0, 1, 2, 3, 4])
    for (const name of ['image.nii.gz', 'labels.nii.gz']) {
      expect(bytesOf(path.join(outChunked, 'ct', name)).equals(bytesOf(path.join(outWhole, 'ct', name)))).toBe(true)
    }
    expect(chunked.cases[0].report.labels).toEqual(whole.cases[0].report.labels)
    expect(chunked.cases[0].report.warnings).toEqual(whole.cases[0].report.warnings)
    // the rod and the ribs are bone (>= 200 HU): the label map is not empty
    expect(chunked.cases[0].report.labels?.[0]?.voxel_count).toBeGreaterThan(0)
  })
})

describe('a batch whose first case is cut short after its first slabs', () => {
  it('that case ends in a failure report naming the file (its early chunks dropped), the next is processed, the input untouched', async () => {
    const batch = path.join(dir, 'batch')
    const good = await caseFolder('batch-good', ctVoxels())
    const whole = zlib.gunzipSync(readFileSync(path.join(good, 'ct.nii.gz')))
    mkdirSync(batch, { recursive: true })
    const cut = zlib.gzipSync(whole.subarray(0, Math.floor(whole.length * 0.75)), { level: 1 }) // slabs 0..2 of 5 complete
    writeFileSync(path.join(batch, 'a-cut.nii.gz'), cut)
    copyFileSync(path.join(good, 'ct.nii.gz'), path.join(batch, 'b-good.nii.gz'))
    const out = path.join(dir, 'out-batch')
    const { cases } = await runLocal({ input: batch, out, config: parseConfig({ chunks: { slices: 20 } }), workers: 2 })
    expect(cases.map((c) => [c.caseId, c.report.status])).toEqual([['a-cut', 'failed'], ['b-good', 'processed']])
    expect(JSON.stringify(cases[0].report)).toMatch(/a-cut\.nii\.gz.*truncated|truncated.*a-cut\.nii\.gz/)
    expect(readFileSync(path.join(batch, 'a-cut.nii.gz')).equals(cut)).toBe(true)
    await processedWhole()
    expect(bytesOf(path.join(out, 'b-good', 'labels.nii.gz')).equals(bytesOf(path.join(dir, 'out-whole', 'ct', 'labels.nii.gz')))).toBe(true)
  })
})

describe('loadCase with voxels still arriving', () => {
  const files = (folder: string) => [{ file: path.join(folder, 'ct.nii.gz'), key: 'ct.nii.gz', role: 'auto' as const }]

  const voxelBytes = (data: Int16Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  for (const [name, data, modality, codes] of [
    ['a CT', () => ctVoxels(), 'CT', ['modality_guessed']],
    ['a CT whose air sits at -700 HU (implausible: a warning joins after the modality)', () => ctVoxels(-700), 'CT', ['modality_guessed', 'hu_air_implausible']],
    ['an MR (no value below -500)', () => ctVoxels().map((v) => v + 1100), 'MR', ['modality_guessed']],
  ] as const) {
    it(`${name}: the same modality, warnings and voxels as from the whole read`, async () => {
      const folder = await caseFolder(`load-${name.length}`, data())
      const options = { dicom: defaultConfig.dicom, limits: defaultConfig.limits }
      const arriving = await loadCase(files(folder), { ...options, voxelsMayArrive: true })
      expect(arriving.arrival).toBeDefined()
      await arriving.arrival!.complete
      const whole = await loadCase(files(folder), options)
      expect(whole.arrival).toBeUndefined()
      expect(whole.modality).toBe(modality)
      expect(whole.warnings.map((w) => w.code)).toEqual(codes)
      expect(arriving.modality).toBe(whole.modality)
      expect(arriving.warnings).toEqual(whole.warnings)
      expect(voxelBytes(arriving.image.data as Int16Array).equals(voxelBytes(data()))).toBe(true)
    })
  }
})
