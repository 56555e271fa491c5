// The NIfTI data check on a filter thread (validate-nifti-in-background.ts): its verdict comes
// back as the same error the calling thread's check throws (message, file, field), and a
// truncated file is refused although ITK itself reads it without complaint (which is why the
// check, not ITK, decides).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNifti } from '../../src/io/nifti.js'
import { validateNiftiFile } from '../../src/io/validate-nifti-file.js'
import { validateNiftiFileInBackground } from '../../src/io/validate-nifti-in-background.js'
import { defaultLimits } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { mutate, offsets, phantomSize, setF32, validNiftiBytes } from '../hostile/support/broken-nifti.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-nifti-background-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let valid: Buffer
beforeAll(async () => {
  valid = await validNiftiBytes(dir)
})

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => 'passed', (error: unknown) => error)
}

// With one core there is no thread to run it on (the caller checks first instead).
describe.runIf(os.availableParallelism() >= 2)('validateNiftiFileInBackground', () => {
  it('passes a valid file', async () => {
    const file = path.join(dir, 'valid.nii')
    writeFileSync(file, valid)
    const running = validateNiftiFileInBackground(file, defaultLimits, 'valid.nii')
    expect(running).toBeDefined()
    expect(await outcome(running!)).toBe('passed')
  })

  it('refuses what the calling thread refuses, with the same message, file and field', async () => {
    const voxelBytes = phantomSize[0] * phantomSize[1] * phantomSize[2] * 4
    const broken = {
      'half.nii': valid.subarray(0, 352 + voxelBytes / 2),
      'nan.nii': mutate(valid, setF32(352 + 4 * 7, NaN)),
      'offset.nii': mutate(valid, setF32(offsets.voxOffset, 1e6)),
    }
    for (const [name, bytes] of Object.entries(broken)) {
      const file = path.join(dir, name)
      writeFileSync(file, bytes)
      const here = (await outcome(validateNiftiFile(file, defaultLimits, name))) as BadInputError
      const there = (await outcome(validateNiftiFileInBackground(file, defaultLimits, name)!)) as BadInputError
      expect(here).toBeInstanceOf(BadInputError)
      expect(there).toBeInstanceOf(BadInputError)
      expect([there.message, there.file, there.field]).toEqual([here.message, here.file, here.field])
    }
  })

  it('a file ITK reads without complaint is still refused when its data is short', async () => {
    const file = path.join(dir, 'short.nii')
    writeFileSync(file, valid.subarray(0, valid.length - 40))
    const image = await readNifti(file) // ITK fills the missing voxels in
    expect(image.size).toEqual([...phantomSize])
    const error = (await outcome(validateNiftiFileInBackground(file, defaultLimits, 'short.nii')!)) as BadInputError
    expect(error.message).toMatch(/^short\.nii: truncated: the header promises 120 voxels/)
  })

  it('a fault that is not bad input comes back as a plain error', async () => {
    const error = await outcome(validateNiftiFileInBackground(path.join(dir, 'missing.nii'), defaultLimits)!)
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(BadInputError)
    expect((error as Error).message).toMatch(/ENOENT/)
  })
})
