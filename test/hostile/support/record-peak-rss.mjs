// Preloaded into a child `voxelflow` process (node --import): when it exits, write its exit code
// and peak resident set size (getrusage ru_maxrss) to the file named by VOXELFLOW_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs'

process.on('exit', (code) => {
  const file = process.env.VOXELFLOW_PEAK_RSS_FILE
  if (file) writeFileSync(file, JSON.stringify({ exitCode: code, peakRssBytes: process.resourceUsage().maxRSS * 1024 }))
})
