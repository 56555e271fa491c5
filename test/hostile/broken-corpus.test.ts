// The hostile corpus of issue 9, generated here, each input through both front doors:
// - the CLI (`voxelflow run`, in this process): exit 2, the failure named with file and problem;
// - the cloud path (ingest -> state machine -> failure report, with folder buckets): a report
//   with status "failed", kind "bad_input", the same message; the input objects untouched.
// Each case must end within 5 s; the whole file within 500 MB peak RSS.
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.js'
import { ChunkPool } from '../../src/local/chunk-pool.js'
import { folderStores } from '../../src/local/folder-stores.js'
import { LocalStateMachine } from '../../src/local/local-state-machine.js'
import { localStageHandlers } from '../../src/local/stage-handlers.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { ingestObject } from '../../src/pipeline/ingest.js'
import { reportSchema } from '../../src/pipeline/report-schema.js'
import { readNifti } from '../../src/io/nifti.js'
import { tarBytes, zipBytes } from './support/archive-writers.js'
import { mutate, offsets, setF32, setI16, validNiftiBytes } from './support/broken-nifti.js'
import { cubeVolumeMl, ctSlice, series, writeSeries } from './support/small-dicom.js'
import { type SegBreak, cubeSeg, landmarkLps, landmarkSr } from './support/small-seg-sr.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'vf-corpus-'))
const settings = { limits: { max_decompressed_bytes: 8 * 2 ** 20, max_archive_entries: 50, max_labels: 20 } }
const configFile = path.join(root, 'settings.json')
let valid: Buffer

/** A case input: a file (NIfTI or archive) or a DICOM folder, written under `dir`. */
type Make = (dir: string) => Promise<string>

const gz = (b: Buffer) => zlib.gzipSync(b)
const file = (name: string, bytes: () => Buffer | Promise<Buffer>): Make => async (dir) => {
  const target = path.join(dir, name)
  writeFileSync(target, await bytes())
  return target
}
/** The phantom with a label map beside it, in one zip. */
const withLabels = (name: string, labels: () => Buffer): Make => file(name, () => zipBytes([{ name: 'ct.nii.gz', data: gz(valid) }, { name: 'ct.labels.nii.gz', data: gz(labels()) }]))
/** The phantom's header with whole-number float labels `valueOf(voxel index)`. */
const labelBytes = (valueOf: (i: number) => number): Buffer => {
  const labels = Buffer.from(valid)
  for (let i = 0; i < 120; i++) labels.writeFloatLE(valueOf(i), 352 + 4 * i)
  return labels
}
const dicomFolder = (name: string, change: Parameters<typeof writeSeries>[1]): Make => async (dir) => writeSeries(path.join(dir, name), change)
/** The valid series with a SEG of its cube beside it, broken by `change`. */
const withSeg = (name: string, change: SegBreak): Make => async (dir) => {
  const folder = writeSeries(path.join(dir, name))
  writeFileSync(path.join(folder, 'seg.dcm'), cubeSeg(change))
  return folder
}

const payload = Buffer.from('x'.repeat(4096))
let zeros: Buffer | undefined
/** One gzip member of 8 MiB of zeros (8 KiB compressed), made once. */
const zerosMember = () => (zeros ??= gz(Buffer.alloc(8 * 2 ** 20)))
const corpus: [string, Make, RegExp][] = [
  ['terabytes', file('terabytes.nii.gz', () => gz(mutate(valid, setI16(offsets.dim + 2, 30000), setI16(offsets.dim + 4, 30000), setI16(offsets.dim + 6, 30000)))), /terabytes\.nii\.gz: 30000 x 30000 x 30000 voxels .* exceeds limits\.max_voxels/],
  ['zero-spacing', file('zero-spacing.nii', () => mutate(valid, setF32(offsets.pixdim + 4, 0))), /zero-spacing\.nii: pixdim\[1\] \(voxel spacing\) is 0/],
  ['inf-affine', file('inf-affine.nii.gz', () => gz(mutate(valid, setI16(offsets.sformCode, 1), setF32(offsets.srow, Infinity)))), /inf-affine\.nii\.gz: srow_x\[0\] is Infinity/],
  ['vox-offset', file('vox-offset.nii', () => mutate(valid, setF32(offsets.voxOffset, 5e6))), /vox-offset\.nii: vox_offset 5000000 lies beyond the end of the file/],
  ['datatype', file('datatype.nii.gz', () => gz(mutate(valid, setI16(offsets.datatype, 3)))), /datatype\.nii\.gz: unknown datatype code 3/],
  ['four-d', file('four-d.nii.gz', () => gz(mutate(valid, setI16(offsets.dim, 4), setI16(offsets.dim + 8, 2)))), /four-d\.nii\.gz: 4D image \(dim\[4\] = 2\)/],
  ['nan-voxels', file('nan-voxels.nii.gz', () => gz(mutate(valid, setF32(352, NaN)))), /nan-voxels\.nii\.gz: 1 voxels are NaN or infinite \(first at voxel 0, 0, 0\)/],
  ['truncated', file('truncated.nii.gz', () => gz(valid.subarray(0, 500))), /truncated\.nii\.gz: truncated: the header promises 120 voxels/],
  ['nifti-bomb', file('nifti-bomb.nii.gz', () => gz(Buffer.concat([mutate(valid, setI16(offsets.dim + 2, 200), setI16(offsets.dim + 4, 200), setI16(offsets.dim + 6, 200)), Buffer.alloc(1 << 20)]))), /nifti-bomb\.nii\.gz: header and voxel data bytes \(32000352\) exceeds limits\.max_decompressed_bytes = 8388608/],
  ['traversal', file('traversal.zip', () => zipBytes([{ name: '../../outside.dcm', data: payload }])), /traversal\.zip: entry "\.\.\/\.\.\/outside\.dcm" climbs out of the archive/],
  ['absolute', file('absolute.tar', () => tarBytes([{ name: '/etc/cron.d/evil', data: payload }])), /absolute\.tar: entry "\/etc\/cron\.d\/evil" is an absolute path/],
  ['symlink', file('symlink.tar.gz', () => tarBytes([{ name: 'ct', type: 'symlink', linkname: '/' }], true)), /symlink\.tar\.gz: entry "ct" is a symbolic link/],
  ['hardlink', file('hardlink.tar', () => tarBytes([{ name: 'a.dcm', data: payload }, { name: 'b.dcm', type: 'link', linkname: '/etc/shadow' }])), /hardlink\.tar: entry "b\.dcm" is a hard link/],
  ['many-entries', file('many-entries.zip', () => zipBytes(Array.from({ length: 60 }, (_, i) => ({ name: `f${i}.dcm`, data: payload })))), /many-entries\.zip: 60 entries exceed limits\.max_archive_entries = 50/],
  ['zip-bomb', file('zip-bomb.zip', () => zipBytes([{ name: 'zeros.dcm', data: Buffer.alloc(16 * 2 ** 20), deflate: true }])), /zip-bomb\.zip: inflated bytes up to entry "zeros\.dcm" \(16777216\) exceeds limits\.max_decompressed_bytes = 8388608/],
  ['tar-bomb', file('tar-bomb.tar.gz', async () => Buffer.concat([await tarBytes([{ name: 'a.dcm', data: payload }], true), ...Array.from({ length: 16 }, zerosMember)])), /tar-bomb\.tar\.gz: inflated archive stream bytes .* exceeds limits\.max_decompressed_bytes = 8388608/],
  ['labels-elsewhere', withLabels('labels-elsewhere.zip', () => mutate(labelBytes((i) => i % 2), setI16(offsets.sformCode, 0), setI16(offsets.qformCode, 1), setF32(offsets.quatern + 12, 5000))), /labels-elsewhere\.zip!\/ct\.labels\.nii\.gz: the label map does not overlap the image/],
  ['labels-float', withLabels('labels-float.zip', () => mutate(labelBytes((i) => i % 2), setF32(352 + 4 * 7, 0.5))), /labels-float\.zip!\/ct\.labels\.nii\.gz: a label map needs whole-number labels; voxel 7 holds 0\.5/],
  ['labels-too-many', withLabels('labels-too-many.zip', () => labelBytes((i) => i % 30)), /labels-too-many\.zip!\/ct\.labels\.nii\.gz: distinct label values \(more than 20\) exceeds limits\.max_labels = 20/],
  ['no-pixel-spacing', dicomFolder('no-pixel-spacing', () => ({ omit: ['PixelSpacing'] })), /no-pixel-spacing\/s-1\.dcm: no Pixel Spacing \(0028,0030\)/],
  ['seg-other-series', withSeg('seg-other-series', { referencedSeriesUid: '1.2.826.0.1.3680043.8.498.7777' }), /seg-other-series\/seg\.dcm: the SEG references series 1\.2\.826\.0\.1\.3680043\.8\.498\.7777, which is not in the case \(its image series is 1\.2\.826\.0\.1\.3680043\.8\.498\.9001\)/],
  // Frames on slices 1..4; slice 2's source image (frame 2) is an instance nobody uploaded.
  ['seg-missing-image', withSeg('seg-missing-image', { sliceUid: (k) => `1.2.826.0.1.3680043.8.498.9001.${k === 2 ? 99 : k + 1}` }), /seg-missing-image\/seg\.dcm: frame 2 is derived from image 1\.2\.826\.0\.1\.3680043\.8\.498\.9001\.99, which is not in series 1\.2\.826\.0\.1\.3680043\.8\.498\.9001/],
  // Shifted 6.5 mm up, the frames of slices 1..4 sit at z 7.5..10.5 mm; the image ends at slice 5 (z 5 mm, edge 5.5).
  ['seg-outside', withSeg('seg-outside', { zShiftMm: 6.5 }), /seg-outside\/seg\.dcm: 4 of 4 frames lie outside the image \(frame 1 at -8\.0, -8\.0, 7\.5 mm LPS; the image covers slices 0\.\.5\)/],
  ['no-position', dicomFolder('no-position', () => ({ omit: ['ImagePositionPatient'] })), /no-position\/s-1\.dcm: no usable image series; found .* \(no Image Position\/Orientation Patient\)/],
]

const sha = (p: string): string => {
  const stat = statSync(p)
  if (stat.isFile()) return createHash('sha256').update(readFileSync(p)).digest('hex')
  return readdirSync(p).sort().map((e) => `${e}:${sha(path.join(p, e))}`).join(',')
}

function reportsUnder(dir: string): Record<string, unknown>[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('report.json')).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
}

async function cli(...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')))
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')))
  try {
    process.exitCode = 0
    await main(['node', 'voxelflow', ...args])
    return { code: Number(process.exitCode ?? 0), output: lines.join('\n') }
  } finally {
    process.exitCode = 0
    log.mockRestore()
    error.mockRestore()
  }
}

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

  it('a valid SEG and SR are used; an SR of another template or without points leaves a warning and no landmarks', async () => {
    type Processed = { status: string; label_source: string; labels: { value: number; volume_ml: number }[]; landmarks: { name: string; lps_mm: number[] }[]; warnings: { code: string; message: string }[] }
    const variants: [string, Buffer, RegExp | undefined][] = [
      ['sr-valid', landmarkSr(), undefined],
      // TID 10011 is the CT Radiation Dose report scanners put beside a series.
      ['sr-dose', landmarkSr({ change: (d) => void ((d.ContentTemplateSequence as { TemplateIdentifier: string }[])[0].TemplateIdentifier = '10011') }), /^sr_ignored: (hostile\/)?sr-dose\/sr\.dcm: structured report with template TID 10011, not an Imaging Measurement Report \(TID 1500\); no landmarks read from it$/],
      ['sr-no-points', landmarkSr({ points: false }), /^sr_no_points: (hostile\/)?sr-no-points\/sr\.dcm: the TID 1500 report holds no SCOORD3D POINT or MULTIPOINT; no landmarks$/],
    ]
    for (const [name, sr, warning] of variants) {
      const folder = writeSeries(path.join(root, name))
      writeFileSync(path.join(folder, 'seg.dcm'), cubeSeg())
      writeFileSync(path.join(folder, 'sr.dcm'), sr)
      const lines = await cli('run', folder, '--out', path.join(root, `${name}-out`), '--workers', '0', '--no-progress', '--json')
      expect(lines.code).toBe(0)
      const reports = [JSON.parse(readFileSync(path.join(root, `${name}-out`, name, 'report.json'), 'utf8')), ...(await throughIngest(folder, path.join(root, `${name}-cloud`)))] as Processed[]
      for (const report of reports) {
        expect(report.status).toBe('processed')
        expect(report.label_source).toBe('reference')
        expect(report.labels.find((l) => l.value === 1)!.volume_ml).toBeCloseTo(cubeVolumeMl, 6)
        const warnings = report.warnings.map((w) => `${w.code}: ${w.message}`)
        if (warning) {
          expect(report.landmarks).toEqual([])
          expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(warning)]))
        } else {
          expect(report.landmarks.map((l) => [l.name, ...l.lps_mm])).toEqual([['cube corner', ...landmarkLps]])
          expect(warnings.filter((w) => /^sr_/.test(w))).toEqual([])
        }
      }
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
