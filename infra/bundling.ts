// How every voxelflow Lambda is bundled: local esbuild (no Docker), ESM for Node 22, and the
// itk-wasm pipelines the bundle needs copied next to it.
//
// Where the pipelines are found at run time
// ------------------------------------------
// itk-wasm's node wrappers (readImageNode, niftiReadImageNode, readImageDicomFileSeriesNode, ...)
// compute `path.join(dirname(fileURLToPath(import.meta.url)), 'pipelines', <name>)`. esbuild
// keeps `import.meta.url` as is in ESM output, so inside the bundle it is the URL of index.mjs:
// on Lambda `file:///var/task/index.mjs`, hence `/var/task/pipelines/<name>.{js,wasm.zst}`.
// The afterBundling hook (infra/copy-itk-wasm-pipelines.mjs) puts exactly those files in
// `<asset>/pipelines/`, plus a `package.json` with `"type": "module"` because the pipeline
// `.js` files are ES modules. Handler code needs NO call such as setPipelinesBaseUrl (that
// setting only feeds the browser/web-worker path); it just imports the node functions from
// '@itk-wasm/image-io' / '@itk-wasm/dicom' (the "node" export condition, which esbuild picks
// with platform=node) and must not be re-bundled or moved away from its pipelines/ folder.

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs'

/** The repository root: holds package.json, package-lock.json, functions/, infra/. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The lock file NodejsFunction uses to find the project root. */
export const depsLockFilePath = path.join(projectRoot, 'package-lock.json')

/**
 * ESM bundles have no `require`; CommonJS dependencies bundled into them (pngjs, mime-types, ...)
 * still call `require('zlib')` etc. This shim gives them one. The import is aliased so that it
 * cannot clash with a `createRequire` import that esbuild hoists from bundled code.
 */
export const createRequireBanner =
  "import { createRequire as __voxelflowCreateRequire } from 'module'; const require = __voxelflowCreateRequire(import.meta.url);"

/** Node 22 on Lambda (nodejs22.x). */
export const esbuildTarget = 'node22'

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/** The shell command the afterBundling hook runs (local bundling runs it with bash -c). */
export function copyPipelinesCommand(inputDir: string, outputDir: string): string {
  const script = path.join(inputDir, 'infra', 'copy-itk-wasm-pipelines.mjs')
  return `node ${shellQuote(script)} ${shellQuote(outputDir)} ${shellQuote(inputDir)}`
}

export interface VoxelflowBundlingOptions {
  /** Minify the bundle (default true; names are kept so error classes stay readable). */
  readonly minify?: boolean
  /** Emit a source map and run with --enable-source-maps (default true). */
  readonly sourceMap?: boolean
}

/** Bundling options shared by every function. */
export function voxelflowBundling(options: VoxelflowBundlingOptions = {}): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: esbuildTarget,
    mainFields: ['module', 'main'],
    banner: createRequireBanner,
    // Bundle the AWS SDK instead of using the copy in the runtime: the deployed code then runs
    // exactly the SDK version the tests ran against, and ESM gets the dist-es builds.
    bundleAwsSDK: true,
    minify: options.minify ?? true,
    keepNames: true,
    sourceMap: options.sourceMap ?? true,
    sourcesContent: false,
    // Read by the afterBundling hook to learn which itk-wasm pipelines the bundle uses; the hook
    // deletes it afterwards.
    metafile: true,
    // Warnings and errors only: no size table per function on every synth.
    logLevel: LogLevel.WARNING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [copyPipelinesCommand(inputDir, outputDir)],
    },
  }
}
