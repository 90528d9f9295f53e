/**
 * `npm run bench`: runs every benchmark group and prints Markdown tables (the README quotes them).
 * Environment: BENCH_N (entries, default 1000000), BENCH_RUNS (repetitions per figure, default 5).
 * The machine is shared and noisy: every figure is a median, and reference points run in the same process.
 */
import { cpus } from 'node:os'
import { printTable } from './support/measure.js'
import { runStorageBench } from './storage.bench.js'

const n = Number(process.env.BENCH_N ?? 1_000_000)
const runs = Number(process.env.BENCH_RUNS ?? 5)

console.log(`RustyDB benchmarks, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`)
console.log(`N = ${n}, median of ${runs} runs\n`)
printTable('Storage engine (KvStore over the WASM B+tree)', await runStorageBench(n, runs))
