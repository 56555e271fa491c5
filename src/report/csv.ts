// A small RFC 4180 CSV writer: records end with CRLF; a field is quoted when it holds a comma,
// a double quote, CR or LF (or starts/ends with a space, so no reader trims it), and quotes inside
// are doubled. null / undefined are empty fields; numbers use JavaScript's shortest round-trip
// form (no precision lost); booleans are true / false.
export type CsvValue = string | number | boolean | null | undefined

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'string' ? value : String(value)
  return /[",\r\n]|^ | $/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n'
}

/** Header + one record per row (columns in the given order; missing keys are empty fields). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  let out = csvRecord(columns)
  for (const row of rows) out += csvRecord(columns.map((c) => row[c]))
  return out
}

/** One JSON object per line, keys in column order, missing values as null. */
export function toJsonl(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  let out = ''
  for (const row of rows) {
    const o: Record<string, CsvValue> = {}
    for (const c of columns) o[c] = row[c] ?? null
    out += JSON.stringify(o) + '\n'
  }
  return out
}
