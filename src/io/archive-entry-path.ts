// An archive entry's name as a safe relative path: the segments to join under the extraction
// folder. Absolute paths, drive letters, ".." segments and NUL are refused rather than
// "sanitized": an archive that tries to write outside its folder is hostile, not sloppy.
import { BadInputError } from '../pipeline/errors.js'

export function safeEntrySegments(entryName: string, archive: string): string[] {
  const refuse = (why: string) => new BadInputError(`entry ${JSON.stringify(entryName)} ${why}`, { file: archive, field: 'entry' })
  if (entryName.includes('\0')) throw refuse('contains a NUL character')
  const name = entryName.replace(/\\/g, '/')
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refuse('is an absolute path')
  const segments = name.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) throw refuse('climbs out of the archive ("..": path traversal)')
  if (!segments.length) throw refuse('has an empty name')
  return segments
}
