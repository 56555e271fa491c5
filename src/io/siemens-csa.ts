// Siemens CSA headers (private elements (0029,xx10) image and (0029,xx20) series): a list of named
// items, each a few text values. Layout as documented by nibabel's csareader and dcm2niix
// (csa2 = "SV10" + 4 bytes + tag count + 4 bytes; csa1 = tag count first). Each tag: name
// char[64], VM int32, VR char[4], SyngoDT int32, item count int32, 4 bytes; each item: 4 int32
// (the second its length), then the value padded to 4 bytes. Only the values are kept, as text.

export type CsaHeader = Map<string, string[]>

const maxTags = 1000
const maxItems = 1000

/** Parse a CSA header; undefined when the bytes are not one (a reader must then do without it). */
export function parseCsaHeader(bytes: Uint8Array): CsaHeader | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = (at: number, length: number) => {
    let s = ''
    for (let i = at; i < at + length && i < bytes.length && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i])
    return s
  }
  let at = text(0, 4) === 'SV10' ? 8 : 0
  if (at + 8 > bytes.length) return undefined
  const tags = view.getUint32(at, true)
  if (tags < 1 || tags > maxTags) return undefined
  at += 8
  const out: CsaHeader = new Map()
  for (let t = 0; t < tags; t++) {
    if (at + 84 > bytes.length) return undefined
    const name = text(at, 64)
    const items = view.getInt32(at + 76, true)
    at += 84
    if (items < 0 || items > maxItems) return undefined
    const values: string[] = []
    for (let i = 0; i < items; i++) {
      if (at + 16 > bytes.length) return undefined
      const length = view.getInt32(at + 4, true)
      at += 16
      if (length < 0 || at + length > bytes.length) return undefined
      values.push(text(at, length).trim())
      // Each value is padded to 4 bytes (csa1 and csa2 alike, as nibabel reads them).
      at += Math.ceil(length / 4) * 4
    }
    out.set(name, values.filter((v) => v !== ''))
  }
  return out
}

/** The numbers of a CSA item (empty when absent or not numeric). */
export function csaNumbers(csa: CsaHeader | undefined, name: string): number[] {
  const values = (csa?.get(name) ?? []).map(Number)
  return values.every(Number.isFinite) ? values : []
}
