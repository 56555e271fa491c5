// CPU time per thread of a running child process, from /proc/<pid>/task/<tid>/stat (Linux):
// sampled while the child runs (a thread's last sample before it exits is kept), so a
// benchmark can say how many threads a run really kept busy, not only its total CPU time.
import { readdirSync, readFileSync } from 'node:fs'

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux the benchmark runs on. */
const ticksPerSecond = 100

export interface ThreadCpu {
  name: string
  cpu_ms: number
}

export class ThreadUsageSampler {
  private readonly threads = new Map<number, ThreadCpu>()
  private readonly timer: NodeJS.Timeout

  constructor(private readonly pid: number, intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs)
  }

  /** Stop sampling (after one last sample) and return every thread seen, busiest first. */
  stop(): ThreadCpu[] {
    this.sample()
    clearInterval(this.timer)
    return [...this.threads.values()].sort((a, b) => b.cpu_ms - a.cpu_ms)
  }

  private sample(): void {
    let tids: string[]
    try {
      tids = readdirSync(`/proc/${this.pid}/task`)
    } catch {
      return // the process has exited
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'utf8')
        // "tid (comm) state ...": comm may hold spaces, the fields after it do not
        const close = stat.lastIndexOf(')')
        const name = stat.slice(stat.indexOf('(') + 1, close)
        const fields = stat.slice(close + 2).split(' ')
        const ticks = Number(fields[11]) + Number(fields[12]) // utime + stime (fields 14, 15)
        this.threads.set(Number(tid), { name, cpu_ms: Math.round((ticks * 1000) / ticksPerSecond) })
      } catch {
        // the thread exited between readdir and read: its previous sample stands
      }
    }
  }
}

/**
 * Threads that were busy for at least `share` of the wall time, and the average number of
 * cores in use (total CPU / wall).
 */
export function busyThreads(threads: ThreadCpu[], wallMs: number, share = 0.2) {
  const busy = threads.filter((t) => t.cpu_ms >= share * wallMs)
  const total = threads.reduce((a, t) => a + t.cpu_ms, 0)
  return {
    busy_threads: busy.length,
    busy_share_threshold: share,
    average_cores_in_use: Number((total / wallMs).toFixed(2)),
    threads: threads.filter((t) => t.cpu_ms >= 100).map((t) => `${t.name}: ${t.cpu_ms} ms`),
  }
}
