// Real bundling, offline, without Docker: NodejsFunction + local esbuild + the afterBundling hook,
// with the production options of infra/bundling.ts. Then the bundle runs in a fresh Node process
// from its asset folder, as on Lambda (/var/task/index.mjs), reading a NIfTI and a DICOM series.
// The stage handlers themselves are bundled by `npx cdk synth` (see infra/app.ts).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { App, Stack } from 'aws-cdk-lib'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import type { Asset } from 'aws-cdk-lib/aws-s3-assets'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { depsLockFilePath, projectRoot, voxelflowBundling } from '../../infra/bundling.js'

const sharedData = process.env.VOXELFLOW_SHARED_DATA ?? path.resolve(projectRoot, '..', 'shared', 'data')
const nifti = path.join(sharedData, 'mr-t1-head.nii.gz')
const dicomDir = path.join(sharedData, 'ct-liver-ffs')
const haveData = existsSync(nifti) && existsSync(dicomDir)

const fixtures = ['itk-wasm-probe', 'nifti-only', 'no-itk-wasm', 'filter-threads-probe'] as const
type Fixture = (typeof fixtures)[number]

let outdir: string
const assetDirs = {} as Record<Fixture, string>

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'voxelflow-bundling-'))
  const app = new App({ outdir })
  const stack = new Stack(app, 'BundlingProbe')
  const functions = fixtures.map(
    (name) =>
      [
        name,
        new NodejsFunction(stack, name, {
          entry: path.join(projectRoot, 'test', 'infra', 'fixtures', `${name}.ts`),
          handler: 'handler',
          projectRoot,
          depsLockFilePath,
          runtime: lambda.Runtime.NODEJS_22_X,
          bundling: voxelflowBundling(),
        }),
      ] as const,
  )
  app.synth()
  for (const [name, fn] of functions) {
    const asset = fn.node.findChild('Code') as Asset
    assetDirs[name] = path.resolve(outdir, asset.assetPath)
  }
}, 300_000)

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true })
})

function runBundle(assetDir: string, event: unknown): any {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(path.join(assetDir, 'index.mjs')).href)})
    process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)})))
  `
  // Not from the repository: only what is in the asset folder can be found.
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-central-1' },
    encoding: 'utf8',
    timeout: 120_000,
  })
  return JSON.parse(stdout)
}

describe('bundling (local esbuild, no Docker)', () => {
  it('writes an ESM bundle with the createRequire banner and no metafile', () => {
    for (const name of fixtures) {
      const files = readdirSync(assetDirs[name])
      expect(files, name).toContain('index.mjs')
      expect(files, name).not.toContain('index.meta.json')
      const code = readFileSync(path.join(assetDirs[name], 'index.mjs'), 'utf8')
      expect(code.startsWith('import { createRequire as __voxelflowCreateRequire }')).toBe(true)
    }
  })

  it('copies all image-io pipelines and the DICOM series reader for readImageNode + dicom', () => {
    const pipelines = path.join(assetDirs['itk-wasm-probe'], 'pipelines')
    const files = readdirSync(pipelines)
    const imageIoReaders = readdirSync(path.join(projectRoot, 'node_modules/@itk-wasm/image-io/dist/pipelines')).filter(
      (f) => f.includes('-read-image.'),
    )
    // readImageNode can dispatch to every reader: all image-io readers come along.
    expect(imageIoReaders.length).toBeGreaterThan(40)
    expect(files).toEqual(expect.arrayContaining(imageIoReaders))
    expect(files).toContain('read-image-dicom-file-series.js')
    expect(files).toContain('read-image-dicom-file-series.wasm.zst')
    // ... but not the dicom pipelines the bundle does not use.
    expect(files).not.toContain('write-segmentation.wasm.zst')
    expect(JSON.parse(readFileSync(path.join(pipelines, 'package.json'), 'utf8'))).toEqual({ type: 'module' })
  })

  it('copies only the pipeline of a single itk-wasm function, and none without itk-wasm', () => {
    const files = readdirSync(path.join(assetDirs['nifti-only'], 'pipelines')).sort()
    expect(files).toEqual(['nifti-read-image.js', 'nifti-read-image.wasm.zst', 'package.json'])
    expect(readdirSync(assetDirs['no-itk-wasm'])).not.toContain('pipelines')
  })

  it.skipIf(!haveData)('runs from its asset folder: finds the pipelines next to index.mjs', () => {
    const dicomFiles = readdirSync(dicomDir).map((f) => path.join(dicomDir, f))
    const result = runBundle(assetDirs['itk-wasm-probe'], { nifti, dicomFiles })
    expect(result.nifti.size).toEqual([128, 128, 62])
    expect(result.dicom.size).toEqual([512, 512, 3])
    expect(result.pngBytes).toBeGreaterThan(0)
    expect(result.s3Region).toBe('eu-central-1')

    expect(runBundle(assetDirs['nifti-only'], { nifti })).toEqual({ couldRead: true, size: [128, 128, 62] })
  })

  it('runs a threaded filter inside a bundle (no worker script beside index.mjs): on the calling thread, exact', () => {
    expect(runBundle(assetDirs['filter-threads-probe'], {})).toEqual({ size: [255, 128, 64], maxError: 0 })
  })
})
