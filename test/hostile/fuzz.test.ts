// Fuzzing the readers of uploaded files (issue 9): a fixed seed, a bounded number of mutations of
// a valid NIfTI (ITK-written), a valid DICOM series and the SEG and SR beside it (bit flips, truncations, header fields set
// to hostile values). Every outcome must be a success or a BadInputError; no other exception, no
// iteration longer than 5 s, and memory bounded by the configured limits.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { readInputNifti } from '../../src/io/read-input-nifti.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { loadCase } from '../../src/pipeline/load-case.js'
import { makeRandom, type Random } from '../../src/sample/random.js'
import { offsets, validNiftiBytes } from './support/broken-nifti.js'
import { writeSeries } from './support/small-dicom.js'
import { cubeSeg, landmarkSr } from './support/small-seg-sr.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'vf-fuzz-'))
// Small limits: whatever a mutated header claims, an accepted file stays tiny.
const config = parseConfig({ limits: { max_voxels: 1_000_000, max_decompressed_bytes: 16 * 2 ** 20 } })
const limits = config.limits
const iterationTimeoutMs = 5000
const memoryBound = 1024 * 2 ** 20

let nifti: Buffer
let dicomFiles: { name: string; bytes: Buffer }[]

beforeAll(async () => {
  nifti = await validNiftiBytes(root)
  const folder = writeSeries(path.join(root, 'series'))
  dicomFiles = readdirSync(folder).sort().map((name) => ({ name, bytes: readFileSync(path.join(folder, name)) }))
})

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random.next() * items.length)]

const hostileNumbers = [0, -1, 1, 2, 3, 7, 255, 32767, -32768, 65535, 2 ** 31 - 1, -(2 ** 31), NaN, Infinity, -Infinity, 1e30, -1e-30]

function flipBits(bytes: Buffer, random: Random, headerBytes: number): Buffer {
  const out = Buffer.from(bytes)
  const flips = 1 + Math.floor(random.next() * 8)
  for (let f = 0; f < flips; f++) {
    // Mostly in the header, where one bit changes the meaning of everything after it.
    const at = Math.floor(random.next() * (random.next() < 0.7 ? Math.min(headerBytes, out.length) : out.length))
    out[at] ^= 1 << Math.floor(random.next() * 8)
  }
  return out
}

function truncate(bytes: Buffer, random: Random): Buffer {
  return bytes.subarray(0, Math.floor(random.next() * bytes.length))
}

const niftiFields: [number, 'i16' | 'f32'][] = [
  ...[0, 1, 2, 3, 4].map((i) => [offsets.dim + 2 * i, 'i16'] as [number, 'i16']),
  [offsets.datatype, 'i16'], [offsets.bitpix, 'i16'],
  ...[1, 2, 3].map((i) => [offsets.pixdim + 4 * i, 'f32'] as [number, 'f32']),
  [offsets.voxOffset, 'f32'], [112, 'f32'], [116, 'f32'], [offsets.qformCode, 'i16'], [offsets.sformCode, 'i16'],
  ...[0, 1, 2, 3, 4, 5].map((i) => [offsets.quatern + 4 * i, 'f32'] as [number, 'f32']),
  ...[0, 5, 10, 3].map((i) => [offsets.srow + 4 * i, 'f32'] as [number, 'f32']),
]

function changeNiftiField(bytes: Buffer, random: Random): Buffer {
  const out = Buffer.from(bytes)
  const [at, type] = pick(random, niftiFields)
  const value = pick(random, hostileNumbers)
  if (type === 'f32') out.writeFloatLE(value, at)
  else out.writeInt16LE(Number.isFinite(value) ? ((value % 65536) + 65536) % 65536 - 32768 : 0, at)
  return out
}

/** DICOM: find a tag's element (explicit VR little endian) and overwrite its length or value. */
const dicomTags = ['28001000', '28001100', '28000001', '28000101', '28000301', '28003000', '20003200', '20003700', '08001600', '08006000', 'e07f1000']
// SEG and SR: Referenced SOP Instance UID, Series Instance UID, Number of Frames, Referenced Segment
// Number, Template Identifier, Graphic Data, Value Type.
const segSrTags = ['08005511', '20000e00', '28000800', '62000b00', '400000db', '70002200', '400040a0']
function changeDicomField(bytes: Buffer, random: Random, tags = dicomTags): Buffer {
  const out = Buffer.from(bytes)
  const tag = Buffer.from(pick(random, tags), 'hex')
  const at = out.indexOf(tag, 132)
  if (at < 0) return out
  if (random.next() < 0.5) out.writeUInt16LE(Math.floor(random.next() * 65536), at + 6) // the value length
  else for (let i = 8; i < 8 + 8 && at + i < out.length; i++) out[at + i] = Math.floor(random.next() * 256)
  return out
}

type Outcome = 'ok' | 'bad_input'

async function outcomeOf(work: () => Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hang: no answer within ${iterationTimeoutMs} ms`)), iterationTimeoutMs)))
  try {
    await Promise.race([work(), timeout])
    return 'ok'
  } catch (error) {
    if (isBadInput(error)) return 'bad_input'
    throw error // an internal fault or a hang: the fuzz test fails with it
  } finally {
    clearTimeout(timer)
    expect(process.memoryUsage().rss).toBeLessThan(memoryBound)
  }
}

describe('fuzzing the readers of uploaded files', () => {
  it('160 mutated NIfTI files (.nii and .nii.gz): success or BadInputError, never anything else', async () => {
    const random = makeRandom('fuzz-nifti', 9)
    const counts = { ok: 0, bad_input: 0 }
    for (let i = 0; i < 160; i++) {
      const kind = i % 3
      const mutated = kind === 0 ? flipBits(nifti, random, 352) : kind === 1 ? truncate(nifti, random) : changeNiftiField(nifti, random)
      const compressed = random.next() < 0.5
      const file = path.join(root, `fuzz-${i}.nii${compressed ? '.gz' : ''}`)
      writeFileSync(file, compressed ? zlib.gzipSync(mutated) : mutated)
      const outcome = await outcomeOf(() => readInputNifti(file, limits)).catch((error: unknown) => {
        throw new Error(`iteration ${i} (${['bit flips', 'truncation', 'field change'][kind]}, ${path.basename(file)}): ${String(error)}`)
      })
      counts[outcome]++
      rmSync(file)
    }
    // Both outcomes occur: the mutations reach the checks and some leave the file readable.
    expect(counts.ok).toBeGreaterThan(0)
    expect(counts.bad_input).toBeGreaterThan(0)
  })

  it('40 cases with mutated DICOM slices: the case loads or ends in a BadInputError', async () => {
    const random = makeRandom('fuzz-dicom', 9)
    const counts = { ok: 0, bad_input: 0 }
    for (let i = 0; i < 40; i++) {
      const folder = path.join(root, `dicom-${i}`)
      mkdirSync(folder)
      const kind = i % 3
      const victims = random.next() < 0.3 ? dicomFiles.map((f) => f.name) : [pick(random, dicomFiles).name]
      for (const { name, bytes } of dicomFiles) {
        const mutated = !victims.includes(name) ? bytes : kind === 0 ? flipBits(bytes, random, 700) : kind === 1 ? truncate(bytes, random) : changeDicomField(bytes, random)
        writeFileSync(path.join(folder, name), mutated)
      }
      const files = dicomFiles.map(({ name }) => ({ file: path.join(folder, name), key: `dicom-${i}/${name}`, role: 'auto' as const }))
      const outcome = await outcomeOf(() => loadCase(files, { dicom: config.dicom, limits })).catch((error: unknown) => {
        throw new Error(`iteration ${i} (${['bit flips', 'truncation', 'field change'][kind]} of ${victims.join(', ')}): ${String(error)}`)
      })
      counts[outcome]++
      rmSync(folder, { recursive: true })
    }
    expect(counts.ok).toBeGreaterThan(0)
    expect(counts.bad_input).toBeGreaterThan(0)
  })

  it('12 cases with a mutated SEG or SR beside a valid series: the case loads or ends in a BadInputError', async () => {
    const random = makeRandom('fuzz-seg-sr', 9)
    const originals = { 'seg.dcm': cubeSeg(), 'sr.dcm': landmarkSr() }
    const counts = { ok: 0, bad_input: 0 }
    for (let i = 0; i < 12; i++) {
      const folder = path.join(root, `seg-sr-${i}`)
      mkdirSync(folder)
      const kind = i % 3
      const victim = i % 2 ? 'sr.dcm' : 'seg.dcm'
      for (const { name, bytes } of dicomFiles) writeFileSync(path.join(folder, name), bytes)
      for (const [name, bytes] of Object.entries(originals)) {
        const mutated = name !== victim ? bytes : kind === 0 ? flipBits(bytes, random, 2000) : kind === 1 ? truncate(bytes, random) : changeDicomField(bytes, random, segSrTags)
        writeFileSync(path.join(folder, name), mutated)
      }
      const files = [...dicomFiles.map(({ name }) => name), ...Object.keys(originals)].map((name) => ({ file: path.join(folder, name), key: `seg-sr-${i}/${name}`, role: 'auto' as const }))
      const outcome = await outcomeOf(() => loadCase(files, { dicom: config.dicom, limits })).catch((error: unknown) => {
        throw new Error(`iteration ${i} (${['bit flips', 'truncation', 'field change'][kind]} of ${victim}): ${String(error)}`)
      })
      counts[outcome]++
      rmSync(folder, { recursive: true })
    }
    expect(counts.ok).toBeGreaterThan(0)
    expect(counts.bad_input).toBeGreaterThan(0)
  })
})
