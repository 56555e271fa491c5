// A growable list of grid points (linear indices, increasing when filled in raster order),
// optionally with one byte per point (the neighbour code of a surface element).

export class PointSet {
  index: Int32Array
  code: Uint8Array
  count = 0

  constructor(capacity = 1 << 12) {
    this.index = new Int32Array(capacity)
    this.code = new Uint8Array(capacity)
  }

  push(index: number, code = 0): void {
    if (this.count === this.index.length) this.grow()
    this.index[this.count] = index
    this.code[this.count] = code
    this.count++
  }

  private grow(): void {
    const index = new Int32Array(this.index.length * 2)
    index.set(this.index)
    const code = new Uint8Array(this.index.length * 2)
    code.set(this.code)
    this.index = index
    this.code = code
  }
}
