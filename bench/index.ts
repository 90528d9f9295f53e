/**
 * `npm run bench`: runs every benchmark group and prints Markdown tables (the README quotes them).
 * Environment: BENCH_N (entries, default 1000000), BENCH_RUNS (repetitions per figure, default 5),
 * BENCH_SUITE (`storage`, `sql`, `txn`, `web`, comma-separated; default `storage,sql,txn`). The SQL and txn suites
 * have their own settings (bench/sql/index.ts, bench/txn/index.ts) and use BENCH_RUNS with a default of 3. The web
 * suite (bench/web.bench.ts) needs Chromium, like the e2e tests, and uses BENCH_RUNS with a default of 5.
 * The machine is shared and noisy: every figure is a median, and reference points run in the same process.
 */
import { cpus } from 'node:os'
import { printTable } from './support/measure.js'
import { runStorageBench } from './storage.bench.js'
import { runSqlBench } from './sql/index.js'
import { runTxnBench } from './txn/index.js'
import { runWasmCoreBench } from './wasm-core.bench.js'
import { runWebBench } from './web.bench.js'

const n = Number(process.env.BENCH_N ?? 1_000_000)
const runs = Number(process.env.BENCH_RUNS ?? 5)

console.log(`RustyDB benchmarks, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`)
console.log(`N = ${n}, median of ${runs} runs\n`)
const suites = (process.env.BENCH_SUITE ?? 'storage,sql,txn').split(',').map((s) => s.trim())
if (suites.includes('storage')) {
  printTable('Storage engine (KvStore over the WASM B+tree)', await runStorageBench(n, runs))
  printTable('WASM core (B+tree through WasmCore)', await runWasmCoreBench(n, runs))
}
if (suites.includes('sql')) await runSqlBench(Number(process.env.BENCH_RUNS ?? 3))
if (suites.includes('txn')) await runTxnBench(Number(process.env.BENCH_RUNS ?? 3))
if (suites.includes('web')) await runWebBench(runs)
