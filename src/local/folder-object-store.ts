// ObjectStore over a folder: the embedded runtime's bucket. Key "a/b/c.dcm" is the file
// <root>/a/b/c.dcm.
//
// - Keys are S3-like relative paths: no leading "/", no "\", no NUL, no empty, "." or ".."
//   segment, no trailing "/". Anything else is rejected with an error naming the key, so no
//   key can reach outside the root.
// - ETag: sha1 of "size:mtime-in-ns:inode", 32 hex characters. Cheap (one stat, no reading
//   of 1 GB volumes) and it changes whenever the store replaces an object, because every
//   write lands as a new inode. It is NOT an MD5 of the content: it does not match the ETag
//   S3 would give the same bytes, and copying the folder elsewhere changes every ETag.
// - Writes are atomic: bytes go to a hidden sibling temp file that is then renamed over the
//   target, so a reader sees the old object or the new one, never half of one. Temp files
//   are named ".<name>.vf-tmp-<hex>", never listed, and refused as keys. No fsync: atomic
//   for readers, not durable across power loss.
// - Reading (get, head, list, download) never creates, changes or deletes anything under the
//   root; a root that does not exist lists as empty.
// - list walks only the directory the prefix points into and returns keys in UTF-8 byte
//   order, as S3 does. It follows symbolic links to files and folders (each folder once).
// - A key cannot be both an object and a "folder" of other keys ("a" and "a/b"), as S3
//   allows; such a put fails with the file-system error.
// - Missing objects: get/download throw an Error named 'NoSuchKey', as S3ObjectStore does.

import { createHash, randomBytes } from 'node:crypto'
import type { Dirent, Stats } from 'node:fs'
import { copyFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { ObjectInfo, ObjectStore } from '../store/object-store.js'
import { readWholeFile, writeWholeFile } from './whole-file-io.js'

const TMP_MARK = '.vf-tmp-'

export class FolderObjectStore implements ObjectStore {
  readonly root: string

  /** @param bucket name used in events and reports; defaults to the folder's name. */
  constructor(root: string, readonly bucket: string = basename(resolve(root))) {
    this.root = resolve(root)
  }

  url(key: string): string {
    return `folder://${this.root}/${key}`
  }

  /** The file that holds `key`. Throws on keys that could leave the root. */
  pathOf(key: string): string {
    return join(this.root, ...keySegments(key, 'key'))
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key)
    try {
      return await readWholeFile(path)
    } catch (error) {
      throw this.readError(key, error)
    }
  }

  async put(key: string, body: Uint8Array | string, _contentType?: string): Promise<void> {
    const path = this.pathOf(key)
    await this.atomically(path, (tmp) => writeWholeFile(tmp, body, 'wx'))
  }

  async putParts(key: string, parts: Uint8Array[], _contentType?: string): Promise<void> {
    await this.atomically(this.pathOf(key), (tmp) => writeWholeFile(tmp, parts, 'wx'))
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key)
    let info: Stats
    try {
      info = await stat(path, { bigint: false })
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
    return info.isFile() ? await this.info(key, path) : undefined
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // The folder the prefix points into: "cases/c1/ser" -> walk cases/c1, keep keys that
    // start with the prefix.
    const slash = prefix.lastIndexOf('/')
    const dirPart = slash >= 0 ? prefix.slice(0, slash) : ''
    const dirSegments = dirPart === '' ? [] : keySegments(dirPart, 'prefix')
    if (prefix.includes('\\') || prefix.includes('\0')) throw new Error(`invalid prefix ${JSON.stringify(prefix)}`)

    const keys: string[] = []
    const seen = new Set<string>()
    const walk = async (dir: string, keyDir: string): Promise<void> => {
      let dirInfo: Stats
      try {
        dirInfo = await stat(dir)
      } catch (error) {
        if (isMissing(error)) return
        throw error
      }
      if (!dirInfo.isDirectory()) return
      const id = `${dirInfo.dev}:${dirInfo.ino}`
      if (seen.has(id)) return
      seen.add(id)
      let entries: Dirent[]
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch (error) {
        if (isMissing(error)) return
        throw error
      }
      for (const entry of entries) {
        const name = entry.name
        if (name.includes(TMP_MARK) || name === '.' || name === '..') continue
        const key = keyDir + name
        // Prune folders that cannot hold a matching key.
        if (!(key.startsWith(prefix) || prefix.startsWith(key + '/'))) continue
        let kind: 'file' | 'dir' | 'other' = entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : 'other'
        if (entry.isSymbolicLink()) {
          const target = await stat(join(dir, name)).catch(() => undefined)
          kind = target?.isFile() ? 'file' : target?.isDirectory() ? 'dir' : 'other'
        }
        if (kind === 'file' && key.startsWith(prefix)) keys.push(key)
        else if (kind === 'dir') await walk(join(dir, name), key + '/')
      }
    }
    await walk(join(this.root, ...dirSegments), dirSegments.length ? dirSegments.join('/') + '/' : '')

    keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    const infos: ObjectInfo[] = []
    for (const key of keys) {
      const info = await this.info(key, join(this.root, ...key.split('/'))).catch((error) => {
        if (isMissing(error)) return undefined // deleted while listing
        throw error
      })
      if (info) infos.push(info)
    }
    return infos
  }

  async localFile(key: string): Promise<string | undefined> {
    const file = this.pathOf(key)
    const info = await stat(file).catch((error) => {
      if (isMissing(error)) return undefined
      throw error
    })
    return info?.isFile() ? file : undefined
  }

  async download(key: string, file: string): Promise<void> {
    const source = this.pathOf(key)
    const target = resolve(file)
    if (target === source) return
    try {
      if (!(await stat(source)).isFile()) throw Object.assign(new Error(`${source} is not a file`), { code: 'EISDIR' })
      await this.atomically(target, (tmp) => copyFile(source, tmp))
    } catch (error) {
      throw this.readError(key, error)
    }
  }

  async upload(key: string, file: string, _contentType?: string): Promise<void> {
    const target = this.pathOf(key)
    const source = resolve(file)
    if (source === target) return
    await this.atomically(target, (tmp) => copyFile(source, tmp))
  }

  private async info(key: string, path: string): Promise<ObjectInfo> {
    const s = await stat(path, { bigint: true })
    const etag = createHash('sha1').update(`${s.size}:${s.mtimeNs}:${s.ino}`).digest('hex').slice(0, 32)
    return { key, size: Number(s.size), etag }
  }

  /** Write into a temp sibling with `write`, then rename it over `path`. */
  private async atomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
    await mkdir(dirname(path), { recursive: true })
    const tmp = join(dirname(path), `.${basename(path)}${TMP_MARK}${randomBytes(6).toString('hex')}`)
    try {
      await write(tmp)
      await rename(tmp, path)
    } catch (error) {
      await unlink(tmp).catch(() => {})
      throw error
    }
  }

  private readError(key: string, error: unknown): Error {
    if (isMissing(error) || (error as NodeJS.ErrnoException)?.code === 'EISDIR') {
      const e = new Error(`${this.url(key)}: no such object`, { cause: error })
      e.name = 'NoSuchKey'
      return e
    }
    return error instanceof Error ? error : new Error(String(error))
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Split an S3-like key into path segments, refusing anything that could escape the root. */
function keySegments(key: string, what: 'key' | 'prefix'): string[] {
  const bad = (why: string) => new Error(`invalid object ${what} ${JSON.stringify(key)}: ${why}`)
  if (typeof key !== 'string' || key === '') throw bad('empty')
  if (key.startsWith('/')) throw bad('absolute path')
  if (/^[A-Za-z]:/.test(key)) throw bad('drive-letter path')
  if (key.includes('\\')) throw bad('backslash')
  if (key.includes('\0')) throw bad('NUL character')
  const segments = key.split('/')
  for (const segment of segments) {
    if (segment === '') throw bad('empty path segment (leading, trailing or double "/")')
    if (segment === '.' || segment === '..') throw bad(`"${segment}" segment`)
    if (segment.includes(TMP_MARK)) throw bad(`"${TMP_MARK}" is reserved for temp files`)
  }
  return segments
}
