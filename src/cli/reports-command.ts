// `voxelflow reports <dir> --format csv|jsonl [--table labels|metrics|landmarks] [--out file]`: every
// report.json under <dir> (recursively), validated with the report schema, as one flat table
// (src/report/dataset-tables.ts). labels (default): one row per case x label, one row per case
// without labels (failed cases carry their error); metrics: one row per case x label of
// report.metrics; landmarks: one row per case x landmark.
// CSV is RFC 4180 (src/report/csv.ts); JSONL has the same columns, missing values null.
// A report that is not JSON or does not match the schema is bad input (exit 2), naming every such file.
import type { Command } from 'commander'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { BadInputError } from '../pipeline/errors.js'
import { toCsv, toJsonl } from '../report/csv.js'
import { loadReports } from '../report/dataset-table.js'
import { type DatasetTableName, datasetTableNames, datasetTables } from '../report/dataset-tables.js'
import type { CsvValue } from '../report/csv.js'

export type ReportsFormat = 'csv' | 'jsonl'

export interface ReportsFlags {
  format?: string
  table?: string
  out?: string
}

export interface ReportsResult {
  format: ReportsFormat
  table: DatasetTableName
  reports: number
  columns: readonly string[]
  rows: Record<string, CsvValue>[]
  out?: string
}

export async function runReportsCommand(
  dir: string,
  flags: ReportsFlags = {},
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<ReportsResult> {
  const format = (flags.format ?? 'csv').toLowerCase()
  if (format !== 'csv' && format !== 'jsonl') throw new BadInputError(`--format must be csv or jsonl (got "${flags.format}")`, { field: 'format' })
  const table = (flags.table ?? 'labels').toLowerCase() as DatasetTableName
  if (!datasetTableNames.includes(table)) throw new BadInputError(`--table must be ${datasetTableNames.join(', ')} (got "${flags.table}")`, { field: 'table' })
  const stat = await fs.stat(dir).catch(() => null)
  if (!stat?.isDirectory()) throw new BadInputError('not a directory', { file: dir })
  const { reports, invalid } = await loadReports(dir)
  if (invalid.length) {
    throw new BadInputError(
      `${invalid.length} invalid report file(s) under ${dir}:\n` + invalid.map((i) => `  ${i.path}: ${i.problem}`).join('\n'),
      { file: path.join(dir, invalid[0].path) },
    )
  }
  const { columns, rows: rowsOf } = datasetTables[table]
  const rows = reports.flatMap((found) => rowsOf(found))
  const text = format === 'csv' ? toCsv(columns, rows) : toJsonl(columns, rows)
  if (flags.out) {
    await fs.mkdir(path.dirname(path.resolve(flags.out)), { recursive: true })
    await fs.writeFile(flags.out, text)
  } else {
    write(text)
  }
  return { format, table, reports: reports.length, columns, rows, out: flags.out }
}

export function registerReportsCommand(program: Command): Command {
  program
    .command('reports')
    .description('one flat table over every report.json under a folder: a row per case x label, a row per case without labels ' +
      '(failed cases with their error), for pandas or Athena')
    .argument('<dir>', 'folder searched recursively for report.json files')
    .option('--format <format>', 'csv (RFC 4180) or jsonl', 'csv')
    .option('--table <table>', 'labels (a row per case x label), metrics (a row per case x label of report.metrics) or landmarks (a row per case x landmark)', 'labels')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (dir: string, flags: ReportsFlags) => {
      const result = await runReportsCommand(dir, flags)
      if (flags.out) console.error(`voxelflow: ${result.rows.length} row(s) from ${result.reports} report(s) -> ${flags.out}`)
    })
  return program
}
