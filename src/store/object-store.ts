// The object-store abstraction every stage talks to. S3 (src/aws) and a folder per bucket
// (src/local) implement it; stages never know which one they have.

export interface ObjectInfo {
  key: string
  size: number
  /** Content fingerprint: the S3 ETag, or for folders a hash of size and mtime. */
  etag: string
}

export interface ObjectStore {
  /** Bucket name as seen in events and reports. */
  readonly bucket: string
  get(key: string): Promise<Uint8Array>
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>
  /** Store the parts' concatenation without joining them in memory first (optional: else put). */
  putParts?(key: string, parts: Uint8Array[], contentType?: string): Promise<void>
  head(key: string): Promise<ObjectInfo | undefined>
  /** Every object under the prefix, in key order. */
  list(prefix: string): Promise<ObjectInfo[]>
  /** Copy an object to a local file (itk-wasm reads paths). */
  download(key: string, file: string): Promise<void>
  /** Store a local file as an object. */
  upload(key: string, file: string, contentType?: string): Promise<void>
  /**
   * The local file that holds the object, when the store keeps objects as files (undefined
   * otherwise, or when there is no such object): readers may read it in place instead of
   * downloading a copy, and must never write, move or delete it.
   */
  localFile?(key: string): Promise<string | undefined>
}

/** Resolves a bucket name from an event to a store. */
export type StoreResolver = (bucket: string) => ObjectStore

/** Store the parts' concatenation: written one after another where the store can, else joined once. */
export function putConcatenated(store: ObjectStore, key: string, parts: Uint8Array[], contentType?: string): Promise<void> {
  if (store.putParts) return store.putParts(key, parts, contentType)
  return store.put(key, Buffer.concat(parts), contentType)
}
