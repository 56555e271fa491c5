// Input hashes on a filter thread: the FIPS 180-2 digests of "abc" and of one million "a" (read in
// 1 MiB pieces: not a multiple of it), an empty file, in the files' order; and the calling
// thread's fallback for files the thread could not hash.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { closeFilterThreads } from '../../src/filters/filter-threads.js'
import { finishHashes, sha256FilesKernel, sha256OfFilesInBackground } from '../../src/pipeline/sha256-files.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-sha256-files-'))
const abc = path.join(dir, 'abc')
const million = path.join(dir, 'million-a')
const empty = path.join(dir, 'empty')
writeFileSync(abc, 'abc')
writeFileSync(million, 'a'.repeat(1_000_000))
writeFileSync(empty, '')
const digests = {
  abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  million: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
}
afterAll(closeFilterThreads)

describe('sha256OfFilesInBackground', () => {
  it('gives the FIPS 180-2 digests, in the order of the files', async () => {
    expect(await sha256OfFilesInBackground([million, abc, empty, abc])).toEqual([digests.million, digests.abc, digests.empty, digests.abc])
  })

  it('the calling thread hashes what the threads left (here: everything after the first file)', async () => {
    // a kernel run that stopped after one file, as a thread that died would
    const files = [abc, million, empty]
    const args = { files, digests: new Uint8Array(new SharedArrayBuffer(96)), done: new Uint8Array(new SharedArrayBuffer(3)), counter: new Int32Array(new SharedArrayBuffer(4)) }
    sha256FilesKernel({ ...args, files: [abc] })
    expect([...args.done]).toEqual([1, 0, 0])
    expect(await finishHashes(args)).toEqual([digests.abc, digests.million, digests.empty])
  })
})
