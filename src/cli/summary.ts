// The short human summary printed after a run.
import path from 'node:path'
import type { LocalRunSummary } from '../local/run-local.js'

export function formatSummary(summary: LocalRunSummary, out: string): string {
  const lines: string[] = []
  const processed = summary.cases.filter((c) => c.report.status === 'processed').length
  lines.push(`voxelflow: ${summary.cases.length} case(s), ${processed} processed, ${summary.cases.length - processed} failed, ${(summary.ms / 1000).toFixed(1)} s`)
  for (const { caseId, report } of summary.cases) {
    if (report.status === 'failed') {
      lines.push(`  ${caseId}: FAILED (${report.error?.kind}): ${report.error?.message}`)
      continue
    }
    const t = report.timings_ms
    const stages = ['prepare', 'chunks_sum', 'assemble', 'analyze', 'report'].map((s) => `${s.replace('_sum', '')} ${((t[s] ?? 0) / 1000).toFixed(1)}s`).join(', ')
    const grid = report.output_grid
    lines.push(`  ${caseId}: ${report.input?.modality} ${report.input?.size_voxels.join('x')} -> ${grid?.size_voxels.join('x')} @ ${grid?.spacing_mm[0].toFixed(3)} mm; ${report.labels.length} label(s) (${report.label_source}); ${stages}`)
    for (const label of report.labels) lines.push(`      ${String(label.value).padStart(3)} ${label.name.padEnd(24)} ${label.volume_ml.toFixed(2).padStart(10)} mL  mean ${label.intensity_mean.toFixed(1)}`)
    for (const w of report.warnings) lines.push(`      warning: ${w.message}`)
  }
  lines.push(`outputs: ${path.resolve(out)}/<case-id>/{image.nii.gz, labels.nii.gz, report.json, qc.png}`)
  return lines.join('\n')
}
