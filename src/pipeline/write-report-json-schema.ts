// npm run schema: regenerate report.schema.json from the zod schema.
import { writeFileSync } from 'node:fs'
import { reportJsonSchema } from './report-schema.js'

export const reportJsonSchemaFile = new URL('./report.schema.json', import.meta.url)

export function reportJsonSchemaText(): string {
  return JSON.stringify(reportJsonSchema(), null, 2) + '\n'
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(reportJsonSchemaFile, reportJsonSchemaText())
  console.log(`wrote ${reportJsonSchemaFile.pathname}`)
}
