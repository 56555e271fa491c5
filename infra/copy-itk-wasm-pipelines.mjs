#!/usr/bin/env node
// Runs after esbuild, inside the NodejsFunction bundling step (see infra/bundling.ts):
//
//   node <projectRoot>/infra/copy-itk-wasm-pipelines.mjs <outputDir> <projectRoot>
//
// Plain JavaScript on purpose: it runs in the bundling shell, without tsx or a compile step.
//
// Why it exists. Every itk-wasm node wrapper (e.g. @itk-wasm/image-io/dist/nifti-read-image-node.js)
// finds its WebAssembly pipeline relative to its OWN module URL:
//
//   const pipelinePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pipelines', 'nifti-read-image')
//
// and itk-wasm's runPipelineNode then reads `${pipelinePath}.wasm.zst` and `import()`s
// `${pipelinePath}.js`. Once esbuild inlines the wrapper into <outputDir>/index.mjs,
// `import.meta.url` is the bundle's URL (file:///var/task/index.mjs on Lambda), so the pipelines
// must sit in <outputDir>/pipelines/. (setPipelinesBaseUrl / getPipelinesBaseUrl are for the
// browser web-worker path only; the *Node functions never read them.)
//
// Which pipelines: those whose node wrapper actually made it into the bundle. esbuild's metafile
// (index.meta.json, written because bundling sets `metafile: true`) lists every input with the
// bytes it contributed; each contributing itk-wasm wrapper names its pipeline in a
// `'pipelines', '<name>'` literal. So a function that only writes NIfTI ships one pipeline, one
// that uses readImageNode (which can dispatch to any reader) ships all image-io pipelines, and a
// function that never touches itk-wasm ships none.
//
// The pipeline .js files are ES modules (they use import.meta.url) with a .js extension; in
// node_modules they are ESM because their package.json says "type": "module". Next to the
// bundle there is no such package.json, so this script writes pipelines/package.json with
// {"type":"module"}: they load as ESM by declaration instead of relying on Node's syntax
// detection of typeless .js files (on by default only in recent Node 20.19+/22.12+ releases,
// and a second parse of each multi-megabyte pipeline script when it kicks in).
//
// The metafile itself is deleted afterwards: it is a build artefact, not something to deploy.

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ITK_WASM_DIST = /(?:^|[\\/])node_modules[\\/]((?:@itk-wasm[\\/][^\\/]+)|itk-wasm)[\\/]dist[\\/][^\\/]+\.js$/
const PIPELINE_LITERAL = /["']pipelines["']\s*,\s*["']([A-Za-z0-9._-]+)["']/g

/**
 * The itk-wasm pipelines a bundle needs, from its esbuild metafile.
 * @param {{ outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> }} metafile
 * @param {string} baseDir directory the metafile's input paths are relative to (esbuild's cwd)
 * @returns {{ packageName: string, name: string, files: string[] }[]} sorted by name
 */
export function pipelinesUsedByBundle(metafile, baseDir) {
  const found = new Map()
  for (const output of Object.values(metafile.outputs ?? {})) {
    for (const [input, info] of Object.entries(output.inputs ?? {})) {
      if (!info || info.bytesInOutput <= 0) continue
      const match = ITK_WASM_DIST.exec(input)
      if (!match) continue
      const wrapperPath = path.resolve(baseDir, input)
      const source = fs.readFileSync(wrapperPath, 'utf8')
      const pipelinesDir = path.join(path.dirname(wrapperPath), 'pipelines')
      for (const [, name] of source.matchAll(PIPELINE_LITERAL)) {
        const files = [path.join(pipelinesDir, `${name}.js`), path.join(pipelinesDir, `${name}.wasm.zst`)]
        const previous = found.get(name)
        if (previous && previous.files[0] !== files[0]) {
          throw new Error(
            `itk-wasm pipeline name clash: ${name} comes from ${previous.files[0]} and ${files[0]}; ` +
              'both would land in the same pipelines/ folder',
          )
        }
        found.set(name, { packageName: match[1].replace(/\\/g, '/'), name, files })
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * Copy the pipelines a bundle needs next to it. Returns what was copied.
 * @param {string} outputDir the bundle folder (holds index.mjs and index.meta.json)
 * @param {string} baseDir esbuild's working directory (the project root)
 * @param {{ keepMetafile?: boolean }} [options]
 */
export function copyItkWasmPipelines(outputDir, baseDir, options = {}) {
  const metafilePath = path.join(outputDir, 'index.meta.json')
  if (!fs.existsSync(metafilePath)) {
    throw new Error(`${metafilePath} is missing: bundling must set metafile: true (see infra/bundling.ts)`)
  }
  const metafile = JSON.parse(fs.readFileSync(metafilePath, 'utf8'))
  const pipelines = pipelinesUsedByBundle(metafile, baseDir)
  let bytes = 0
  if (pipelines.length > 0) {
    const target = path.join(outputDir, 'pipelines')
    fs.mkdirSync(target, { recursive: true })
    for (const pipeline of pipelines) {
      for (const file of pipeline.files) {
        if (!fs.existsSync(file)) {
          throw new Error(`itk-wasm pipeline file ${file} is missing (is ${pipeline.packageName} installed completely?)`)
        }
        fs.copyFileSync(file, path.join(target, path.basename(file)))
        bytes += fs.statSync(file).size
      }
    }
    fs.writeFileSync(path.join(target, 'package.json'), '{ "type": "module" }\n')
  }
  if (!options.keepMetafile) fs.rmSync(metafilePath)
  return { pipelines, bytes }
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  const [outputDir, baseDir = process.cwd()] = process.argv.slice(2)
  if (!outputDir) {
    console.error('usage: node infra/copy-itk-wasm-pipelines.mjs <bundleOutputDir> [projectRoot]')
    process.exit(2)
  }
  const { pipelines, bytes } = copyItkWasmPipelines(outputDir, baseDir)
  const perPackage = new Map()
  for (const p of pipelines) perPackage.set(p.packageName, (perPackage.get(p.packageName) ?? 0) + 1)
  const summary = [...perPackage].map(([pkg, n]) => `${n} from ${pkg}`).join(', ') || 'none'
  console.error(`itk-wasm pipelines: ${summary} (${(bytes / 1048576).toFixed(1)} MiB)`)
}
