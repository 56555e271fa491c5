import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readWholeFile, writeWholeFile } from '../../src/local/whole-file-io.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-whole-file-'))

describe('whole-file reads and writes', () => {
  it('round-trips bytes of sizes around the 512 KiB steps of fs.promises, and empty files', async () => {
    for (const size of [0, 1, 512 * 1024 - 1, 512 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const bytes = new Uint8Array(size).map((_, n) => (n * 31 + size) & 255)
      const file = path.join(dir, `f-${size}`)
      await writeWholeFile(file, bytes)
      expect(Buffer.compare(readFileSync(file), Buffer.from(bytes))).toBe(0)
      expect(Buffer.compare(Buffer.from(await readWholeFile(file)), Buffer.from(bytes))).toBe(0)
    }
  })

  it('writes a string as UTF-8 and refuses to overwrite with flag wx', async () => {
    const file = path.join(dir, 'text')
    await writeWholeFile(file, 'grüße', 'wx')
    expect(readFileSync(file, 'utf8')).toBe('grüße')
    await expect(writeWholeFile(file, 'again', 'wx')).rejects.toMatchObject({ code: 'EEXIST' })
    writeFileSync(file, 'changed')
    expect(new TextDecoder().decode(await readWholeFile(file))).toBe('changed')
  })

  it('fails on a missing file with ENOENT (the store maps it to NoSuchKey)', async () => {
    await expect(readWholeFile(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
