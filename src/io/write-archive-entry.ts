// One archive entry onto disk under the extraction folder. 'wx' refuses a second entry with
// the same name (a later duplicate could otherwise swap a file already checked).
import { createWriteStream, promises as fs } from 'node:fs'
import path from 'node:path'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BadInputError } from '../pipeline/errors.js'

/** @param open gives the entry's content; called only once the target folder exists, so no byte (or stream error) flows before the pipeline listens. */
export async function writeArchiveEntry(destination: string, segments: string[], open: () => Promise<Readable> | Readable, meter: Transform, archive: string): Promise<string> {
  const target = path.join(destination, ...segments)
  if (!target.startsWith(destination + path.sep)) throw new BadInputError(`entry ${segments.join('/')} leaves the extraction folder`, { file: archive, field: 'entry' })
  await fs.mkdir(path.dirname(target), { recursive: true })
  try {
    await pipeline(await open(), meter, createWriteStream(target, { flags: 'wx' }))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BadInputError(`entry ${segments.join('/')} appears twice`, { file: archive, field: 'entry' })
    throw error
  }
  return segments.join('/')
}
