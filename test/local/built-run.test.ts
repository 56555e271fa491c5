// `voxelflow run` from the build (bin/build.js): the main thread loads the run path from its split
// bundle, the state machine from the bundled aws-local-stepfunctions (its Lambda client,
// credentials and validator left out) and each chunk worker thread from its own bundle (filter
// kernels and lazily imported modules from the dist/ tree beside it, packages from node_modules,
// zod as one file from dist/node_modules). A sample case (DICOM slices + SEG + SR, so the
// lazily imported SEG and SR readers load from the tree too) in chunks on two workers must give
// the bytes and numbers the sources give in-process.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLocal } from '../../src/local/run-local.js'
import { parseConfig } from '../../src/pipeline/config.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { sampleTruth, writeSample } from '../../src/sample/index.js'
import { repoRoot } from '../support/paths.js'

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-built-run-'))
const truth = sampleTruth(0, 1)
const input = path.join(scratch, 'in', truth.caseId)
const chunkSlices = 7
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

beforeAll(async () => {
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(scratch, 'node_modules'))
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'bin/build.js'), path.join(scratch, 'dist')], { encoding: 'utf8' })
  expect(build.stderr).toBe('')
  expect(build.status).toBe(0)
  await writeSample(path.join(scratch, 'in'), { cases: 1, seed: 1 })
}, 60_000)

describe('voxelflow run from the build', () => {
  it('bundles aws-local-stepfunctions without the AWS SDK and ajv, and the bundle runs a definition', async () => {
    const built = path.join(scratch, 'dist', 'src', 'local', 'step-functions-runtime.js')
    expect(readFileSync(built, 'utf8')).not.toMatch(/node_modules\/(@smithy|@aws-sdk|ajv)\//)
    const { StateMachine } = (await import(built)) as typeof import('../../src/local/step-functions-runtime.js')
    const definition = { StartAt: 'Add', States: { Add: { Type: 'Pass' as const, Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, End: true as const } } }
    const machine = new StateMachine(definition, { validationOptions: { noValidate: true } })
    expect(await machine.run({ a: 2, b: 3 }).result).toEqual({ sum: 5 })
  })

  it('processes a sample case in chunks on two workers with the bytes and numbers of the sources', async () => {
    const builtOut = path.join(scratch, 'out-built')
    const runner = path.join(scratch, 'run.mjs')
    writeFileSync(runner, "const { main } = await import('./dist/cli.js')\nawait main(process.argv)\n")
    const run = spawnSync(process.execPath, [runner, 'run', input, '--out', builtOut, '--workers', '2', '--chunk-slices', String(chunkSlices), '--no-progress'], { encoding: 'utf8', timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)

    const sourcesOut = path.join(scratch, 'out-sources')
    const summary = await runLocal({ input, out: sourcesOut, workers: 2, config: parseConfig({ chunks: { slices: chunkSlices } }) })
    const fromSources = summary.cases[0].report
    expect(fromSources.status).toBe('processed')
    expect(fromSources.chunks?.count).toBeGreaterThan(1)
    // the same case folder under either output folder
    const caseFolder = path.relative(sourcesOut, summary.cases[0].outputDir)
    const fromBuild = reportSchema.parse(JSON.parse(readFileSync(path.join(builtOut, caseFolder, 'report.json'), 'utf8')))
    expect(fromBuild.status).toBe('processed')
    expect(fromBuild.chunks).toEqual(fromSources.chunks)
    expect(fromBuild.labels).toEqual(fromSources.labels)
    expect(fromBuild.landmarks).toEqual(fromSources.landmarks)
    expect(fromBuild.input?.series_instance_uid).toBe(fromSources.input?.series_instance_uid)
    // read from package.json two folders above the tree copy of version.ts, which the bundled copy is told it is
    expect(fromBuild.pipeline.version).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version)
    for (const name of ['image.nii.gz', 'labels.nii.gz']) {
      const built = gunzipSync(readFileSync(path.join(builtOut, caseFolder, name)))
      const sources = gunzipSync(readFileSync(path.join(sourcesOut, caseFolder, name)))
      expect(Buffer.compare(built, sources), name).toBe(0)
    }
  }, 180_000)

  it('loads each source module once on the main thread, from a bundle or from the tree, and zod as one file', () => {
    // What the benchmark child (bench/chunks-child.ts, mode run) imports, then a run in chunks
    // (the lazily loaded stages too); a module hook lists every module the main thread loads.
    const loads = path.join(scratch, 'loads.txt')
    writeFileSync(path.join(scratch, 'record-loads.mjs'), [
      "import { appendFileSync } from 'node:fs'",
      'let file',
      'export function initialize(data) { file = data.file }',
      "export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context) }",
    ].join('\n'))
    const runner = path.join(scratch, 'run-modules.mjs')
    writeFileSync(runner, [
      "import { register } from 'node:module'",
      `register('./record-loads.mjs', import.meta.url, { data: { file: ${JSON.stringify(loads)} } })`,
      "const [{ runLocal }, { parseConfig }] = await Promise.all([import('./dist/src/local/run-local.js'), import('./dist/src/pipeline/config.js')])",
      `const summary = await runLocal({ input: ${JSON.stringify(input)}, out: ${JSON.stringify(path.join(scratch, 'out-modules'))}, workers: 2, config: parseConfig({ chunks: { slices: ${chunkSlices} } }) })`,
      'if (summary.cases[0].report.status !== "processed") throw new Error("not processed")',
    ].join('\n'))
    const run = spawnSync(process.execPath, [runner], { encoding: 'utf8', timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)

    const loaded = [...new Set(readFileSync(loads, 'utf8').trim().split('\n'))].filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url))
    const dist = path.join(scratch, 'dist')
    expect(loaded).toContain(path.join(dist, 'node_modules', 'zod', 'index.js'))
    expect(loaded.filter((file) => /[/\\]node_modules[/\\]zod[/\\]/.test(file) && !file.startsWith(dist))).toEqual([])
    // every built module names its sources in its source map: a source in two loaded modules was loaded twice
    const ownModules = loaded.filter((file) => file.startsWith(dist) && !file.includes(`${path.sep}node_modules${path.sep}`))
    expect(ownModules).toContain(path.join(dist, 'src', 'local', 'run-local.js'))
    const modulesOfSource = new Map<string, string[]>()
    for (const file of ownModules) {
      expect(existsSync(`${file}.map`), file).toBe(true)
      const { sources } = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }
      for (const source of sources) {
        const relative = path.relative(repoRoot, path.resolve(path.dirname(file), source))
        modulesOfSource.set(relative, [...(modulesOfSource.get(relative) ?? []), path.relative(dist, file)])
      }
    }
    expect(modulesOfSource.get(path.join('src', 'local', 'chunk-pool.ts'))).toEqual([path.join('src', 'local', 'run-local.js')])
    expect([...modulesOfSource].filter(([, modules]) => modules.length > 1)).toEqual([])
  }, 180_000)
})
