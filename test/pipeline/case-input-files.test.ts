// Prepare's input files: read in place from a folder bucket, downloaded into scratch from a store
// without local files; archives (unpacked beside their file) and a file named by two objects are
// always copies. The case reads the same either way and the input folder is never changed.
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FolderObjectStore } from '../../src/local/folder-object-store.js'
import { caseInputFiles } from '../../src/pipeline/case-input-files.js'
import { loadCase } from '../../src/pipeline/load-case.js'
import { pixelsOf } from '../../src/image/image.js'
import type { CaseObject } from '../../src/pipeline/state.js'
import { tarBytes } from '../hostile/support/archive-writers.js'
import { dataPath } from '../support/paths.js'
import { storeLikeS3 } from '../support/store-like-s3.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'vf-case-input-files-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const slices = ['01.dcm', '02.dcm', '03.dcm']
const input = path.join(root, 'input')
mkdirSync(path.join(input, 'liver'), { recursive: true })
for (const name of slices) copyFileSync(dataPath('ct-liver-ffs', name), path.join(input, 'liver', name))

/** Every file under the folder with its size, mtime and sha256. */
function snapshot(folder: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(folder, { recursive: true }) as string[]) {
    const file = path.join(folder, name)
    const info = statSync(file)
    if (info.isFile()) out[name] = `${info.size} ${info.mtimeMs} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`
  }
  return out
}

const objects = (keys: string[]): CaseObject[] => keys.map((key) => ({ bucket: 'input', key, size: 0, etag: '', role: 'auto' }))

describe('case input files', () => {
  it('reads a folder bucket in place, copies without local files, and both read the same volume', async () => {
    const before = snapshot(input)
    const folder = new FolderObjectStore(input, 'input')
    const keys = slices.map((s) => `liver/${s}`)

    const scratchA = mkdtempSync(path.join(root, 'scratch-'))
    const inPlace = await caseInputFiles(objects(keys), () => folder, scratchA)
    expect(inPlace.map((f) => f.file)).toEqual(keys.map((k) => path.join(input, k)))
    expect(readdirSync(scratchA)).toEqual([])

    const scratchB = mkdtempSync(path.join(root, 'scratch-'))
    const copied = await caseInputFiles(objects(keys), () => storeLikeS3(folder), scratchB)
    for (const [n, f] of copied.entries()) {
      expect(f.file.startsWith(scratchB + path.sep)).toBe(true)
      expect(path.basename(f.file)).toBe(slices[n])
      expect(readFileSync(f.file).equals(readFileSync(path.join(input, keys[n])))).toBe(true)
    }

    const [a, b] = [await loadCase(inPlace), await loadCase(copied)]
    // ct-liver-ffs: 512 x 512 x 3 (data README)
    expect(a.image.size).toEqual([512, 512, 3])
    expect(Buffer.from((pixelsOf(a.image) as Int16Array).buffer).equals(Buffer.from((pixelsOf(b.image) as Int16Array).buffer))).toBe(true)
    expect(a.description).toEqual(b.description)
    expect(snapshot(input)).toEqual(before)
  })

  it('copies archives (unpacked beside the copy) and a file named twice; the input folder is left alone', async () => {
    const tar = await tarBytes(slices.map((name) => ({ name: `ct/${name}`, data: readFileSync(path.join(input, 'liver', name)) })))
    writeFileSync(path.join(input, 'liver.tar'), tar)
    const before = snapshot(input)
    const folder = new FolderObjectStore(input, 'input')
    const scratch = mkdtempSync(path.join(root, 'scratch-'))
    const files = await caseInputFiles([...objects(['liver.tar', 'liver/01.dcm']), { ...objects(['liver/01.dcm'])[0], role: 'labels' }], () => folder, scratch)
    expect(files[0].file.startsWith(scratch + path.sep)).toBe(true)
    expect(files[1].file).toBe(path.join(input, 'liver/01.dcm'))
    expect(files[2].file.startsWith(scratch + path.sep)).toBe(true)
    expect(files.map((f) => [f.key, f.role])).toEqual([['liver.tar', 'auto'], ['liver/01.dcm', 'auto'], ['liver/01.dcm', 'labels']])

    const loaded = await loadCase([files[0]])
    expect(loaded.image.size).toEqual([512, 512, 3])
    expect(snapshot(input)).toEqual(before)
  })
})
