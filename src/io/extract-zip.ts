// Unpack a .zip with yauzl, entry by entry. Names are decoded and checked here (not by yauzl) so
// the messages say which entry and why; symlinks (Unix mode in the external attributes) are
// refused; the central directory's entry count is checked before any entry is read.
import path from 'node:path'
import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import type { Limits } from '../pipeline/config.js'
import { BadInputError, errorMessage, isBadInput } from '../pipeline/errors.js'
import { ArchiveBudget } from './archive-budget.js'
import { safeEntrySegments } from './archive-entry-path.js'
import { writeArchiveEntry } from './write-archive-entry.js'

const unixFileType = 0o170000
const unixSymlink = 0o120000
const unixRegular = 0o100000

export async function extractZip(file: string, destination: string, limits: Limits, name: string): Promise<string[]> {
  const budget = new ArchiveBudget(name, limits)
  let zip: yauzl.ZipFile
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(path.resolve(file), { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
    )
  } catch (error) {
    throw new BadInputError(`not a readable zip archive: ${errorMessage(error)}`, { file: name, field: 'zip' })
  }
  if (zip.entryCount > limits.max_archive_entries) {
    zip.close()
    throw new BadInputError(`${zip.entryCount} entries exceed limits.max_archive_entries = ${limits.max_archive_entries}`, { file: name, field: 'limits.max_archive_entries' })
  }
  const written: string[] = []
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      budget.countEntry()
      const entryName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false)
      const segments = safeEntrySegments(entryName, name)
      const mode = (entry.externalFileAttributes >>> 16) & unixFileType
      if (mode === unixSymlink) throw new BadInputError(`entry ${JSON.stringify(entryName)} is a symbolic link; archives may hold only files and folders`, { file: name, field: 'entry' })
      if (entryName.endsWith('/')) continue
      if (mode !== 0 && mode !== unixRegular) throw new BadInputError(`entry ${JSON.stringify(entryName)} is not a regular file (mode ${mode.toString(8)})`, { file: name, field: 'entry' })
      budget.checkDeclared(entryName, entry.uncompressedSize)
      const open = () => new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))))
      written.push(await writeArchiveEntry(destination, segments, open, budget.meter(entryName), name))
    }
  } catch (error) {
    zip.close()
    if (isBadInput(error)) throw error
    throw new BadInputError(`corrupt zip archive: ${errorMessage(error)}`, { file: name, field: 'zip' })
  }
  return written
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry)
      zip.off('end', onEnd)
      zip.off('error', onError)
    }
    const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry))
    const onEnd = () => (cleanup(), resolve(undefined))
    const onError = (error: Error) => (cleanup(), reject(error))
    zip.on('entry', onEntry)
    zip.on('end', onEnd)
    zip.on('error', onError)
    zip.readEntry()
  })
}
