// Unpack a .tar or .tar.gz (gzip recognised by its magic bytes, not the name) with tar-stream.
// Only files and folders are unpacked: symbolic and hard links, devices and FIFOs are refused.
import { createReadStream, promises as fs } from 'node:fs'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import tar from 'tar-stream'
import type { Limits } from '../pipeline/config.js'
import { BadInputError, errorMessage, isBadInput } from '../pipeline/errors.js'
import { ArchiveBudget } from './archive-budget.js'
import { safeEntrySegments } from './archive-entry-path.js'
import { writeArchiveEntry } from './write-archive-entry.js'

export async function extractTar(file: string, destination: string, limits: Limits, name: string): Promise<string[]> {
  const budget = new ArchiveBudget(name, limits)
  const inflate: Transform[] = (await isGzip(file)) ? [zlib.createGunzip(), budget.meterInflatedStream()] : []
  const extract = tar.extract()
  const feeding = pipeline([createReadStream(file), ...inflate, extract])
  feeding.catch(() => {}) // its error is read below, after the entries loop stopped
  const written: string[] = []
  try {
    for await (const entry of extract) {
      budget.countEntry()
      const { name: entryName, type, size = 0 } = entry.header
      const segments = safeEntrySegments(entryName, name)
      if (type === 'directory') {
        entry.resume()
        continue
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        const what = type === 'symlink' ? 'a symbolic link' : type === 'link' ? 'a hard link' : `a ${type ?? 'special'} entry`
        throw new BadInputError(`entry ${JSON.stringify(entryName)} is ${what}; archives may hold only files and folders`, { file: name, field: 'entry' })
      }
      budget.checkDeclared(entryName, size)
      written.push(await writeArchiveEntry(destination, segments, () => entry as unknown as Readable, budget.meter(entryName), name))
    }
    await feeding
  } catch (error) {
    extract.destroy()
    const cause = await feeding.then(() => error, (streamError: unknown) => (isBadInput(streamError) ? streamError : error))
    if (isBadInput(cause)) throw cause
    throw new BadInputError(`corrupt tar archive: ${errorMessage(cause)}`, { file: name, field: 'tar' })
  }
  return written
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r')
  try {
    const magic = new Uint8Array(2)
    const { bytesRead } = await handle.read(magic, 0, 2, 0)
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
  } finally {
    await handle.close()
  }
}
