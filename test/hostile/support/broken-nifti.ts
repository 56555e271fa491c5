// A small valid NIfTI written by ITK (itk-wasm), and header mutations of it by nifti1.h offsets.
// The tests generate every broken file from it; no binary fixtures.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { makeImage } from '../../../src/image/image.js'
import { writeNifti } from '../../../src/io/nifti.js'

export const phantomSize = [6, 5, 4] as const

/** A float32 6 x 5 x 4 volume (value = linear index) as uncompressed NIfTI-1 bytes. */
export async function validNiftiBytes(dir: string): Promise<Buffer> {
  const data = new Float32Array(phantomSize[0] * phantomSize[1] * phantomSize[2]).map((_, i) => i)
  const image = makeImage({ size: [...phantomSize], spacing: [0.8, 0.9, 2.5], origin: [10, -20, 30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data)
  const file = path.join(dir, 'valid.nii')
  await writeNifti(image, file)
  return readFileSync(file)
}

export type Mutation = (b: Buffer) => Buffer

export const setI16 = (at: number, v: number): Mutation => (b) => (b.writeInt16LE(v, at), b)
export const setF32 = (at: number, v: number): Mutation => (b) => (b.writeFloatLE(v, at), b)

/** nifti1.h byte offsets. */
export const offsets = { dim: 40, datatype: 70, bitpix: 72, pixdim: 76, voxOffset: 108, qformCode: 252, sformCode: 254, quatern: 256, srow: 280 }

export function mutate(valid: Buffer, ...mutations: Mutation[]): Buffer {
  return mutations.reduce<Buffer>((b, m) => m(b), Buffer.from(valid))
}

export function writeNiftiFile(file: string, bytes: Buffer): string {
  writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(bytes, { level: 1 }) : bytes)
  return file
}
