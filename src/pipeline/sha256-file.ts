// SHA-256 of a file, streamed in 1 MiB reads so a multi-GB input is never held in memory.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
