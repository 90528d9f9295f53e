/**
 * Browser throughput (BENCH_SUITE=web, after the startup figures; issue #5): single-row commits per second and
 * bulk insert rows per second in Chromium, for rustydb/web on OPFS (durable) and in memory, next to sql.js in
 * memory, each in a page of its own; for reference, the RustyDB engine called directly in a worker of the
 * page, and empty page <-> worker round trips.
 * Owns: the Vite build of the throughput page (bench/web/page/) with rustydb/web and the engine taken from
 * dist/, serving it with `vite preview`, running the pages with playwright-core, medians, ratios and tables.
 * Environment: BENCH_WEB_RUNS (runs, default min(BENCH_RUNS, 3)), BENCH_WEB_COMMIT_MS (time of the
 * single-row commits, default 1500; at most BENCH_WEB_MAX_COMMITS, default 20000), BENCH_WEB_BULK_ROWS (rows of
 * the bulk insert, default 100000) and BENCH_WEB_BULK_MS (its time budget, default 5000).
 * Invariants:
 *   (1) One fresh page per engine and run, all in one browser profile on disk (OPFS in files, as users have
 *       it); every run opens a database name of its own. The engines take turns within each run (the order
 *       rotates from run to run), so a noisy minute on the shared machine is spread over all of them.
 *   (2) Each figure is a median over the runs with min..max beside it; a ratio is one median over another of
 *       the same workload in the same suite run (RustyDB / sql.js: above 1x, RustyDB is faster).
 *   (3) A run that failed or whose checks found a mismatch (page/workloads.ts (4)) is listed under the table
 *       and left out of the median; a bulk insert cut short by its time budget is marked partial (its rate
 *       counts the rows it did, as the Node SQL bench's does).
 *   (4) sql.js is in memory only (it cannot persist to OPFS), so its commits are not durable; it runs on the
 *       page's main thread with no round trip per statement. rustydb/web 'memory' is the in-memory comparison;
 *       its statements still cross to the worker and back.
 * Not here: the workloads (page/workloads.ts), startup and download (../web.bench.ts).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromiumProfile } from '../../e2e/support/chromium.js'
import { formatRate, median } from '../support/measure.js'
import {
  DURABLE_ENGINES,
  PAGE_ENGINES,
  type PageEngine,
  type RoundTrips,
  type ThroughputResult,
  type ThroughputSpec,
  type WebBenchApi,
  type WorkloadOutcome,
} from './throughput-api.js'

const ROOT = new URL('../../', import.meta.url).pathname
const PAGE_DIR = join(ROOT, 'bench/web/page')
const RUSTYDB_WEB = join(ROOT, 'dist/web/index.js')
const RUSTYDB_ENGINE = join(ROOT, 'dist/engine/index.js')
/** The wasm sql.js's browser build fetches; the page's locateFile finds it next to the page. */
const SQL_JS_WASM = 'sql.js/dist/sql-wasm-browser.wasm'
const PAGE_TIMEOUT_MS = 120_000

const LABELS: Record<PageEngine, string> = {
  'rustydb-opfs': 'RustyDB (rustydb/web), OPFS, durable',
  'rustydb-memory': 'RustyDB (rustydb/web), memory',
  sqljs: 'sql.js, memory, main thread, not durable',
  'engine-opfs': 'RustyDB engine in a worker, OPFS, durable',
  'engine-memory': 'RustyDB engine in a worker, memory',
}
const SHORT: Record<PageEngine, string> = {
  'rustydb-opfs': 'rustydb/web OPFS',
  'rustydb-memory': 'rustydb/web memory',
  sqljs: 'sql.js',
  'engine-opfs': 'engine in a worker OPFS',
  'engine-memory': 'engine in a worker memory',
}
const MAIN_ENGINES: readonly PageEngine[] = ['rustydb-opfs', 'rustydb-memory', 'sqljs']

/** Builds the page into `outDir` (rustydb/web and the engine from dist/: page/main.ts (2)) and copies sql.js's wasm beside it. */
async function buildPage(outDir: string): Promise<void> {
  for (const file of [RUSTYDB_WEB, RUSTYDB_ENGINE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (the web bench uses the built package).`)
  }
  const { build } = await import('vite')
  await build({
    configFile: false,
    root: PAGE_DIR,
    logLevel: 'silent',
    resolve: {
      alias: [
        { find: '../../../web/index.js', replacement: RUSTYDB_WEB },
        { find: '../../../engine/index.js', replacement: RUSTYDB_ENGINE },
      ],
    },
    build: { outDir, emptyOutDir: true, minify: true, target: 'es2022', assetsInlineLimit: 0, reportCompressedSize: false },
    worker: { format: 'es' },
  })
  const require = createRequire(join(ROOT, 'package.json'))
  copyFileSync(require.resolve(SQL_JS_WASM), join(outDir, 'sql-wasm-browser.wasm'))
}

/** Opens `url` in `page` and waits for `window.webBench`, collecting page errors. */
async function openPage(page: Page, url: string): Promise<string[]> {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(url)
  await page.waitForFunction(() => (window as unknown as { webBench?: WebBenchApi }).webBench !== undefined, undefined, { timeout: PAGE_TIMEOUT_MS })
  return errors
}

/** One engine's run in a fresh page (invariant 1). */
async function runPage(page: Page, url: string, spec: ThroughputSpec): Promise<ThroughputResult> {
  const errors = await openPage(page, url)
  const result = await page.evaluate((s) => (window as unknown as { webBench: WebBenchApi }).webBench.run(s), spec)
  if (errors.length > 0) return { ...result, error: [result.error, `page errors: ${errors.join('; ')}`].filter(Boolean).join('; ') }
  return result
}

async function roundTripPage(page: Page, url: string, count: number): Promise<RoundTrips> {
  const errors = await openPage(page, url)
  const result = await page.evaluate((n) => (window as unknown as { webBench: WebBenchApi }).webBench.roundTrips(n), count)
  if (errors.length > 0) return { ...result, error: [result.error, `page errors: ${errors.join('; ')}`].filter(Boolean).join('; ') }
  return result
}

/** What a workload picks out of a run. */
type Pick = (r: ThroughputResult) => WorkloadOutcome | undefined

/** Runs the throughput part of the web suite in `workDir` and prints its tables; returns the Markdown. */
export async function runWebThroughput(runs: number, workDir: string): Promise<string> {
  const bulkRows = Number(process.env.BENCH_WEB_BULK_ROWS ?? 100_000)
  const bulkBudgetMs = Number(process.env.BENCH_WEB_BULK_MS ?? 5_000)
  const commitBudgetMs = Number(process.env.BENCH_WEB_COMMIT_MS ?? 1_500)
  const maxCommits = Number(process.env.BENCH_WEB_MAX_COMMITS ?? 20_000)
  const roundTripCount = 3_000
  const outDir = join(workDir, 'throughput')
  await buildPage(outDir)
  const { preview } = await import('vite')
  const server = await preview({ configFile: false, root: PAGE_DIR, logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0, open: false } })
  const results = new Map<PageEngine, ThroughputResult[]>(PAGE_ENGINES.map((e) => [e, []]))
  const trips: RoundTrips[] = []
  const loads: string[] = []
  const started = performance.now()
  const profile = mkdtempSync(join(tmpdir(), 'rustydb-web-throughput-'))
  try {
    const address = server.httpServer.address()
    if (address === null || typeof address === 'string') throw new Error('vite preview did not report a TCP address')
    const url = `http://127.0.0.1:${address.port}/`
    const context = await launchChromiumProfile(profile)
    try {
      for (let run = 0; run < runs; run++) {
        const before = loadavg()[0]
        for (let i = 0; i < PAGE_ENGINES.length; i++) {
          const engine = PAGE_ENGINES[(run + i) % PAGE_ENGINES.length]
          const spec: ThroughputSpec = { engine, database: `throughput-${engine}-${run}`, maxCommits, commitBudgetMs, bulkRows, bulkBudgetMs }
          const page = await context.newPage()
          try {
            const result = await runPage(page, url, spec)
            results.get(engine)?.push(result)
            console.error(
              `web bench: run ${run + 1}, ${LABELS[engine]}: ${Math.round(result.commits?.rate ?? NaN)} commits/s, ` +
                `${Math.round(result.bulk?.rate ?? NaN)} rows/s${result.error ? `, ERROR ${result.error}` : ''}`,
            )
          } finally {
            await page.close()
          }
        }
        const page = await context.newPage()
        try {
          trips.push(await roundTripPage(page, url, roundTripCount))
        } finally {
          await page.close()
        }
        loads.push(`${before.toFixed(1)}..${loadavg()[0].toFixed(1)}`)
      }
    } finally {
      await context.close()
    }
  } finally {
    await server.close()
    rmSync(profile, { recursive: true, force: true })
  }

  const rates = (engine: PageEngine, pick: Pick): number[] =>
    (results.get(engine) ?? []).flatMap((r) => {
      const o = pick(r)
      return o !== undefined && r.error === undefined && o.mismatch === undefined ? [o.rate] : []
    })
  const spread = (values: number[]): string =>
    values.length === 0 ? 'ERROR' : `${formatRate(median(values))} (${formatRate(Math.min(...values))}..${formatRate(Math.max(...values))})`
  const cell = (engine: PageEngine, pick: Pick): string => {
    const partial = (results.get(engine) ?? []).some((r) => pick(r)?.partial === true)
    return `${spread(rates(engine, pick))}${partial ? ' (partial)' : ''}`
  }
  const ratio = (engine: PageEngine, over: PageEngine, pick: Pick): string => {
    const mine = rates(engine, pick)
    const theirs = rates(over, pick)
    return mine.length === 0 || theirs.length === 0 ? '-' : `${(median(mine) / median(theirs)).toFixed(3)}x`
  }
  const workloads: { label: string; unit: string; pick: Pick }[] = [
    {
      label: `single-row commits: autocommit prepared \`INSERT INTO t VALUES ($1, $2)\`, each awaited (${commitBudgetMs / 1000} s or ${maxCommits.toLocaleString('en')} commits)`,
      unit: 'commits/s',
      pick: (r) => r.commits,
    },
    {
      label: `bulk insert: prepared single-row INSERT, 6 integer columns, one transaction, COMMIT included (${bulkRows.toLocaleString('en')} rows or ${bulkBudgetMs / 1000} s)`,
      unit: 'rows/s',
      pick: (r) => r.bulk,
    },
    {
      label: `batched bulk insert: the same rows, 1,000 parameter sets per \`batch()\` call (one message to the worker), one transaction, COMMIT included`,
      unit: 'rows/s',
      pick: (r) => r.batched,
    },
  ]
  const lines = [
    '### rustydb/web and sql.js in Chromium: single-row commits and bulk insert',
    '',
    `| workload | unit | ${MAIN_ENGINES.map((e) => LABELS[e]).join(' | ')} | RustyDB OPFS / sql.js | RustyDB memory / sql.js |`,
    `|---|---|${MAIN_ENGINES.map(() => '---:|').join('')}---:|---:|`,
    ...workloads.map(
      (w) => `| ${w.label} | ${w.unit} | ${MAIN_ENGINES.map((e) => cell(e, w.pick)).join(' | ')} | ${ratio('rustydb-opfs', 'sqljs', w.pick)} | ${ratio('rustydb-memory', 'sqljs', w.pick)} |`,
    ),
    '',
    'Reference, same runs: the RustyDB engine called directly inside a dedicated worker of the page (`Database` with `OpfsAdapter` or `MemoryAdapter`, no message per statement), and empty round trips between the page and a worker.',
    '',
    `| workload | unit | ${LABELS['engine-opfs']} | ${LABELS['engine-memory']} | rustydb/web / engine, OPFS | rustydb/web / engine, memory | engine in a worker, memory / sql.js |`,
    '|---|---|---:|---:|---:|---:|---:|',
    ...workloads.map(
      (w) =>
        `| ${w.label.split(':')[0]} | ${w.unit} | ${cell('engine-opfs', w.pick)} | ${cell('engine-memory', w.pick)} | ` +
        `${ratio('rustydb-opfs', 'engine-opfs', w.pick)} | ${ratio('rustydb-memory', 'engine-memory', w.pick)} | ${ratio('engine-memory', 'sqljs', w.pick)} |`,
    ),
    '',
    `| empty round trip page -> worker -> page, each awaited (${roundTripCount.toLocaleString('en')} per run) | round trips/s |`,
    '|---|---:|',
    `| postMessage of a statement-sized object, posted back | ${spread(trips.map((t) => t.postMessage).filter(Number.isFinite))} |`,
    `| comlink call answered at once (how rustydb/web calls its worker) | ${spread(trips.map((t) => t.comlink).filter(Number.isFinite))} |`,
    `| rustydb/web prepared \`SELECT 1\`, memory | ${spread(trips.map((t) => t.rustydbSelect).filter(Number.isFinite))} |`,
    '',
  ]
  const notes: string[] = []
  for (const engine of PAGE_ENGINES) {
    for (const [run, r] of (results.get(engine) ?? []).entries()) {
      if (r.error !== undefined) notes.push(`- ${LABELS[engine]}, run ${run + 1}: ERROR ${r.error}`)
      for (const w of workloads) {
        const o = w.pick(r)
        if (o?.mismatch !== undefined) notes.push(`- **MISMATCH** ${LABELS[engine]}, run ${run + 1}, ${w.unit}: ${o.mismatch}`)
        if (o?.partial === true) notes.push(`- ${LABELS[engine]}, run ${run + 1}: partial, ${o.done.toLocaleString('en')} ${w.unit.split('/')[0]} in the time budget`)
      }
    }
  }
  for (const [run, t] of trips.entries()) if (t.error !== undefined) notes.push(`- round trips, run ${run + 1}: ERROR ${t.error}`)
  const all = [...results.values()].flat()
  const passed = all.filter((r) => r.error === undefined && r.commits?.mismatch === undefined && r.bulk?.mismatch === undefined && r.batched?.mismatch === undefined).length
  const durable = DURABLE_ENGINES.flatMap((e) => results.get(e) ?? [])
  const openMs = (engine: PageEngine): string => {
    const ms = (results.get(engine) ?? []).map((r) => r.openMs).filter(Number.isFinite)
    return ms.length === 0 ? '-' : `${median(ms).toFixed(0)} ms`
  }
  notes.push(
    `- Median (min..max) of ${runs} runs, each engine in a fresh page of one Chromium profile on disk; the engines take turns within a run. ` +
      `Checks passed in ${passed} of ${all.length} runs: count(*) and a column's sum after each workload; on OPFS again after closing and reopening ` +
      `the database (${durable.filter((r) => r.reopened === true).length} of ${durable.length} runs).`,
    '- rustydb/web: from dist/ (a Vite build, as an application installs it); every statement is a message to its worker and back. OPFS commits ' +
      'return after the WAL is flushed through the sync access handle. sql.js: SQLite in WASM on the main thread, in memory only (it cannot persist ' +
      'to OPFS), so its commits are not durable and cost no round trip.',
    `- Open, median (rustydb/web and sql.js: import + open; the engine in a worker: Database.open): ${PAGE_ENGINES.map((e) => `${SHORT[e]} ${openMs(e)}`).join(', ')}.`,
    `- 1-minute load average before..after each run (2 cores, shared): ${loads.join(', ')}; the throughput runs took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  )
  const text = [...lines, ...notes, ''].join('\n')
  console.log(text)
  return text
}
