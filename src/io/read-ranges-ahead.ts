// Read a byte range of each of many files into caller-given buffers, several reads in flight on
// libuv's thread pool, handing each range over in order as soon as it (and every earlier one)
// is complete. Why: with synchronous reads the main thread waited for each kernel copy (open,
// 0.5 MB read, close per CT slice); issued ahead, the copies run on another core while the main
// thread converts the slices already read.
import { close, open, read } from 'node:fs'
import { BadInputError } from '../pipeline/errors.js'

export interface FileRange {
  file: string
  /** Byte offset in the file. */
  position: number
  /** Where the bytes go; exactly into.length bytes are read. */
  into: Uint8Array
}

/** Reads kept in flight: enough to keep the thread pool (4 threads by default) busy. */
const defaultAhead = 6

/**
 * Read every range; `onRead(k)` runs for k = 0, 1, ... in order, each once range k has been
 * read completely (and the previous onRead's promise, if any, settled). A file shorter than its
 * range is a BadInputError naming it.
 */
export async function readRangesAhead(ranges: FileRange[], onRead: (k: number) => void | Promise<void>, ahead = defaultAhead): Promise<void> {
  const pending: Promise<void>[] = []
  let issued = 0
  const issue = () => {
    while (issued < ranges.length && issued - handed < ahead) {
      const p = readRange(ranges[issued])
      // Handled where it is awaited; this keeps an early failure from being reported as unhandled.
      p.catch(() => {})
      pending[issued++] = p
    }
  }
  let handed = 0
  try {
    issue()
    for (; handed < ranges.length; ) {
      await pending[handed]
      pending[handed] = undefined as unknown as Promise<void>
      handed++
      issue()
      await onRead(handed - 1)
    }
  } finally {
    // Let reads still in flight finish (their descriptors close) before the caller goes on.
    await Promise.allSettled(pending.slice(handed))
  }
}

function readRange({ file, position, into }: FileRange): Promise<void> {
  return new Promise((resolve, reject) => {
    open(file, 'r', (openError, fd) => {
      if (openError) return reject(openError)
      const finish = (error?: Error) => close(fd, () => (error ? reject(error) : resolve()))
      let done = 0
      const next = () => read(fd, into, done, into.length - done, position + done, (readError, n) => {
        if (readError) return finish(readError)
        if (n === 0) return finish(new BadInputError(`pixel data ends after ${done} of ${into.length} bytes`, { file, field: 'PixelData' }))
        done += n
        if (done < into.length) next()
        else finish()
      })
      next()
    })
  })
}
