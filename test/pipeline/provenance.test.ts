// Provenance helpers against their definitions: SHA-256 test vectors (FIPS 180-2), the code
// version's order of sources, and the manifest field that marks predicted landmarks.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { folderStores } from '../../src/local/folder-stores.js'
import { codeVersion } from '../../src/pipeline/code-version.js'
import { ingestObject } from '../../src/pipeline/ingest.js'
import { getJson } from '../../src/pipeline/object-io.js'
import { sha256OfFile } from '../../src/pipeline/sha256-file.js'
import { pipelineVersion } from '../../src/pipeline/version.js'
import type { CaseManifest, ExecutionInput } from '../../src/pipeline/state.js'
import { reportSchema, reportSchemaVersion } from '../../src/pipeline/report-schema.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'vf-provenance-unit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('sha256OfFile', () => {
  it('gives the FIPS 180-2 digests of "abc" and of one million "a"', async () => {
    writeFileSync(path.join(dir, 'abc'), 'abc')
    writeFileSync(path.join(dir, 'million'), 'a'.repeat(1_000_000))
    expect(await sha256OfFile(path.join(dir, 'abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(await sha256OfFile(path.join(dir, 'million'))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
  })
})

describe('codeVersion', () => {
  it('takes VOXELFLOW_CODE_VERSION first, else git describe or the package version', () => {
    expect(codeVersion({ VOXELFLOW_CODE_VERSION: 'v1.2.3-4-gabcdef0' })).toEqual({ value: 'v1.2.3-4-gabcdef0', source: 'env' })
    const fallback = codeVersion({})
    expect(['git', 'package']).toContain(fallback.source)
    expect(fallback.value).toBe(fallback.source === 'package' ? `package-${pipelineVersion}` : fallback.value.trim())
    expect(fallback.value).not.toBe('')
  })

  it('prefetched in the background, gives what git describe says of this checkout', async () => {
    vi.resetModules()
    const fresh = await import('../../src/pipeline/code-version.js')
    await fresh.prefetchCodeVersion({})
    let described = ''
    try {
      described = execFileSync('git', ['describe', '--always', '--dirty', '--tags'], { cwd: path.dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()
    } catch {
      // not a checkout: the package version
    }
    expect(fresh.codeVersion({})).toEqual(described ? { value: described, source: 'git' } : { value: `package-${pipelineVersion}`, source: 'package' })
  })
})

describe('case.json reference_landmarks and prediction_landmarks', () => {
  it('mark the named objects as the landmarks files of the case', async () => {
    const input = path.join(dir, 'input')
    await fs.mkdir(path.join(input, 'pelvis', 'case-1'), { recursive: true })
    writeFileSync(path.join(input, 'pelvis', 'case-1', 'ct.nii.gz'), 'x')
    writeFileSync(path.join(input, 'pelvis', 'case-1', 'model.landmarks.json'), '{"landmarks":[]}')
    writeFileSync(path.join(input, 'pelvis', 'case-1', 'expert.landmarks.json'), '{"landmarks":[]}')
    writeFileSync(path.join(input, 'pelvis', 'case-1', 'case.json'), JSON.stringify({ files: ['ct.nii.gz'], reference_landmarks: 'expert.landmarks.json', prediction_landmarks: 'model.landmarks.json' }))
    const stores = folderStores({ input, work: path.join(dir, 'work') })
    let started: ExecutionInput | undefined
    const outcome = await ingestObject('input', 'pelvis/case-1/case.json', {
      stores, workBucket: 'work', outputBucket: 'output', config: {},
      starter: { start: async (name, body) => { started = body as ExecutionInput; return { started: true, executionId: name } } },
    })
    expect(outcome.action).toBe('started')
    const manifest = await getJson<CaseManifest>(stores('work'), started!.case.manifest.key)
    expect(manifest.objects.map((o) => [o.key, o.role])).toEqual([
      ['pelvis/case-1/ct.nii.gz', 'auto'],
      ['pelvis/case-1/expert.landmarks.json', 'reference_landmarks'],
      ['pelvis/case-1/model.landmarks.json', 'prediction_landmarks'],
    ])
  })
})

describe('report schema 1.2.0 additions', () => {
  const minimal = {
    schema_version: reportSchemaVersion, status: 'failed', dataset: 'd', case_id: 'c', run_id: 'r', created_at: '2026-01-01T00:00:00.000Z',
    pipeline: { version: '0.1.0', config_hash: 'abc', code_version: 'v1-2-gabc', code_version_source: 'git' },
    inputs: [{ bucket: 'in', key: 'c/ct.nii.gz', size_bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }],
    outputs: { report: { bucket: 'b', key: 'c/report.json' } }, labels: [], landmarks: [], timings_ms: { total: 1 }, warnings: [],
  }
  const pair = { name: 'a', matched_by: 'name', reference_lps_mm: [0, 0, 0], predicted_lps_mm: [0, 0, 1], error_vector_mm: [0, 0, 1], error_mm: 1 }
  const prediction = { source: 'p.json', landmarks: [], errors: [pair], unmatched_reference: [], unmatched_predicted: [], summary: null }

  it('accepts provenance and a landmark prediction, rejects malformed ones', () => {
    expect(reportSchema.safeParse({ ...minimal, landmark_prediction: prediction }).success).toBe(true)
    expect(reportSchema.safeParse({ ...minimal, inputs: [{ ...minimal.inputs[0], sha256: 'ABC' }] }).success).toBe(false)
    expect(reportSchema.safeParse({ ...minimal, pipeline: { ...minimal.pipeline, code_version_source: 'guess' } }).success).toBe(false)
    expect(reportSchema.safeParse({ ...minimal, landmark_prediction: { ...prediction, errors: [{ ...pair, error_mm: -1 }] } }).success).toBe(false)
    expect(reportSchema.safeParse({ ...minimal, landmark_prediction: { ...prediction, summary: { count: 0, mean_mm: 0, median_mm: 0, max_mm: 0, std_population_mm: 0, std_sample_mm: null } } }).success).toBe(false)
  })
})
