// `voxelflow convert <archive>`: the sidecar and every message name the archive and its entries
// (case.zip!/ct/s-3.dcm), never the temporary folder it was unpacked to; --config's limits
// apply to the unpacking.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runConvertCommand } from '../../src/cli/convert-command.js'
import { BadInputError } from '../../src/pipeline/errors.js'
import { zipBytes } from './support/archive-writers.js'
import { series, writeSeries } from './support/small-dicom.js'
import { runCliInProcess } from '../support/run-cli-in-process.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'vf-convert-archive-'))
const zipOf = (folder: string, name: string, extra: { name: string; data: Buffer; deflate?: boolean }[] = []): string => {
  const zip = path.join(root, name)
  writeFileSync(zip, zipBytes([...readdirSync(folder).map((f) => ({ name: `ct/${f}`, data: readFileSync(path.join(folder, f)) })), ...extra]))
  return zip
}

const cli = runCliInProcess

describe('voxelflow convert <archive>', () => {
  it('names the archive as the source and its entries in warnings', async () => {
    const folder = writeSeries(path.join(root, 'dup'))
    writeFileSync(path.join(folder, 'copy-of-3.dcm'), readFileSync(path.join(folder, 's-3.dcm')))
    const zip = zipOf(folder, 'dup.zip')
    const { sidecar } = await runConvertCommand(zip, path.join(root, 'dup.nii.gz'))
    expect(sidecar.source).toBe(path.resolve(zip))
    expect(sidecar.geometry.size).toEqual([series.columns, series.rows, series.slices])
    expect(sidecar.warnings).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${zip.replace(/[.\\/]/g, '\\$&')}!/ct/s-3\\.dcm: SOP Instance UID .* already read from .*dup\\.zip!/ct/copy-of-3\\.dcm`))]))
    expect(JSON.stringify(sidecar)).not.toContain(os.tmpdir() + path.sep + 'voxelflow-archive-')
  })

  it('a bad series inside an archive is named by the archive', async () => {
    const zip = zipOf(writeSeries(path.join(root, 'no-position'), () => ({ omit: ['ImagePositionPatient'] })), 'no-position.zip')
    const error = await runConvertCommand(zip, path.join(root, 'np.nii.gz')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as Error).message).toMatch(new RegExp(`^${zip.replace(/[.\\/]/g, '\\$&')}: no usable image series`))
  })

  it('--config limits apply to unpacking: 16 MiB of zeros pass the default limit, not an 8 MiB one', async () => {
    const folder = writeSeries(path.join(root, 'padded'))
    const zip = zipOf(folder, 'padded.zip', [{ name: 'zeros.bin', data: Buffer.alloc(16 * 2 ** 20), deflate: true }])
    // The series' entries come first, so the budget at zeros.bin is their bytes plus 16 MiB.
    const upToZeros = readdirSync(folder).reduce((sum, f) => sum + readFileSync(path.join(folder, f)).length, 16 * 2 ** 20)
    const settings = path.join(root, 'settings.json')
    writeFileSync(settings, JSON.stringify({ limits: { max_decompressed_bytes: 8 * 2 ** 20 } }))

    expect((await cli('convert', zip, path.join(root, 'padded.nii.gz'))).code).toBe(0)
    const limited = await cli('convert', zip, path.join(root, 'padded-2.nii.gz'), '--config', settings)
    expect(limited.code).toBe(2)
    expect(limited.output).toContain(`padded.zip: inflated bytes up to entry "zeros.bin" (${upToZeros}) exceeds limits.max_decompressed_bytes = 8388608`)
    const invalid = path.join(root, 'invalid.json')
    writeFileSync(invalid, JSON.stringify({ limits: { max_decompressed_bytes: -1 } }))
    const refused = await cli('convert', zip, path.join(root, 'padded-3.nii.gz'), '--config', invalid)
    expect(refused.code).toBe(2)
    expect(refused.output).toMatch(/invalid\.json: invalid pipeline config: limits\.max_decompressed_bytes/)
  })
})
