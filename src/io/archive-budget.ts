// What unpacking one archive may cost: entries counted against limits.max_archive_entries and
// inflated bytes against limits.max_decompressed_bytes. Sizes declared in headers are checked
// before a byte is inflated; the bytes actually produced are counted as they stream, so a
// header that lies is caught at the limit, not after.
import { Transform } from 'node:stream'
import type { Limits } from '../pipeline/config.js'
import { exceedsLimit } from '../pipeline/limits.js'

export class ArchiveBudget {
  private entries = 0
  private bytes = 0

  constructor(private readonly archive: string, private readonly limits: Limits) {}

  countEntry(): void {
    if (++this.entries > this.limits.max_archive_entries) throw exceedsLimit(this.archive, 'max_archive_entries', 'entries', `more than ${this.limits.max_archive_entries}`, this.limits)
  }

  /** Refuse up front when the header's size alone would overrun the budget. */
  checkDeclared(entryName: string, declaredBytes: number): void {
    if (this.bytes + declaredBytes > this.limits.max_decompressed_bytes) {
      throw exceedsLimit(this.archive, 'max_decompressed_bytes', `inflated bytes up to entry ${JSON.stringify(entryName)}`, this.bytes + declaredBytes, this.limits)
    }
  }

  /**
   * The whole inflated stream of a .tar.gz: the entries' bytes plus tar framing (a 512-byte
   * header and up to 511 bytes of padding per entry). Bounds what trailing garbage after the
   * end-of-archive blocks can cost.
   */
  meterInflatedStream(): Transform {
    const limit = this.limits.max_decompressed_bytes + 1024 * this.limits.max_archive_entries
    let total = 0
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        total += chunk.length
        if (total > limit) done(exceedsLimit(this.archive, 'max_decompressed_bytes', 'inflated archive stream bytes (entries plus tar framing)', `more than ${limit}`, this.limits))
        else done(null, chunk)
      },
    })
  }

  /** A pass-through stream that fails as soon as the running total passes the limit. */
  meter(entryName: string): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytes += chunk.length
        if (this.bytes > this.limits.max_decompressed_bytes) {
          done(exceedsLimit(this.archive, 'max_decompressed_bytes', `inflated bytes at entry ${JSON.stringify(entryName)}`, `more than ${this.limits.max_decompressed_bytes}`, this.limits))
        } else done(null, chunk)
      },
    })
  }
}
