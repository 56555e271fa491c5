// Issue 9's memory bound, per case: each hostile input runs through the real `voxelflow run`
// (bin/voxelflow.js) in a process of its own, whose peak RSS a preload reports on exit.
// The corpus' bombs are sized against its 8 MiB limit (terabytes declared in a NIfTI header,
// 32 MB declared behind a 1 MB gzip, 16 MB in a zip, 128 MB behind a tar.gz). Two more are
// caught only while streaming: 1 GiB of zeros behind a tar.gz (past the 500 MB bound itself) and
// 64 MiB in a zip entry whose header claims 4 KiB (refused at the first bytes past the claim).
// Each run must end in exit 2 with its message, under 500 MB.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import zlib from 'node:zlib'
import { tarBytes, zipBytes } from './support/archive-writers.js'
import { validNiftiBytes } from './support/broken-nifti.js'
import { type Make, corpusSettings, hostileCorpus } from './support/hostile-corpus.js'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const preload = fileURLToPath(new URL('./support/record-peak-rss.mjs', import.meta.url))
const root = mkdtempSync(path.join(os.tmpdir(), 'vf-peak-rss-'))
const configFile = path.join(root, 'settings.json')
const limitBytes = 500 * 2 ** 20
let valid: Buffer
const measured = new Set(['terabytes', 'nifti-bomb', 'zip-bomb', 'tar-bomb', 'seg-outside'])
const file = (name: string, bytes: () => Buffer | Promise<Buffer>): Make => async (dir) => {
  const target = path.join(dir, name)
  writeFileSync(target, await bytes())
  return target
}
const mib = 2 ** 20
const bigBombs: [string, Make, RegExp][] = [
  // 16 gzip members of 64 MiB of zeros each: a 1 GiB stream from about 1 MB.
  ['tar-bomb-1g', file('tar-bomb-1g.tar.gz', async () => {
    const member = zlib.gzipSync(Buffer.alloc(64 * mib), { level: 9 })
    return Buffer.concat([await tarBytes([{ name: 'a.dcm', data: Buffer.alloc(512) }], true), ...Array.from({ length: 16 }, () => member)])
  }), /tar-bomb-1g\.tar\.gz: inflated archive stream bytes .* exceeds limits\.max_decompressed_bytes = 8388608/],
  ['zip-liar', file('zip-liar.zip', () => zipBytes([{ name: 'zeros.dcm', data: Buffer.alloc(64 * mib), deflate: true, declaredSize: 4096 }])), /zip-liar\.zip: corrupt zip archive: too many bytes in the stream\. expected 4096\./],
]
const cases = [...hostileCorpus(() => valid).filter(([name]) => measured.has(name)), ...bigBombs]

beforeAll(async () => {
  valid = await validNiftiBytes(root)
  writeFileSync(configFile, JSON.stringify(corpusSettings))
})

/** Run the CLI in a child process; its exit code, peak RSS and output. */
async function runMeasured(args: string[]): Promise<{ exitCode: number; peakRssBytes: number; output: string }> {
  const rssFile = path.join(root, `rss-${Math.random().toString(36).slice(2)}.json`)
  const child = await promisify(execFile)(process.execPath, ['--import', preload, path.join(repo, 'bin/voxelflow.js'), ...args], {
    cwd: repo,
    env: { ...process.env, VOXELFLOW_PEAK_RSS_FILE: rssFile },
    timeout: 60_000,
  }).catch((error: { stdout?: string; stderr?: string }) => error)
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}`
  return { ...(JSON.parse(readFileSync(rssFile, 'utf8')) as { exitCode: number; peakRssBytes: number }), output }
}

describe('peak memory of one hostile case in its own process', () => {
  it('has all the measured cases', () => expect(cases.length).toBe(measured.size + bigBombs.length))

  for (const [name, make, message] of cases) {
    it(`${name}: exit 2 with its message, peak RSS < 500 MB`, async () => {
      const dir = path.join(root, name)
      mkdirSync(dir)
      const input = await make(dir)
      const { exitCode, peakRssBytes, output } = await runMeasured(['run', input, '--out', path.join(root, `${name}-out`), '--workers', '0', '--no-progress', '--config', configFile])
      console.log(`${name}: peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MB`)
      expect(output).toMatch(message)
      expect(exitCode).toBe(2)
      expect(peakRssBytes).toBeGreaterThan(0)
      expect(peakRssBytes).toBeLessThan(limitBytes)
    }, 90_000)
  }
})
