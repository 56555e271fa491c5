// Archives written by the tests themselves, good and hostile: a minimal zip writer (PKWARE
// APPNOTE: local headers, central directory, end record) that can also lie about sizes or mark
// symlinks, and tar/tar.gz through tar-stream's packer.
import zlib from 'node:zlib'
import tar from 'tar-stream'

export interface ZipEntry {
  name: string
  data?: Buffer
  /** Unix file type and permissions for the external attributes (default a regular 0644 file). */
  mode?: number
  /** Override the uncompressed size written in the headers (a lying header). */
  declaredSize?: number
  deflate?: boolean
}

export function zipBytes(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const raw = entry.data ?? Buffer.alloc(0)
    const stored = entry.deflate ? zlib.deflateRawSync(raw) : raw
    const name = Buffer.from(entry.name, 'utf8')
    const crc = zlib.crc32(raw)
    const size = entry.declaredSize ?? raw.length
    const method = entry.deflate ? 8 : 0
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x800, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(stored.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, stored)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x800, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(stored.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(((entry.mode ?? (entry.name.endsWith('/') ? 0o40755 : 0o100644)) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += local.length + name.length + stored.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

export type TarEntry = Partial<tar.Header> & { name: string; data?: Buffer }

export async function tarBytes(entries: TarEntry[], gzip = false): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const { data, ...header } of entries) {
    await new Promise<void>((resolve, reject) => pack.entry(header as tar.Header, data ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve())))
  }
  pack.finalize()
  await done
  const bytes = Buffer.concat(chunks)
  return gzip ? zlib.gzipSync(bytes) : bytes
}
