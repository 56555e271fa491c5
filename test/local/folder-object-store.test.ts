import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { FolderObjectStore } from '../../src/local/folder-object-store.js'

const temps: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voxelflow-folder-test-'))
  temps.push(dir)
  return dir
}
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })))
})

/** Every entry under dir (hidden ones too) with what a write would change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      const s = await lstat(path, { bigint: true })
      out[relative(dir, path)] = `${s.mode}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) out[relative(dir, path)] += ':' + createHash('sha1').update(await readFile(path)).digest('hex')
    }
  }
  await walk(dir)
  return out
}

let root: string
let store: FolderObjectStore
beforeEach(async () => {
  root = join(await tempDir(), 'vf-input')
  store = new FolderObjectStore(root)
})

describe('FolderObjectStore', () => {
  it('is named after its folder unless told otherwise', () => {
    expect(store.bucket).toBe('vf-input')
    expect(new FolderObjectStore(root, 'other').bucket).toBe('other')
  })

  it('put/get keeps bytes and strings exactly, as files under the root', async () => {
    const bytes = new Uint8Array(1000)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256
    await store.put('cases/c1/ct/0001.dcm', bytes)
    await store.put('reports/c1.json', '{"ok":"ü"}')
    expect(Buffer.from(await store.get('cases/c1/ct/0001.dcm')).equals(Buffer.from(bytes))).toBe(true)
    expect(Buffer.from(await store.get('reports/c1.json')).toString('utf8')).toBe('{"ok":"ü"}')
    expect(await readFile(join(root, 'cases', 'c1', 'ct', '0001.dcm'))).toEqual(Buffer.from(bytes))
  })

  it('head gives size and a stable etag that changes when the object is replaced', async () => {
    await store.put('a.bin', 'AAAA')
    const first = await store.head('a.bin')
    expect(first).toEqual({ key: 'a.bin', size: 4, etag: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(await store.head('a.bin')).toEqual(first)
    expect((await store.list(''))[0]).toEqual(first)
    await store.put('a.bin', 'BBBB') // same size, same instant is possible: still a new etag
    const second = await store.head('a.bin')
    expect(second?.size).toBe(4)
    expect(second?.etag).not.toBe(first?.etag)
  })

  it('missing objects: head is undefined, get and download throw NoSuchKey, a folder is not an object', async () => {
    expect(await store.head('nope.txt')).toBeUndefined()
    await expect(store.get('nope.txt')).rejects.toMatchObject({ name: 'NoSuchKey', message: expect.stringContaining('nope.txt') })
    await store.put('dir/inner.txt', 'x')
    expect(await store.head('dir')).toBeUndefined()
    await expect(store.get('dir')).rejects.toMatchObject({ name: 'NoSuchKey' })
    await expect(store.get('dir/inner.txt/deeper')).rejects.toMatchObject({ name: 'NoSuchKey' })
    const target = join(await tempDir(), 'out', 'x.bin')
    await expect(store.download('nope.txt', target)).rejects.toMatchObject({ name: 'NoSuchKey' })
    expect(existsSync(target)).toBe(false)
  })

  it.each([
    '',
    '/etc/passwd',
    '../outside.txt',
    'a/../../outside.txt',
    'a/./b',
    'a//b',
    'a/',
    'a\\..\\b',
    'C:/x',
    'nul\0byte',
    'a/.b.vf-tmp-123',
  ])('rejects the key %j', async (key) => {
    await expect(store.put(key, 'x')).rejects.toThrow(/invalid object key/)
    await expect(store.get(key)).rejects.toThrow(/invalid object key/)
    await expect(store.head(key)).rejects.toThrow(/invalid object key/)
    expect(existsSync(join(root, '..', 'outside.txt'))).toBe(false)
  })

  it('rejects prefixes that climb out of the root', async () => {
    await expect(store.list('../')).rejects.toThrow(/invalid object prefix/)
    await expect(store.list('a/../../')).rejects.toThrow(/invalid object prefix/)
  })

  it('lists recursively in S3 key order (UTF-8 bytes), honouring partial prefixes', async () => {
    const keys = ['a/b', 'a-c', 'a/a/z', 'B', 'cases/c1/series1/1.dcm', 'cases/c1/series2/1.dcm', 'cases/c1/seg.dcm', 'cases/c10/x', 'é', 'z']
    for (const key of keys) await store.put(key, key)
    const all = (await store.list('')).map((o) => o.key)
    expect(all).toEqual(['B', 'a-c', 'a/a/z', 'a/b', 'cases/c1/seg.dcm', 'cases/c1/series1/1.dcm', 'cases/c1/series2/1.dcm', 'cases/c10/x', 'z', 'é'])
    expect((await store.list('cases/c1/ser')).map((o) => o.key)).toEqual(['cases/c1/series1/1.dcm', 'cases/c1/series2/1.dcm'])
    expect((await store.list('cases/c1/')).map((o) => o.key)).toHaveLength(3)
    expect((await store.list('cases/c1')).map((o) => o.key)).toHaveLength(4)
    expect((await store.list('a')).map((o) => o.key)).toEqual(['a-c', 'a/a/z', 'a/b'])
    expect(await store.list('nothing/here/')).toEqual([])
    const info = (await store.list('a/b'))[0]
    expect(info).toEqual(await store.head('a/b'))
  })

  it('a root that does not exist lists as empty and is not created by reading', async () => {
    const ghost = new FolderObjectStore(join(await tempDir(), 'never'))
    expect(await ghost.list('')).toEqual([])
    expect(await ghost.head('x')).toBeUndefined()
    await expect(ghost.get('x')).rejects.toMatchObject({ name: 'NoSuchKey' })
    expect(existsSync(ghost.root)).toBe(false)
  })

  it('never lists temp files, and follows symbolic links', async () => {
    await store.put('cases/c1/a.dcm', 'a')
    await writeFile(join(root, 'cases', 'c1', '.b.dcm.vf-tmp-deadbeef'), 'half')
    const elsewhere = await tempDir()
    await writeFile(join(elsewhere, 'linked.dcm'), 'linked')
    await mkdir(join(elsewhere, 'series'))
    await writeFile(join(elsewhere, 'series', '1.dcm'), 'one')
    await symlink(join(elsewhere, 'linked.dcm'), join(root, 'cases', 'c1', 'linked.dcm'))
    await symlink(join(elsewhere, 'series'), join(root, 'cases', 'c1', 'series'))
    await symlink(join(root, 'cases'), join(root, 'cases', 'c1', 'loop')) // a cycle
    const keys = (await store.list('cases/')).map((o) => o.key)
    expect(keys).toContain('cases/c1/a.dcm')
    expect(keys).toContain('cases/c1/linked.dcm')
    expect(keys).toContain('cases/c1/series/1.dcm')
    expect(keys.some((k) => k.includes('vf-tmp'))).toBe(false)
    expect(keys.length).toBeLessThan(10) // the cycle was walked once at most
    expect(Buffer.from(await store.get('cases/c1/linked.dcm')).toString()).toBe('linked')
  })

  it('reading never changes anything under the root', async () => {
    await store.put('cases/c1/ct/1.dcm', randomBytes(1000))
    await store.put('cases/c1/ct/2.dcm', randomBytes(1000))
    await store.put('cases/c1/.complete', '')
    const out = await tempDir()
    const before = await snapshot(root)
    await store.get('cases/c1/ct/1.dcm')
    await store.head('cases/c1/ct/2.dcm')
    await store.head('cases/c1/missing')
    await store.list('')
    await store.list('cases/c1/ct/')
    await store.list('cases/none/')
    await store.download('cases/c1/ct/1.dcm', join(out, 'x', '1.dcm'))
    await expect(store.get('cases/c2/none')).rejects.toThrow()
    expect(await snapshot(root)).toEqual(before)
    expect(await readFile(join(out, 'x', '1.dcm'))).toEqual(await readFile(join(root, 'cases/c1/ct/1.dcm')))
  })

  it('upload copies a file in without touching the source; download copies out', async () => {
    const src = await tempDir()
    const file = join(src, 'volume.nii')
    const bytes = randomBytes(3 * 1024 * 1024 + 5)
    await writeFile(file, bytes)
    const before = await snapshot(src)
    await store.upload('work/c1/volume.nii', file)
    expect(await snapshot(src)).toEqual(before)
    expect((await store.head('work/c1/volume.nii'))?.size).toBe(bytes.length)
    const target = join(await tempDir(), 'deep', 'er', 'v.nii')
    await store.download('work/c1/volume.nii', target)
    expect((await readFile(target)).equals(bytes)).toBe(true)
    // No temp files left behind on either side.
    expect((await readdir(join(root, 'work', 'c1'))).filter((n) => n.includes('vf-tmp'))).toEqual([])
    expect(await readdir(join(target, '..'))).toEqual(['v.nii'])
  })

  it('a reader never sees half an object while a writer replaces it', async () => {
    const size = 4 * 1024 * 1024
    const a = Buffer.alloc(size, 0xaa)
    const b = Buffer.alloc(size, 0xbb)
    await store.put('hot.bin', a)
    let writing = true
    const writer = (async () => {
      for (let i = 0; i < 30; i++) await store.put('hot.bin', i % 2 ? a : b)
      writing = false
    })()
    let reads = 0
    const torn: number[] = []
    while (writing) {
      const got = Buffer.from(await store.get('hot.bin'))
      if (!(got.equals(a) || got.equals(b))) torn.push(got.length)
      reads++
    }
    await writer // also when a read was torn: no writes after the temp folder is gone
    expect(torn).toEqual([])
    expect(reads).toBeGreaterThan(0)
    expect((await readdir(root)).filter((n) => n.includes('vf-tmp'))).toEqual([])
  })

  it('a key cannot be both an object and a folder (S3 allows it; a folder cannot)', async () => {
    await store.put('x', '1')
    await expect(store.put('x/y', '2')).rejects.toThrow()
    expect(Buffer.from(await store.get('x')).toString()).toBe('1')
  })
})
