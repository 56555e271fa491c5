// The built CLI (bin/build.js: dist/cli.js bundles the entry and the convert command; the other
// commands, dynamic imports and modules that find files next to themselves load from the
// dist/ tree). Built into a scratch folder, it must give what the sources give in-process:
// convert on ct-chest-141 streamed into a .nii (the bytes of the in-memory .nii.gz path, and
// only the bundle loaded from the build), a .nii.gz (its compressor a dynamic import from the
// tree), a threaded filter whose kernels load from the tree, and exit 2 for bad input.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { runFilterCommand } from '../../src/cli/filter-command.js'
import { dataPath, goldenPath, repoRoot } from '../support/paths.js'

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vf-cli-bundle-'))
const runner = path.join(scratch, 'run.mjs')
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

beforeAll(() => {
  // Packages resolve from the built modules upwards, as in the checkout.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(scratch, 'node_modules'))
  const build = spawnSync(process.execPath, [path.join(repoRoot, 'bin/build.js'), path.join(scratch, 'dist')], { encoding: 'utf8' })
  expect(build.stderr).toBe('')
  expect(build.status).toBe(0)
  writeFileSync(runner, "const { main } = await import('./dist/cli.js')\nawait main(process.argv)\n")
}, 60_000)

/** The built CLI as a process. */
function built(args: string[]) {
  return spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', timeout: 120_000 })
}

describe('the built CLI', () => {
  it('convert: a streamed .nii with the bytes of the in-memory path, from the bundle alone', async () => {
    // The bundle copied without the module tree: convert must need nothing else of the build.
    const alone = path.join(scratch, 'alone')
    mkdirSync(path.join(alone, 'dist'), { recursive: true })
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(alone, 'node_modules'))
    for (const file of ['cli.js', 'package.json']) copyFileSync(path.join(scratch, 'dist', file), path.join(alone, 'dist', file))
    copyFileSync(runner, path.join(alone, 'run.mjs'))
    const out = path.join(scratch, 'chest.nii')
    const run = spawnSync(process.execPath, [path.join(alone, 'run.mjs'), 'convert', dataPath('ct-chest-141'), out], { encoding: 'utf8', timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const inMemory = path.join(scratch, 'chest-in-memory.nii.gz')
    await runConvertCommand(dataPath('ct-chest-141'), inMemory, {}, () => {})
    expect(Buffer.compare(readFileSync(out), gunzipSync(readFileSync(inMemory)))).toBe(0)
  }, 120_000)

  it('convert to .nii.gz (the compressor imported from the tree) writes the in-process bytes and sidecar', async () => {
    const out = path.join(scratch, 'liver.nii.gz')
    const run = built(['convert', dataPath('ct-liver-ffs'), out])
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const reference = path.join(scratch, 'in-process', 'liver.nii.gz')
    const inProcess = await runConvertCommand(dataPath('ct-liver-ffs'), reference, {}, () => {})
    expect(Buffer.compare(readFileSync(out), readFileSync(reference))).toBe(0)
    const { output: _a, ...fromBuild } = JSON.parse(readFileSync(path.join(scratch, 'liver.json'), 'utf8'))
    const { output: _b, ...fromSources } = inProcess.sidecar
    expect(fromBuild).toEqual(JSON.parse(JSON.stringify(fromSources)))
  }, 120_000)

  it('filter maurer (kernels on worker threads, loaded from the tree) writes what the sources write', async () => {
    const input = goldenPath('itk', 'input', 'ct-pelvis-crop.bone.nii.gz')
    const out = path.join(scratch, 'maurer.nii')
    const run = built(['filter', 'maurer', input, out])
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const reference = path.join(scratch, 'maurer-in-process.nii')
    await runFilterCommand(['maurer', input, reference])
    expect(Buffer.compare(readFileSync(out), readFileSync(reference))).toBe(0)
  }, 120_000)

  it('exits 2 naming the input for bad input', () => {
    const run = built(['convert', path.join(scratch, 'no-such-folder'), path.join(scratch, 'x.nii')])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('no-such-folder: no such file or folder')
  })
})
