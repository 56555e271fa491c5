// Types for infra/copy-itk-wasm-pipelines.mjs (plain JS so it runs in the bundling shell).

export interface EsbuildMetafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>
}

export interface UsedPipeline {
  /** '@itk-wasm/image-io', '@itk-wasm/dicom', ... */
  packageName: string
  /** pipeline name, e.g. 'nifti-read-image' */
  name: string
  /** absolute paths of `<name>.js` and `<name>.wasm.zst` in node_modules */
  files: string[]
}

export function pipelinesUsedByBundle(metafile: EsbuildMetafile, baseDir: string): UsedPipeline[]

export function copyItkWasmPipelines(
  outputDir: string,
  baseDir: string,
  options?: { keepMetafile?: boolean },
): { pipelines: UsedPipeline[]; bytes: number }
