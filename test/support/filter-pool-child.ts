// Child process of test/filters/filter-threads.test.ts: warm the pool, run a kernel on it, print
// the result and simply return: the process must wait for the booting thread, then exit on its
// own although the pool's idle thread is still up.
import { filterThreadsStarted, runOnThreads, warmFilterThreads } from '../../src/filters/filter-threads.js'
import { squaresKernel, type SquaresArgs } from './filter-thread-kernels.js'

await warmFilterThreads(1)
const args: SquaresArgs = { out: new Float64Array(new SharedArrayBuffer(8 * 5000)), sync: new Int32Array(new SharedArrayBuffer(8)), block: 100 }
await runOnThreads({ module: new URL('./filter-thread-kernels.ts', import.meta.url).href, name: 'squaresKernel', args }, 2, squaresKernel)
console.log(JSON.stringify({ started: filterThreadsStarted(), last: args.out[4999], workerBlocks: args.sync[1] }))
