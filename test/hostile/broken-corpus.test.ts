// The hostile corpus of issue 9, generated here, each input through both front doors:
// - the CLI (`voxelflow run`, in this process): exit 2, the failure named with file and problem;
// - the cloud path (ingest -> state machine -> failure report, with folder buckets): a report
//   with status "failed", kind "bad_input", the same message; the input objects untouched.
// Each case must end within 5 s; the whole file within 500 MB peak RSS.
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChunkPool } from '../../src/local/chunk-pool.js'
import { folderStores } from '../../src/local/folder-stores.js'
import { LocalStateMachine } from '../../src/local/local-state-machine.js'
import { localStageHandlers } from '../../src/local/stage-handlers.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { ingestObject } from '../../src/pipeline/ingest.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { readNifti } from '../../src/io/nifti.js'
import { zipBytes } from './support/archive-writers.js'
import { validNiftiBytes } from './support/broken-nifti.js'
import { corpusSettings, hostileCorpus } from './support/hostile-corpus.js'
import { cubeVolumeMl, ctSlice, series, writeSeries } from './support/small-dicom.js'
import { cubeSeg, landmarkLps, landmarkSr } from './support/small-seg-sr.js'
import { runCliInProcess } from '../support/run-cli-in-process.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'vf-corpus-'))
const settings = corpusSettings
const configFile = path.join(root, 'settings.json')
let valid: Buffer
const corpus = hostileCorpus(() => valid)


const sha = (p: string): string => {
  const stat = statSync(p)
  if (stat.isFile()) return createHash('sha256').update(readFileSync(p)).digest('hex')
  return readdirSync(p).sort().map((e) => `${e}:${sha(path.join(p, e))}`).join(',')
}

function reportsUnder(dir: string): Record<string, unknown>[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('report.json')).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
}

const cli = runCliInProcess

/** Upload `input` (file, or folder + case.json) to a folder bucket, ingest it, wait for the report. */
async function throughIngest(input: string, work: string) {
  const buckets = { input: path.join(work, 'input'), work: path.join(work, 'work'), output: path.join(work, 'output') }
  mkdirSync(buckets.input, { recursive: true })
  let key: string
  if (statSync(input).isDirectory()) {
    cpSync(input, path.join(buckets.input, 'hostile', path.basename(input)), { recursive: true })
    key = `hostile/${path.basename(input)}/case.json`
    writeFileSync(path.join(buckets.input, key), '{}')
  } else {
    mkdirSync(path.join(buckets.input, 'hostile'))
    cpSync(input, path.join(buckets.input, 'hostile', path.basename(input)))
    key = `hostile/${path.basename(input)}`
  }
  const uploaded = sha(buckets.input)
  const stores = folderStores(buckets)
  const pool = new ChunkPool({ buckets, workers: 0 })
  const machine = new LocalStateMachine(localStageHandlers({ stores }, (body) => pool.run(body)))
  try {
    const outcome = await ingestObject('input', key, { stores, workBucket: 'work', outputBucket: 'output', starter: machine, config: settings })
    expect(outcome.action).toBe('started')
    await machine.wait((outcome as { executionName: string }).executionName).catch(() => undefined)
  } finally {
    await pool.close()
  }
  expect(sha(buckets.input)).toBe(uploaded) // never modified, nothing added or removed
  return reportsUnder(buckets.output)
}

/**
 * Ingest a manifest that must be refused: BadInputError, no execution started, the input
 * untouched, and a failed report (kind bad_input, the same message) in the output bucket.
 */
async function ingestRefused(inputRoot: string, key: string, reportKey = `${key.split('/')[0]}/${path.basename(path.dirname(key))}/report.json`) {
  const buckets = { input: inputRoot, work: mkdtempSync(path.join(root, 'w-')), output: mkdtempSync(path.join(root, 'o-')) }
  const uploaded = sha(inputRoot)
  const starts: string[] = []
  const starter = { start: async (name: string) => (starts.push(name), { started: true, executionId: name }) }
  const error = await ingestObject('input', key, { stores: folderStores(buckets), workBucket: 'work', outputBucket: 'output', starter, config: {} }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(BadInputError)
  expect(starts).toEqual([])
  expect(sha(inputRoot)).toBe(uploaded)
  expect(readdirSync(buckets.output, { recursive: true }).filter((f) => String(f).endsWith('.json'))).toEqual([reportKey])
  const report = reportSchema.parse(JSON.parse(readFileSync(path.join(buckets.output, reportKey), 'utf8')))
  expect(report.status).toBe('failed')
  expect(report.error?.kind).toBe('bad_input')
  expect(report.outputs.report).toEqual({ bucket: 'output', key: reportKey })
  return { error: error as BadInputError, report: report as typeof report & { error: { message: string } } }
}

beforeAll(async () => {
  valid = await validNiftiBytes(root)
  writeFileSync(configFile, JSON.stringify(settings))
})

afterAll(() => {
  // Peak resident memory of this whole test process, all cases included.
  expect(process.resourceUsage().maxRSS * 1024).toBeLessThan(500 * 2 ** 20)
})

describe('the hostile corpus', () => {
  for (const [name, make, message] of corpus) {
    it(`${name}: CLI exits 2 naming the file; ingest ends in a bad_input failure report`, async () => {
      const dir = path.join(root, name)
      mkdirSync(dir)
      const input = await make(dir)
      const before = sha(input)

      let started = Date.now()
      const { code, output } = await cli('run', input, '--out', path.join(root, `${name}-out`), '--workers', '0', '--no-progress', '--config', configFile)
      expect(Date.now() - started).toBeLessThan(5000)
      expect(output).toMatch(/FAILED \(bad_input\)/)
      expect(output).toMatch(message)
      expect(code).toBe(2)
      expect(sha(input)).toBe(before)

      started = Date.now()
      const reports = await throughIngest(input, path.join(root, `${name}-cloud`))
      expect(Date.now() - started).toBeLessThan(5000)
      expect(reports).toHaveLength(1)
      const report = reports[0] as { status: string; error: { kind: string; message: string } }
      expect(report.status).toBe('failed')
      expect(report.error.kind).toBe('bad_input')
      expect(report.error.message).toMatch(message)
    })
  }

  it('a zip of a DICOM series with a duplicate and an odd-sized slice is processed, with both named', async () => {
    const folder = writeSeries(path.join(root, 'ok-series'))
    writeFileSync(path.join(folder, 'copy-of-3.dcm'), readFileSync(path.join(folder, 's-3.dcm')))
    writeFileSync(path.join(folder, 'odd.dcm'), ctSlice(2, { override: { Rows: 8, Columns: 8, SOPInstanceUID: '1.2.826.0.1.3680043.8.498.9001.99' } }))
    const entries = readdirSync(folder).map((f) => ({ name: `ct/${f}`, data: readFileSync(path.join(folder, f)), deflate: true }))
    const zip = path.join(root, 'ok-case.zip')
    writeFileSync(zip, zipBytes(entries))
    const reports = await throughIngest(zip, path.join(root, 'ok-cloud'))
    const report = reports[0] as { status: string; case_id: string; input: { slice_count: number }; labels: { value: number; volume_ml: number }[]; warnings: { code: string; message: string }[] }
    expect(report.status).toBe('processed')
    expect(report.case_id).toBe('ok-case')
    expect(report.input.slice_count).toBe(series.slices)
    expect(report.labels.find((l) => l.value === 1)!.volume_ml).toBeCloseTo(cubeVolumeMl, 6)
    const warnings = report.warnings.map((w) => `${w.code}: ${w.message}`)
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^duplicate_instance: hostile\/ok-case\.zip!\/ct\/s-3\.dcm: SOP Instance UID .*\.3 already read from hostile\/ok-case\.zip!\/ct\/copy-of-3\.dcm; duplicate ignored/),
      expect.stringMatching(/^inconsistent_matrix: series .* mixes image sizes: 6 of 16 x 16 .*, 1 of 8 x 8 \(e\.g\. hostile\/ok-case\.zip!\/ct\/odd\.dcm\)/),
    ]))

    const cliRun = await cli('run', zip, '--out', path.join(root, 'ok-out'), '--workers', '0', '--no-progress', '--json')
    expect(cliRun.code).toBe(0)
    const converted = path.join(root, 'ok-convert', 'ct.nii.gz')
    expect((await cli('convert', zip, converted)).code).toBe(0)
    const volume = await readNifti(converted)
    expect([...volume.size]).toEqual([series.columns, series.rows, series.slices])
  })

  it('a valid SEG and SR are used; SRs of another template or without points beside them leave a warning each and no landmarks', async () => {
    type Processed = { status: string; label_source: string; labels: { value: number; volume_ml: number }[]; landmarks: { name: string; lps_mm: number[] }[]; warnings: { code: string; message: string }[] }
    const name = 'seg-and-srs'
    const folder = writeSeries(path.join(root, name))
    writeFileSync(path.join(folder, 'seg.dcm'), cubeSeg())
    writeFileSync(path.join(folder, 'sr.dcm'), landmarkSr())
    // TID 10011 is the CT Radiation Dose report scanners put beside a series.
    writeFileSync(path.join(folder, 'dose.dcm'), landmarkSr({ change: (d) => {
      ;(d.ContentTemplateSequence as { TemplateIdentifier: string }[])[0].TemplateIdentifier = '10011'
      d.SOPInstanceUID = '1.2.826.0.1.3680043.8.498.9004.2'
    } }))
    writeFileSync(path.join(folder, 'empty.sr.dcm'), landmarkSr({ points: false, change: (d) => void (d.SOPInstanceUID = '1.2.826.0.1.3680043.8.498.9004.3') }))
    const cliRun = await cli('run', folder, '--out', path.join(root, `${name}-out`), '--workers', '0', '--no-progress', '--json')
    expect(cliRun.code).toBe(0)
    const reports = [JSON.parse(readFileSync(path.join(root, `${name}-out`, name, 'report.json'), 'utf8')), ...(await throughIngest(folder, path.join(root, `${name}-cloud`)))] as Processed[]
    expect(reports).toHaveLength(2)
    for (const report of reports) {
      expect(report.status).toBe('processed')
      expect(report.label_source).toBe('reference')
      expect(report.labels.find((l) => l.value === 1)!.volume_ml).toBeCloseTo(cubeVolumeMl, 6)
      expect(report.landmarks.map((l) => [l.name, ...l.lps_mm])).toEqual([['cube corner', ...landmarkLps]])
      expect(report.warnings.map((w) => `${w.code}: ${w.message}`).filter((w) => /^sr_/.test(w)).sort()).toEqual([
        expect.stringMatching(/^sr_ignored: (hostile\/)?seg-and-srs\/dose\.dcm: structured report with template TID 10011, not an Imaging Measurement Report \(TID 1500\); no landmarks read from it$/),
        expect.stringMatching(/^sr_no_points: (hostile\/)?seg-and-srs\/empty\.sr\.dcm: the TID 1500 report holds no SCOORD3D POINT or MULTIPOINT; no landmarks$/),
      ])
    }
  })

  it('a broken case.json is refused at ingest with a failure report naming the manifest and the field', async () => {
    const cases: [string, string, RegExp, string?][] = [
      ['not-json', '{"files": [', /^pelvis\/not-json\/case\.json: the case manifest is not JSON \(/],
      ['unknown-key', '{"case_id": "c-7", "refrence_labels": "x.nii.gz"}', /^pelvis\/unknown-key\/case\.json: invalid case manifest: : Unrecognized key: "refrence_labels"/, 'pelvis/c-7/report.json'],
      ['missing-file', '{"files": ["s-1.dcm", "s-9.dcm"]}', /^pelvis\/missing-file\/case\.json: manifest lists pelvis\/missing-file\/s-9\.dcm, which is not in the bucket$/],
      ['bad-override', '{"dataset": "other", "config": {"segmentation": {"lower_hu": "200 HU"}}}', /^pelvis\/bad-override\/case\.json: invalid pipeline config: segmentation\.lower_hu: /, 'other/bad-override/report.json'],
    ]
    for (const [name, manifest, message, reportKey] of cases) {
      const inputRoot = path.join(root, `refused-${name}`)
      writeSeries(path.join(inputRoot, 'pelvis', name))
      writeFileSync(path.join(inputRoot, 'pelvis', name, 'case.json'), manifest)
      const { error, report } = await ingestRefused(inputRoot, `pelvis/${name}/case.json`, reportKey)
      expect(error.message).toMatch(message)
      expect(report.error.message).toBe(error.message)
    }
  })

  it('config overrides that fail the schema: the CLI exits 2 naming the setting; ingest refuses the manifest', async () => {
    for (const [bad, field] of [[{ limits: { max_voxels: -5 } }, /limits\.max_voxels/], [{ limits: { max_vox: 5 } }, /limits: Unrecognized key/], [{ resample: { spacing_mm: 5000 } }, /resample\.spacing_mm/]] as const) {
      const config = path.join(root, 'bad-settings.json')
      writeFileSync(config, JSON.stringify(bad))
      const { code, output } = await cli('run', path.join(root, 'nothing-needed'), '--out', path.join(root, 'x'), '--config', config)
      expect(code).toBe(2)
      expect(output).toMatch(field)
      expect(output).toMatch(/bad-settings\.json: invalid pipeline config/)

      const folder = writeSeries(path.join(root, `manifest-${Math.random().toString(36).slice(2)}`, 'case'))
      writeFileSync(path.join(folder, 'case.json'), JSON.stringify({ config: bad }))
      const refused = await ingestRefused(path.dirname(folder), 'case/case.json')
      expect(refused.error.message).toMatch(/^case\/case\.json: invalid pipeline config: /)
      expect(refused.error.message).toMatch(field)
      expect(refused.report.error.message).toBe(refused.error.message)
    }
  })
})
