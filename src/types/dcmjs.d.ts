// dcmjs ships no type declarations; voxelflow uses a small part of its API, typed loosely here.
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { dict: Record<string, unknown>; meta: Record<string, unknown> }
      } & Record<string, any>
      DicomMetaDictionary: {
        naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>
      } & Record<string, any>
      DicomDict: any
      [name: string]: any
    }
    log: { getLogger(name: string): { setLevel(level: string): void }; setLevel(level: string): void }
    [name: string]: any
  }
  export default dcmjs
}
