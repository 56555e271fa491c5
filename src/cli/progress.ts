// Progress on a terminal: one bar for cases, the current case's stage and chunk count beside it.
import cliProgress from 'cli-progress'
import type { ProgressEvent } from '../local/run-local.js'

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { onProgress: undefined, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    { format: 'cases {bar} {value}/{total} | {caseId}: {stage} {chunks}', hideCursor: true, stream, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  )
  let done = 0
  let chunks = 0
  const onProgress = (event: ProgressEvent) => {
    if (event.type === 'cases') bar.start(event.caseIds.length, 0, { caseId: '', stage: '', chunks: '' })
    else if (event.type === 'stage') {
      if (event.stage === 'Prepare') chunks = 0
      bar.update(done, { caseId: event.caseId, stage: event.stage, chunks: '' })
    } else if (event.type === 'chunk-done') bar.update(done, { chunks: `(${++chunks} chunks done)` })
    else if (event.type === 'case-done') bar.update(++done, { stage: event.status, chunks: '' })
  }
  return { onProgress, stop: () => bar.stop() }
}
