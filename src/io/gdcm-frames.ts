// GDCM (itk-wasm) as a frame codec only: the compressed fragments go into a temporary minimal
// multi-frame file (pixel module only: no rescale, no geometry), so GDCM returns the stored
// values of every frame in stored order, untouched. Why: read directly, ITK would apply the
// first frame's rescale to every frame, while enhanced frames carry their own.
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom'
import dcmjs from 'dcmjs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { BadInputError, errorMessage } from '../pipeline/errors.js'
import { withQuietStdout } from './quiet-wasm-stdout.js'

/** Geometry and bit layout of the frames of one multi-frame Pixel Data element. */
export interface FrameLayout {
  rows: number
  columns: number
  frames: number
  bitsAllocated: number
  bitsStored: number
  pixelRepresentation: number
}

/** Stored values of all frames as native little-endian bytes. */
export async function decodeFramesWithGdcm(fragments: ArrayBuffer[], syntax: string, layout: FrameLayout, file: string): Promise<Uint8Array> {
  const uid = '2.25.1'
  const element = (vr: string, value: unknown) => ({ vr, Value: [value] })
  const dicom = new dcmjs.data.DicomDict({
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': element('UI', '1.2.840.10008.5.1.4.1.1.7.3'),
    '00020003': element('UI', uid),
    '00020010': element('UI', syntax),
  })
  dicom.dict = {
    '00080016': element('UI', '1.2.840.10008.5.1.4.1.1.7.3'),
    '00080018': element('UI', uid),
    '00280002': element('US', 1),
    '00280004': element('CS', 'MONOCHROME2'),
    '00280008': element('IS', String(layout.frames)),
    '00280010': element('US', layout.rows),
    '00280011': element('US', layout.columns),
    '00280100': element('US', layout.bitsAllocated),
    '00280101': element('US', layout.bitsStored),
    '00280102': element('US', layout.bitsStored - 1),
    '00280103': element('US', layout.pixelRepresentation),
    '7FE00010': { vr: 'OB', Value: fragments },
  }
  const folder = await mkdtemp(path.join(os.tmpdir(), 'voxelflow-frames-'))
  try {
    const copy = path.join(folder, 'frames.dcm')
    await writeFile(copy, new Uint8Array(dicom.write({ fragmentMultiframe: false })))
    const { outputImage } = await withQuietStdout(() => readImageDicomFileSeriesNode({ inputImages: [copy], singleSortedSeries: true }))
    const values = outputImage.data as unknown as ArrayLike<number>
    const count = layout.rows * layout.columns * layout.frames
    if (values?.length !== count) throw new Error(`${values?.length ?? 0} values decoded, ${count} expected`)
    const out = layout.bitsAllocated === 8 ? new Uint8Array(count) : layout.bitsAllocated === 16 ? new Uint16Array(count) : new Uint32Array(count)
    for (let i = 0; i < count; i++) out[i] = values[i] // two's complement bits kept; the caller sign-extends
    return new Uint8Array(out.buffer)
  } catch (error) {
    throw new BadInputError(`pixel data in transfer syntax ${syntax} cannot be decoded: ${errorMessage(error)}`, { file, field: 'TransferSyntaxUID' })
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
