// Reading and writing a whole file with one call to the thread pool (looping only when the
// kernel moves fewer bytes). fs.promises.readFile and writeFile move 512 KiB per call, each
// call resuming on the main thread before the next is issued: a 76 MB chunk image took ~150
// round trips, stalled whenever the main thread was busy (assemble joins and draws while its
// reads run), and the callbacks cost the main thread ~70 ms per assemble of the chest.
import { open } from 'node:fs/promises'

export async function readWholeFile(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    // not zero-filled: every byte is read into, and a file that shrank meanwhile is cut to what was read
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size)
    let at = 0
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at)
      if (bytesRead === 0) break
      at += bytesRead
    }
    return at === size ? bytes : bytes.slice(0, at)
  } finally {
    await handle.close()
  }
}

/** Write `body` (or its parts one after the other) as the file's whole content; `flag` as fs.open's ('wx': fail if it exists). */
export async function writeWholeFile(path: string, body: Uint8Array | string | Uint8Array[], flag = 'w'): Promise<void> {
  const parts = Array.isArray(body) ? body : [typeof body === 'string' ? Buffer.from(body) : body]
  const handle = await open(path, flag)
  try {
    let position = 0
    for (const bytes of parts) {
      for (let at = 0; at < bytes.length;) {
        const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, position)
        at += bytesWritten
        position += bytesWritten
      }
    }
  } finally {
    await handle.close()
  }
}
