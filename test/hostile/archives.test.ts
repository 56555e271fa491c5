// Archives are unpacked entry by entry with every entry checked: path traversal, absolute
// paths, links, too many entries and inflation beyond the limit end in a BadInputError naming
// the archive, the entry and the limit; nothing is ever written outside the extraction folder.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { extractArchive } from '../../src/io/archive.js'
import { defaultLimits, parseConfig } from '../../src/pipeline/config.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { tarBytes, zipBytes } from './support/archive-writers.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-archives-'))
const limits = (overrides: Record<string, number>) => parseConfig({ limits: overrides }).limits
let n = 0

async function unpack(name: string, bytes: Buffer, useLimits = defaultLimits) {
  const file = path.join(dir, `${n++}-${name}`)
  writeFileSync(file, bytes)
  const destination = path.join(dir, `out-${n}`, 'x')
  const result = await extractArchive(file, destination, useLimits, name).then(
    (files) => ({ files, error: undefined }),
    (error: unknown) => ({ files: undefined, error: error as BadInputError }),
  )
  expect(readFileSync(file).equals(bytes)).toBe(true) // the archive is only read
  // Nothing may land beside the extraction folder, whatever the entries said.
  expect(readdirSync(path.dirname(destination))).toEqual(['x'])
  return { ...result, destination }
}

async function refused(name: string, bytes: Buffer, message: RegExp, field: string, useLimits = defaultLimits) {
  const { error } = await unpack(name, bytes, useLimits)
  expect(error).toBeInstanceOf(BadInputError)
  expect(error!.message).toMatch(message)
  expect(error!.message.startsWith(`${name}: `)).toBe(true)
  expect(error!.field).toBe(field)
}

const payload = Buffer.from('voxelflow '.repeat(1000))

describe('safe archive extraction', () => {
  it('unpacks zip (stored and deflated), tar and tar.gz byte for byte, folders included', async () => {
    const entries = [{ name: 'case/' }, { name: 'case/ct/1.dcm', data: payload, deflate: true }, { name: 'case/ct/2.dcm', data: payload.subarray(7) }]
    const zip = await unpack('case.zip', zipBytes(entries))
    expect(zip.files).toEqual(['case/ct/1.dcm', 'case/ct/2.dcm'])
    expect(readFileSync(path.join(zip.destination, 'case/ct/1.dcm')).equals(payload)).toBe(true)
    expect(readFileSync(path.join(zip.destination, 'case/ct/2.dcm')).equals(payload.subarray(7))).toBe(true)
    for (const gzip of [false, true]) {
      const name = gzip ? 'case.tar.gz' : 'case.tar'
      const tar = await unpack(name, await tarBytes([{ name: 'case', type: 'directory' }, { name: 'case/a.nii', data: payload }], gzip))
      expect(tar.files).toEqual(['case/a.nii'])
      expect(readFileSync(path.join(tar.destination, 'case/a.nii')).equals(payload)).toBe(true)
    }
  })

  for (const format of ['zip', 'tar', 'tar.gz'] as const) {
    const archive = async (entries: { name: string; data?: Buffer }[]) =>
      format === 'zip' ? zipBytes(entries) : tarBytes(entries.map((e) => ({ ...e, type: 'file' as const })), format === 'tar.gz')

    it(`${format}: "../" path traversal is refused`, async () => {
      await refused(`t.${format}`, await archive([{ name: 'ok.dcm', data: payload }, { name: 'ct/../../escape.dcm', data: payload }]), /entry "ct\/\.\.\/\.\.\/escape\.dcm" climbs out of the archive/, 'entry')
      expect(existsSync(path.join(dir, 'escape.dcm'))).toBe(false)
    })

    it(`${format}: absolute paths are refused`, async () => {
      await refused(`abs.${format}`, await archive([{ name: '/tmp/vf-absolute.dcm', data: payload }]), /entry "\/tmp\/vf-absolute\.dcm" is an absolute path/, 'entry')
      expect(existsSync('/tmp/vf-absolute.dcm')).toBe(false)
    })

    it(`${format}: more entries than limits.max_archive_entries are refused`, async () => {
      const many = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.dcm`, data: payload }))
      await refused(`many.${format}`, await archive(many), /exceed(s)? limits\.max_archive_entries = 5/, 'limits.max_archive_entries', limits({ max_archive_entries: 5 }))
    })

    it(`${format}: entries that inflate beyond limits.max_decompressed_bytes are refused`, async () => {
      const zeros = Buffer.alloc(3 * 2 ** 20)
      await refused(`big.${format}`, await archive([{ name: 'a.dcm', data: payload }, { name: 'zeros.dcm', data: zeros }]), /inflated bytes up to entry "zeros\.dcm" \(3155728\) exceeds limits\.max_decompressed_bytes = 1048576/, 'limits.max_decompressed_bytes', limits({ max_decompressed_bytes: 2 ** 20 }))
    })
  }

  it('zip: symbolic links are refused', async () => {
    await refused('link.zip', zipBytes([{ name: 'etc', data: Buffer.from('/etc'), mode: 0o120777 }]), /entry "etc" is a symbolic link/, 'entry')
  })

  it('tar: symbolic and hard links are refused', async () => {
    await refused('sym.tar', await tarBytes([{ name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }]), /entry "passwd" is a symbolic link/, 'entry')
    await refused('hard.tar.gz', await tarBytes([{ name: 'a', data: payload }, { name: 'b', type: 'link', linkname: 'a' }], true), /entry "b" is a hard link/, 'entry')
  })

  it('zip: a header that understates the inflated size is stopped while streaming', async () => {
    const zeros = Buffer.alloc(8 * 2 ** 20)
    const { error } = await unpack('liar.zip', zipBytes([{ name: 'small.dcm', data: zeros, deflate: true, declaredSize: 1000 }]), limits({ max_decompressed_bytes: 2 ** 20 }))
    expect(error).toBeInstanceOf(BadInputError)
    expect(error!.message).toMatch(/^liar\.zip: (corrupt zip archive: too many bytes in the stream|.*exceeds limits\.max_decompressed_bytes)/)
  })

  it('tar.gz: a gzip bomb after the archive end stops at the limit', async () => {
    // 64 gzip members of 16 MiB of zeros after a valid tar: 1 GiB inflated from ~1 MB.
    const member = zlib.gzipSync(Buffer.alloc(16 * 2 ** 20), { level: 9 })
    const bomb = Buffer.concat([await tarBytes([{ name: 'a.dcm', data: payload }], true), ...Array.from({ length: 64 }, () => member)])
    const rssBefore = process.memoryUsage().rss
    await refused('bomb.tar.gz', bomb, /inflated archive stream bytes \(entries plus tar framing\) \(more than \d+\) exceeds limits\.max_decompressed_bytes = 1048576/, 'limits.max_decompressed_bytes', limits({ max_decompressed_bytes: 2 ** 20, max_archive_entries: 100 }))
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20)
  })

  it('duplicate entry names and non-archives are refused', async () => {
    await refused('dup.tar', await tarBytes([{ name: 'a.dcm', data: payload }, { name: './a.dcm', data: payload }]), /entry a\.dcm appears twice/, 'entry')
    await refused('junk.zip', Buffer.from('not a zip at all'), /not a readable zip archive/, 'zip')
    await refused('junk.tar', Buffer.from('not a tar at all'.repeat(64)), /corrupt tar archive/, 'tar')
    await refused('empty.tar', await tarBytes([{ name: 'folder', type: 'directory' }]), /the archive holds no files/, undefined as unknown as string)
  })
})
