/**
 * SQL benchmark: the same workloads on RustyDB, sql.js (SQLite), PGlite (PostgreSQL) and DuckDB-WASM, one engine
 * at a time, each in a fresh child process, plus cold start and the gzipped browser download (issue #3).
 * Owns: spawning children, medians, ratios against the best peer, targets, and the printed Markdown tables.
 * Environment: BENCH_RUNS (timed runs per figure, default 3), BENCH_SQL_ROWS (comma-separated table sizes,
 * default "100000,1000000"), BENCH_SQL_ENGINES (comma-separated subset of rustydb,sqljs,pglite,duckdb),
 * BENCH_SQL_COLD_RUNS (cold-start samples per engine, default 5).
 * Invariants:
 *   (1) One child process per engine and size (child.ts); engines never share a process, JIT state or heap.
 *   (2) Errors, mismatches and partial runs are printed beside the figures, never hidden (workloads.ts (1)-(3)).
 *   (3) Ratios are RustyDB's median over the best peer's median of the same workload in the same run, oriented
 *       so that above 1x means RustyDB is better (faster, or smaller for the download and cold start).
 * Not here: the storage benchmark (bench/storage.bench.ts).
 */
import { execFileSync, spawn } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { downloadSizes, rustyDbNodeBundle } from './bundles.js'
import { ENGINE_LABELS, ENGINE_NAMES, type EngineName } from './engines.js'
import { type ChildResult, LIMITS, RESULT_MARKER, type WorkloadId, type WorkloadResult } from './workloads.js'
import { formatRate, median } from '../support/measure.js'

const HERE = new URL('.', import.meta.url).pathname
const ROOT = join(HERE, '../..')
const CHILD_TIMEOUT_MS = 12 * 60_000

interface WorkloadInfo {
  readonly label: string
  readonly unit: string
  /** RustyDB's target from issue #3, in the unit's rate. */
  readonly target?: number
  /** Also: within 2x of DuckDB-WASM (issue #3). */
  readonly nearDuckDb?: boolean
}

const INFO: Record<WorkloadId, WorkloadInfo> = {
  insert: { label: 'bulk insert (one transaction, prepared)', unit: 'rows/s', target: 500_000 },
  select: { label: 'point select by primary key (prepared, random keys)', unit: 'selects/s', target: 200_000 },
  update: { label: 'point update by primary key (autocommit)', unit: 'updates/s', target: 100_000 },
  scan: { label: 'filtered scan, count + sum (`a > x AND c < y`)', unit: 'rows scanned/s', target: 30_000_000, nearDuckDb: true },
  groupBy: { label: 'GROUP BY g (1,000 groups), count + sum', unit: 'rows/s', target: 10_000_000, nearDuckDb: true },
  join: { label: 'hash join t JOIN u ON k (t: n rows, u: n/10)', unit: 'probe rows/s', target: 5_000_000, nearDuckDb: true },
  orderBy: { label: 'ORDER BY a DESC, id LIMIT 10', unit: 'rows/s', target: 20_000_000 },
  load: { label: 'reference: load t + u (multi-row INSERT, 1,000 rows each, one transaction; DuckDB: read_csv)', unit: 'rows/s' },
}
const ORDER: WorkloadId[] = ['insert', 'select', 'update', 'scan', 'groupBy', 'join', 'orderBy', 'load']
const COLD_START_TARGET_MS = 20

/** The commit the figures belong to, and whether engine/ differs from it (other work in progress). */
function engineVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'engine', 'assembly'], { cwd: ROOT, encoding: 'utf8' }).trim()
    return `commit ${head}${dirty ? ' with uncommitted changes in engine/ or assembly/' : ''}`
  } catch {
    return 'commit unknown (no git)'
  }
}

function envList(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function runChild(args: string[], timeoutMs: number, onStderr: boolean): Promise<{ stdout: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', onStderr ? 'inherit' : 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ stdout: stdout + (stderr ? `\n${stderr}` : ''), code, timedOut })
    })
  })
}

async function runEngine(engine: EngineName, n: number, runs: number): Promise<ChildResult> {
  const args = ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', join(HERE, 'child.ts'), engine, String(n), String(runs)]
  const { stdout, code, timedOut } = await runChild(args, CHILD_TIMEOUT_MS, true)
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER))
  if (line !== undefined) return JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult
  const why = timedOut ? `timed out after ${CHILD_TIMEOUT_MS / 60_000} min` : `child exited with code ${code}`
  return { engine, n, openMs: NaN, results: [], error: `${why}: ${stdout.slice(-300)}` }
}

function cell(r: WorkloadResult | undefined): string {
  if (r === undefined) return 'not run'
  if (r.error !== undefined) return 'ERROR'
  if (r.rates.length === 0) return '-'
  return `${formatRate(median(r.rates))}${r.mismatch ? ' **WRONG**' : ''}${r.note ? ' (partial)' : ''}`
}

function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(0)} KB`
}

/** Runs the SQL suite and prints its tables; returns the Markdown. */
export async function runSqlBench(runs: number): Promise<string> {
  const tiers = envList('BENCH_SQL_ROWS', '100000,1000000').map(Number)
  const engines = envList('BENCH_SQL_ENGINES', ENGINE_NAMES.join(',')) as EngineName[]
  const coldRuns = Number(process.env.BENCH_SQL_COLD_RUNS ?? 5)
  for (const e of engines) if (!ENGINE_NAMES.includes(e)) throw new Error(`BENCH_SQL_ENGINES: unknown engine ${e}`)
  const peers = engines.filter((e) => e !== 'rustydb')
  const out: string[] = []
  const print = (text: string): void => {
    console.log(text)
    out.push(text)
  }
  const started = performance.now()
  print(`## SQL benchmark: ${engines.map((e) => ENGINE_LABELS[e]).join(', ')}`)
  print('')
  print(`RustyDB at ${engineVersion()}; ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}.`)
  print('')
  print(
    `Median of ${runs} timed runs per figure (BENCH_RUNS); above ${LIMITS.bigTier.toLocaleString('en')} rows the prepared insert runs once. ` +
      `Every workload first runs untimed for about ${LIMITS.warmupMs / 1000} s (analytical queries at least once, at most ${LIMITS.warmupMaxRuns} times; every engine alike), ` +
      `with one full GC before it and none between the timed runs; the first untimed run of each analytical query is shown separately (cold). Per-row workloads stop at ${LIMITS.insertBudgetMs / 1000} s (insert) / ` +
      `${LIMITS.pointBudgetMs / 1000} s (point select: at most ${LIMITS.maxSelects.toLocaleString('en')}, update: at most ` +
      `${LIMITS.maxUpdates.toLocaleString('en')} per run). "vs best peer" is RustyDB / best peer (above 1x: RustyDB is faster).`,
  )
  print('')

  for (const n of tiers) {
    const results = new Map<EngineName, ChildResult>()
    const loads: string[] = []
    for (const engine of engines) {
      console.error(`sql bench: ${ENGINE_LABELS[engine]}, ${n} rows (load average ${loadavg()[0].toFixed(1)})`)
      const before = loadavg()[0]
      results.set(engine, await runEngine(engine, n, runs))
      loads.push(`${ENGINE_LABELS[engine]} ${before.toFixed(1)}..${loadavg()[0].toFixed(1)}`)
    }
    const get = (e: EngineName, id: WorkloadId): WorkloadResult | undefined => results.get(e)?.results.find((r) => r.id === id)
    const lines = [
      `### ${n.toLocaleString('en')} rows`,
      '',
      `| workload | unit | ${engines.map((e) => ENGINE_LABELS[e]).join(' | ')} | RustyDB vs best peer | RustyDB target (issue #3) |`,
      `|---|---|${engines.map(() => '---:|').join('')}---|---|`,
    ]
    const notes: string[] = []
    for (const id of ORDER) {
      const info = INFO[id]
      const rusty = get('rustydb', id)
      const rustyMedian = rusty && rusty.error === undefined && rusty.rates.length > 0 && !rusty.mismatch ? median(rusty.rates) : undefined
      let best: { engine: EngineName; rate: number } | undefined
      for (const p of peers) {
        const r = get(p, id)
        if (r === undefined || r.error !== undefined || r.rates.length === 0 || r.mismatch) continue
        const m = median(r.rates)
        if (best === undefined || m > best.rate) best = { engine: p, rate: m }
      }
      const ratio = rustyMedian !== undefined && best !== undefined ? `${(rustyMedian / best.rate).toFixed(2)}x (${ENGINE_LABELS[best.engine]})` : '-'
      let target = ''
      if (info.target !== undefined) {
        target = `${formatRate(info.target)}/s: ${rustyMedian !== undefined && rustyMedian >= info.target ? 'met' : '**not met**'}`
        const duck = get('duckdb', id)
        if (info.nearDuckDb && duck && duck.rates.length > 0 && !duck.error) {
          const ok = rustyMedian !== undefined && rustyMedian * 2 >= median(duck.rates)
          target += `; within 2x of DuckDB: ${ok ? 'met' : '**not met**'}`
        }
      }
      lines.push(`| ${info.label} | ${info.unit} | ${engines.map((e) => cell(get(e, id))).join(' | ')} | ${ratio} | ${target} |`)
      for (const e of engines) {
        const r = get(e, id)
        if (r?.error) notes.push(`- ${ENGINE_LABELS[e]}, ${info.label}: ERROR ${r.error}`)
        if (r?.mismatch) notes.push(`- **MISMATCH** ${ENGINE_LABELS[e]}, ${info.label}: ${r.mismatch}`)
        if (r?.note) notes.push(`- ${ENGINE_LABELS[e]}, ${info.label}: partial, ${r.note}`)
      }
    }
    for (const e of engines) {
      const r = results.get(e)
      if (r?.error) notes.push(`- ${ENGINE_LABELS[e]}: the child process failed: ${r.error}`)
    }
    const cold = ORDER.filter((id) => engines.some((e) => get(e, id)?.first !== undefined))
    if (cold.length > 0) {
      notes.push(
        `- first run of each analytical query (cold JIT and caches; RustyDB decodes the rows and fills its column cache), ${INFO[cold[0]].unit}: ` +
          cold.map((id) => `${id} ${engines.map((e) => `${ENGINE_LABELS[e]} ${formatRate(get(e, id)?.first ?? NaN)}`).join(' / ')}`).join('; '),
      )
    }
    notes.push(`- open (import + in-memory database, in the benchmark process): ${engines.map((e) => `${ENGINE_LABELS[e]} ${Math.round(results.get(e)?.openMs ?? NaN)} ms`).join(', ')}`)
    notes.push(`- 1-minute load average before..after each engine (2 cores): ${loads.join(', ')}`)
    print([...lines, '', ...notes, ''].join('\n'))
  }

  // Cold start: fresh `node` processes, plain JS (cold-start.mjs).
  console.error('sql bench: cold start')
  const bundle = await rustyDbNodeBundle()
  const cold: string[] = [
    '### Cold start: fresh Node process, import + open in memory + first query result',
    '',
    `| engine | median | min..max | incl. Node's own start (median) | samples |`,
    '|---|---:|---|---:|---:|',
  ]
  const coldMedians = new Map<EngineName, number>()
  const coldNotes: string[] = []
  for (const engine of engines) {
    const ms: number[] = []
    const total: number[] = []
    for (let i = 0; i < coldRuns; i++) {
      const { stdout, code } = await runChild([join(HERE, 'cold-start.mjs'), engine, bundle], 120_000, false)
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (line === undefined) {
        coldNotes.push(`- ${ENGINE_LABELS[engine]}: cold start failed (exit ${code}): ${stdout.slice(-200).replace(/\s+/g, ' ')}`)
        break
      }
      const sample = JSON.parse(line) as { ms: number; sinceProcessStart: number }
      ms.push(sample.ms)
      total.push(sample.sinceProcessStart)
    }
    if (ms.length === 0) {
      cold.push(`| ${ENGINE_LABELS[engine]} | ERROR | | | 0 |`)
      continue
    }
    coldMedians.set(engine, median(ms))
    cold.push(
      `| ${ENGINE_LABELS[engine]} | ${median(ms).toFixed(0)} ms | ${Math.min(...ms).toFixed(0)}..${Math.max(...ms).toFixed(0)} ms | ${median(total).toFixed(0)} ms | ${ms.length} |`,
    )
  }
  const bestCold = Math.min(...peers.map((p) => coldMedians.get(p) ?? Infinity))
  const rustyCold = coldMedians.get('rustydb')
  if (rustyCold !== undefined && Number.isFinite(bestCold)) {
    coldNotes.push(
      `- RustyDB vs best peer: ${(bestCold / rustyCold).toFixed(2)}x (above 1x: RustyDB starts faster); target under ${COLD_START_TARGET_MS} ms: ${rustyCold < COLD_START_TARGET_MS ? 'met' : '**not met**'}`,
    )
  }
  coldNotes.push('- RustyDB runs from its minified Node bundle (Vite build of engine/node.ts), the peers from their npm packages; the first query is `SELECT 1 + 1`.')
  print([...cold, '', ...coldNotes, ''].join('\n'))

  // What a browser downloads.
  console.error('sql bench: bundle sizes')
  const sizes = await downloadSizes(engines)
  const sizeLines = ['### Browser download, gzipped (zlib level 9, per file, summed)', '', '| engine | gzipped | raw | files (gzipped) |', '|---|---:|---:|---|']
  for (const s of sizes) {
    sizeLines.push(`| ${ENGINE_LABELS[s.engine]} | ${sizeText(s.gzipBytes)} | ${sizeText(s.rawBytes)} | ${s.files.map((f) => `${f.name.replace(/^assets\//, '')} ${sizeText(f.gzipBytes)}`).join(', ')} |`)
  }
  const rustySize = sizes.find((s) => s.engine === 'rustydb')
  const bestSize = Math.min(...sizes.filter((s) => s.engine !== 'rustydb').map((s) => s.gzipBytes))
  sizeLines.push('')
  if (rustySize !== undefined && Number.isFinite(bestSize)) {
    sizeLines.push(`- RustyDB vs smallest peer: ${(bestSize / rustySize.gzipBytes).toFixed(2)}x (above 1x: RustyDB is smaller); target smaller than every peer: ${rustySize.gzipBytes < bestSize ? 'met' : '**not met**'}`)
  }
  sizeLines.push(
    '- JS: a Vite application build of each engine\'s whole public entry, minified (bench/sql/bundles.ts); sql.js\'s wasm and DuckDB\'s eh worker + wasm added from node_modules (the application passes their URLs); PGlite\'s wasm, data and initdb files are emitted by the build.',
  )
  print([...sizeLines, '', `SQL suite took ${((performance.now() - started) / 60_000).toFixed(1)} min.`, ''].join('\n'))
  return out.join('\n')
}
