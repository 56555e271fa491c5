// Fuzzing the lean DICOM header reader and the uncompressed slice reader behind `voxelflow
// convert`: mutated Explicit VR (small synthetic series) and Implicit VR (ct-liver-ffs) files.
// The parser must answer a dataset or "not mine" (dcmjs then decides), never throw; convert must
// succeed or end in a BadInputError, never a RangeError or another fault.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { leanDicomHeader } from '../../src/io/lean-dicom-header.js'
import { parseLeanDataset } from '../../src/io/lean-dicom-parse.js'
import { isBadInput } from '../../src/pipeline/errors.js'
import { makeRandom, type Random } from '../../src/sample/random.js'
import { dataPath } from '../support/paths.js'
import { ctSlice, writeSeries } from './support/small-dicom.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'vf-lean-fuzz-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random.next() * items.length)]
// Rows, Columns, BitsAllocated, BitsStored, PixelRepresentation, PixelSpacing, IPP, IOP, SOP class,
// Modality, Pixel Data, Rescale Intercept/Slope, Transfer Syntax UID (little-endian tag bytes).
const tags = ['28001000', '28001100', '28000001', '28000101', '28000301', '28003000', '20003200', '20003700', '08001600', '08006000', 'e07f1000', '28005210', '28005310', '02001000']

function mutate(bytes: Uint8Array, random: Random, headerBytes: number): Buffer {
  const out = Buffer.from(bytes)
  const kind = Math.floor(random.next() * 3)
  if (kind === 0) {
    for (let f = 1 + Math.floor(random.next() * 8); f > 0; f--) out[Math.floor(random.next() * headerBytes)] ^= 1 << Math.floor(random.next() * 8)
    return out
  }
  if (kind === 1) return out.subarray(0, Math.floor(random.next() * out.length))
  const at = out.indexOf(Buffer.from(pick(random, tags), 'hex'), 132)
  if (at >= 0) {
    // The value length (explicit VR: 2 bytes at +6; implicit: 4 bytes at +4) or the value.
    if (random.next() < 0.5) out.writeUInt16LE(Math.floor(random.next() * 65536), at + (random.next() < 0.5 ? 6 : 4))
    else for (let i = 8; i < 16 && at + i < out.length; i++) out[at + i] = Math.floor(random.next() * 256)
  }
  return out
}

describe('lean DICOM reader under mutation', () => {
  const originals = {
    'explicit VR (synthetic)': Buffer.from(ctSlice(2)),
    'implicit VR (ct-liver-ffs)': readFileSync(dataPath('ct-liver-ffs', '01.dcm')),
  }
  for (const [name, original] of Object.entries(originals)) {
    it(`${name}: 1500 mutations parse to a dataset or "not mine", never an exception`, () => {
      const random = makeRandom(`lean-fuzz-${name}`, 3)
      const parsed = parseLeanDataset(original, original.length)
      expect(parsed).toMatchObject({ pixelDataBytes: expect.any(Number) })
      const headerBytes = (parsed as { pixelDataOffset: number }).pixelDataOffset
      const outcomes = { dataset: 0, notMine: 0 }
      for (let i = 0; i < 1500; i++) {
        const bytes = mutate(original, random, headerBytes)
        const result = parseLeanDataset(bytes, bytes.length)
        if (result === undefined || result === 'need-more') outcomes.notMine++
        else {
          leanDicomHeader('fuzz.dcm', result)
          expect(result.pixelDataOffset).toBeLessThanOrEqual(bytes.length)
          outcomes.dataset++
        }
      }
      expect(outcomes.dataset).toBeGreaterThan(0)
      expect(outcomes.notMine).toBeGreaterThan(0)
    })
  }

  it('30 mutated series through voxelflow convert: a NIfTI or a BadInputError', async () => {
    const random = makeRandom('lean-fuzz-convert', 3)
    const clean = writeSeries(path.join(root, 'clean'))
    const names = readdirSync(clean).sort()
    const counts = { ok: 0, bad_input: 0 }
    for (let i = 0; i < 30; i++) {
      const folder = path.join(root, `case-${i}`)
      mkdirSync(folder)
      const victim = pick(random, names)
      for (const name of names) {
        const bytes = readFileSync(path.join(clean, name))
        writeFileSync(path.join(folder, name), name === victim ? mutate(bytes, random, 700) : bytes)
      }
      try {
        await runConvertCommand(folder, path.join(root, `case-${i}.nii`), {}, () => {})
        counts.ok++
      } catch (error) {
        if (!isBadInput(error)) throw new Error(`iteration ${i} (${victim}): ${String(error)}`)
        counts.bad_input++
      }
    }
    expect(counts.ok).toBeGreaterThan(0)
    expect(counts.bad_input).toBeGreaterThan(0)
  })
})
