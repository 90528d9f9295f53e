/**
 * One engine at one size in its own process: `node --expose-gc --import tsx bench/sql/child.ts <engine> <rows> <runs>`.
 * Owns: building the data set, opening the engine, running the workloads, and printing one result line.
 * Invariants:
 *   (1) The last stdout line starting with RESULT_MARKER (workloads.ts) is the JSON `ChildResult`; progress goes
 *       to stderr. Nothing imports this file: it runs on import.
 *   (2) One engine per process: no other engine is imported (engines.ts (3)), so JIT and memory start fresh.
 * Not here: spawning and printing (index.ts).
 */
import { makeSqlDataset } from './dataset.js'
import { ENGINE_NAMES, type EngineName, openEngine } from './engines.js'
import { type ChildResult, RESULT_MARKER, runWorkloads } from './workloads.js'

const [engineArg, rowsArg, runsArg] = process.argv.slice(2)
if (!ENGINE_NAMES.includes(engineArg as EngineName)) throw new Error(`unknown engine ${engineArg}`)
const engineName = engineArg as EngineName
const n = Number(rowsArg)
const runs = Number(runsArg)
const log = (line: string): void => {
  process.stderr.write(`  [${engineName} ${n}] ${line}\n`)
}

let result: ChildResult
const data = makeSqlDataset(n)
const start = performance.now()
try {
  const engine = await openEngine(engineName)
  const openMs = performance.now() - start
  log(`open: ${openMs.toFixed(0)} ms`)
  const results = await runWorkloads(engine, data, runs, log)
  await engine.close()
  result = { engine: engineName, n, openMs, results }
} catch (err) {
  result = { engine: engineName, n, openMs: performance.now() - start, results: [], error: String((err as Error)?.message ?? err) }
}
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`)
process.exit(0)
