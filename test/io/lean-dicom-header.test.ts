// The lean DICOM header reader against the dcmjs-based reader (the reference) on real files of
// several vendors and syntaxes, plus facts from ../shared/data/README.md.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readDicomHeaderWithDcmjs } from '../../src/io/dcmjs-dicom-header.js'
import { readDicomAcquisition } from '../../src/io/dicom-acquisition.js'
import { readDicomHeader } from '../../src/io/dicom-header.js'
import { readLeanDataset } from '../../src/io/lean-dicom-parse.js'
import { readNaturalizedHeader } from '../../src/io/dcmjs-parser.js'
import { dataPath } from '../support/paths.js'

const filesUnder = (folder: string) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort()

// Uncompressed real series the lean reader must handle itself (Implicit and Explicit VR LE).
const leanFolders = {
  'ct-chest-141 (implicit VR, Philips)': dataPath('ct-chest-141'),
  'ct-liver-ffs (implicit VR, GE, FFS)': dataPath('ct-liver-ffs'),
  'ct-head-tilt-ge (explicit VR, GE, tilt)': dataPath('ct-head-tilt-ge'),
  'mr-sagittal (explicit VR, Siemens mosaics and 2D)': dataPath('mr-sagittal', 'In'),
}

describe('lean DICOM header reader', () => {
  for (const [name, folder] of Object.entries(leanFolders)) {
    it(`reads every file of ${name} itself, with the dcmjs reader's header and acquisition`, async () => {
      const files = filesUnder(folder).filter((f) => f.endsWith('.dcm') || !path.extname(f))
      expect(files.length).toBeGreaterThan(2)
      for (const file of files) {
        expect(readLeanDataset(file), file).toBeDefined()
        expect(await readDicomHeader(file), file).toEqual(await readDicomHeaderWithDcmjs(file))
      }
      // The acquisition attributes of the first file, against dcmjs read directly.
      const { dataset } = await readNaturalizedHeader(files[0])
      const acquisition = await readDicomAcquisition(files[0])
      expect(acquisition.sliceThickness).toBe(dataset.SliceThickness === undefined ? undefined : Number(dataset.SliceThickness))
      expect(acquisition.manufacturer).toBe(dataset.Manufacturer || undefined)
      expect(acquisition.seriesNumber).toBe(dataset.SeriesNumber === undefined ? undefined : Number(dataset.SeriesNumber))
    })
  }

  it('gives the README facts of ct-chest-141 and ct-liver-ffs', async () => {
    const chest = await readDicomHeader(dataPath('ct-chest-141', '00-slice000.dcm'))
    expect(chest.imagePositionPatient).toEqual([-250, -164, 115.5])
    expect(chest.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0])
    expect(chest.pixelSpacing).toEqual([0.9765625, 0.9765625])
    expect(chest.pixelFormat).toMatchObject({ transferSyntaxUid: '1.2.840.10008.1.2', bitsStored: 12, pixelRepresentation: 0, rescaleIntercept: -1024 })
    expect(chest.pixelData?.declaredBytes).toBe(512 * 512 * 2)
    const chestAcquisition = await readDicomAcquisition(dataPath('ct-chest-141', '00-slice000.dcm'))
    expect(chestAcquisition).toMatchObject({ spacingBetweenSlices: -2, seriesNumber: 10230, patientPosition: 'HFS', sliceThickness: 2 })

    const liver = await readDicomAcquisition(dataPath('ct-liver-ffs', '01.dcm'))
    // Implicit VR: PixelPaddingValue comes as US 63536 and is -2000 for signed pixels.
    expect(liver).toMatchObject({ patientPosition: 'FFS', pixelPaddingValue: -2000, rescaleIntercept: -1024, rescaleSlope: 1 })
    const tilt = await readDicomAcquisition(dataPath('ct-head-tilt-ge', '01.dcm'))
    expect(tilt).toMatchObject({ gantryDetectorTilt: 18.5, pixelPaddingValue: -1500, manufacturer: 'GE MEDICAL SYSTEMS' })
  })

  it('leaves compressed, enhanced, SEG and SR files to dcmjs', () => {
    const others = [
      ...filesUnder(dataPath('ct-abdomen-dicom')).slice(0, 2), // JPEG 2000
      ...filesUnder(dataPath('mr-enhanced', 'In')), // enhanced multi-frame
      dataPath('ct-liver-ffs.seg.dcm'),
    ]
    for (const file of others) expect(readLeanDataset(file), file).toBeUndefined()
  })
})
