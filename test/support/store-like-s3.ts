// A store with only the methods every ObjectStore has (as S3's): tests run the paths a store
// takes without the optional putParts / localFile on the same folder.
import type { ObjectStore } from '../../src/store/object-store.js'

export function storeLikeS3(store: ObjectStore): ObjectStore {
  return {
    bucket: store.bucket,
    get: (key) => store.get(key),
    put: (key, body, type) => store.put(key, body, type),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    download: (key, file) => store.download(key, file),
    upload: (key, file, type) => store.upload(key, file, type),
  }
}
