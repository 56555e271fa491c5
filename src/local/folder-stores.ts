// Locally, a folder plays each bucket: this maps bucket names to folders.
import type { ObjectStore, StoreResolver } from '../store/object-store.js'
import { FolderObjectStore } from './folder-object-store.js'

export type BucketFolders = Record<string, string>

export function folderStores(buckets: BucketFolders): StoreResolver {
  const stores = new Map<string, ObjectStore>()
  return (bucket) => {
    let store = stores.get(bucket)
    if (!store) {
      const root = buckets[bucket]
      if (!root) throw new Error(`no local folder for bucket "${bucket}"`)
      stores.set(bucket, (store = new FolderObjectStore(root, bucket)))
    }
    return store
  }
}
