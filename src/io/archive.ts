// Archives as inputs: one .zip, .tar, .tar.gz or .tgz is one case. Unpacked into a fresh folder
// with every entry checked (src/io/extract-zip.ts, src/io/extract-tar.ts); the archive itself is
// only read.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Limits } from '../pipeline/config.js'
import { BadInputError } from '../pipeline/errors.js'

const archivePattern = /\.(zip|tar|tar\.gz|tgz)$/i

export function isArchivePath(file: string): boolean {
  return archivePattern.test(file)
}

/** The name without its archive extension ("case-001.tar.gz" -> "case-001"). */
export function archiveStem(file: string): string {
  return path.basename(file).replace(archivePattern, '')
}

/**
 * Unpack `file` into `destination` (created; must not exist yet). Returns the files written as
 * "/"-separated paths relative to it. @param name what messages call the archive (object key).
 */
export async function extractArchive(file: string, destination: string, limits: Limits, name = file): Promise<string[]> {
  await fs.mkdir(path.dirname(destination), { recursive: true })
  await fs.mkdir(destination)
  const root = path.resolve(destination)
  // The unpackers (yauzl, tar-stream) load only when an archive comes: callers asking
  // isArchivePath of a folder should not pay for them.
  const files = /\.zip$/i.test(file)
    ? await (await import('./extract-zip.js')).extractZip(file, root, limits, name)
    : await (await import('./extract-tar.js')).extractTar(file, root, limits, name)
  if (!files.length) throw new BadInputError('the archive holds no files', { file: name })
  return files
}
