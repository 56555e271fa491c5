// `voxelflow reprocess` as a user runs it: --local against the folder cloud, and the deployed
// stack's settings required otherwise (exit 2 naming the missing one).
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeCubePhantom } from '../support/cube-phantom.js'
import { repoRoot } from '../support/paths.js'

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin/voxelflow.js'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    timeout: 120_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  })

describe('voxelflow reprocess', () => {
  it('--local processes the prefix once, then skips it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vf-reprocess-cli-'))
    const cube = await writeCubePhantom(path.join(root, 'input', 'pelvis', 'c1.nii.gz'), 16, 5)
    const first = cli(['reprocess', 'pelvis/', '--local', root, '--json', '--workers', '0'])
    expect(first.status, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ started: [expect.stringMatching(/^c1-/)], skipped: [], waiting: [] })
    const again = cli(['reprocess', 'pelvis/', '--local', root])
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/started 0, skipped 1/)
    const report = JSON.parse((await import('node:fs')).readFileSync(path.join(root, 'output', 'pelvis', 'c1', 'report.json'), 'utf8'))
    expect(report.labels[0].volume_ml).toBeCloseTo(cube.volumeMl, 9)
  })

  it('without --local needs the deployed stack: exit 2 naming what is missing', () => {
    const result = cli(['reprocess', 'pelvis/'], { INPUT_BUCKET: 'in', WORK_BUCKET: 'work', OUTPUT_BUCKET: 'out' })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/--state-machine-arn \(or STATE_MACHINE_ARN\) is required/)
  })
})
