// Images and JSON as objects in a store. itk-wasm reads and writes files, so images pass
// through the stage's scratch folder.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Image } from '../image/image.js'
import { readNifti, writeNifti } from '../io/nifti.js'
import type { ObjectStore } from '../store/object-store.js'

export async function getJson<T = unknown>(store: ObjectStore, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as T
}

export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, JSON.stringify(value, null, 2) + '\n', 'application/json')
}

export async function getImage(store: ObjectStore, key: string, scratch: string): Promise<Image> {
  const file = path.join(scratch, `get-${safeName(key)}`)
  await store.download(key, file)
  try {
    return await readNifti(file)
  } finally {
    await fs.rm(file, { force: true })
  }
}

export async function putImage(store: ObjectStore, key: string, image: Image, scratch: string, compressionLevel?: number): Promise<number> {
  const file = path.join(scratch, `put-${safeName(key)}`)
  await writeNifti(image, file, { compressionLevel })
  try {
    const { size } = await fs.stat(file)
    await store.upload(key, file, key.endsWith('.gz') ? 'application/gzip' : 'application/octet-stream')
    return size
  } finally {
    await fs.rm(file, { force: true })
  }
}

function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120)
}
