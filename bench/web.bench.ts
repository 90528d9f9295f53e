/**
 * Browser benchmark for rustydb/web (BENCH_SUITE=web): what a browser downloads, how long a page takes from
 * navigation to its first query result, in Chromium with OPFS, and then commits/s and bulk insert rows/s next
 * to sql.js in the same browser (web/throughput.ts: min(BENCH_RUNS, 3) runs unless BENCH_WEB_RUNS says).
 * Owns: a Vite application build of a one-page app that imports rustydb/web from dist/ (as an application
 * installs the package), serving it with `vite preview`, and timing page loads with playwright-core. Builds go
 * to a directory of this process's own under node_modules/.cache/web-bench/ (worktrees may share
 * node_modules), removed at the end.
 * Invariants:
 *   (1) The download is every file the build emits except the page's HTML (main-thread JS, the worker's JS,
 *       the WASM core), minified, each gzipped at level 9 and summed (each file is a separate download).
 *   (2) Startup is `performance.now()` at the first query's result in the page: from navigation start, so
 *       it includes fetching and parsing the JS, starting the worker, fetching and compiling the WASM core,
 *       electing the leader, opening the OPFS file and running `SELECT 1 + 1`. Each figure verifies the answer
 *       and that the database is on OPFS.
 *   (3) Three situations, each a median over BENCH_RUNS fresh pages: a new database (fresh browser profile),
 *       an existing database opened by a new tab (the previous tab closed), and a reload of a tab that has
 *       the database open (the old worker's OPFS handle and lock must be released first).
 * Not here: throughput in the browser (web/throughput.ts), SQL speed in Node (bench/sql/), the engine's own
 * download (bench/sql/bundles.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Page } from 'playwright-core'
import { launchChromiumProfile } from '../e2e/support/chromium.js'
import { median } from './support/measure.js'
import { runWebThroughput } from './web/throughput.js'

const ROOT = new URL('../', import.meta.url).pathname
const CACHE = join(ROOT, 'node_modules/.cache/web-bench')
/** Issue #5's targets. */
const SIZE_TARGET_BYTES = 250 * 1024
const STARTUP_TARGET_MS = 50

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>rustydb/web startup</title></head>
<body><script>window.__t0 = performance.now()</script><script type="module" src="./main.js"></script></body></html>
`

/** The app: open the database, run one query, publish the timing (invariant 2). */
const MAIN = `import { openDatabase } from ${JSON.stringify(join(ROOT, 'dist/web/index.js'))}
const db = await openDatabase({ name: 'bench' })
const { rows } = await db.query('SELECT 1 + 1 AS x', [], { rowMode: 'array' })
window.__startup = { ms: performance.now(), fromPage: performance.now() - window.__t0, answer: rows[0][0], storage: db.storage }
`

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? listFiles(path) : [path]
  })
}

/** Builds the app from `app` into `out` (invariant 1) and returns its emitted files with their sizes. */
async function buildApp(app: string, out: string): Promise<{ name: string; raw: number; gzip: number }[]> {
  const { build } = await import('vite')
  mkdirSync(app, { recursive: true })
  writeFileSync(join(app, 'index.html'), PAGE)
  writeFileSync(join(app, 'main.js'), MAIN)
  await build({
    configFile: false,
    root: app,
    logLevel: 'silent',
    build: { outDir: out, emptyOutDir: true, minify: true, target: 'es2022', assetsInlineLimit: 0, reportCompressedSize: false },
    worker: { format: 'es' },
  })
  return listFiles(out)
    .filter((f) => !f.endsWith('.html'))
    .map((path) => {
      const bytes = readFileSync(path)
      return { name: relative(out, path), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
    })
}

/** Milliseconds to the first result: since navigation start, and since the page's first script ran. */
interface Startup {
  ms: number
  fromPage: number
}

async function startupOf(page: Page): Promise<Startup> {
  const handle = await page.waitForFunction(() => (window as { __startup?: unknown }).__startup, undefined, { timeout: 60_000 })
  const result = (await handle.jsonValue()) as Startup & { answer: number; storage: string }
  if (result.answer !== 2 || result.storage !== 'opfs') throw new Error(`startup page answered ${JSON.stringify(result)}`)
  return { ms: result.ms, fromPage: result.fromPage }
}

/** Times the three startup situations (invariant 3) against the app served at `url`. */
async function measureStartup(url: string, runs: number): Promise<Record<'fresh' | 'existing' | 'reload', Startup[]>> {
  const times = { fresh: [] as Startup[], existing: [] as Startup[], reload: [] as Startup[] }
  for (let run = 0; run < runs; run++) {
    const profile = mkdtempSync(join(tmpdir(), 'rustydb-web-bench-'))
    const context = await launchChromiumProfile(profile)
    try {
      const errors: string[] = []
      const watch = (page: Page): Page => {
        page.on('pageerror', (e) => errors.push(e.message))
        return page
      }
      // Warm the HTTP cache like a returning visitor? No: each profile starts empty, so "fresh" downloads everything.
      let page = watch(await context.newPage())
      await page.goto(url)
      times.fresh.push(await startupOf(page))
      await page.close()
      await new Promise((resolve) => setTimeout(resolve, 300))
      page = watch(await context.newPage())
      await page.goto(url)
      times.existing.push(await startupOf(page))
      await page.reload()
      times.reload.push(await startupOf(page))
      if (errors.length > 0) throw new Error(`startup page errors: ${errors.join('; ')}`)
    } finally {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
  return times
}

/** Runs the web suite and prints its tables. */
export async function runWebBench(runs: number): Promise<void> {
  mkdirSync(CACHE, { recursive: true })
  const work = mkdtempSync(join(CACHE, `${process.pid}-`))
  try {
    await runStartup(runs, join(work, 'app'), join(work, 'out'))
    await runWebThroughput(Number(process.env.BENCH_WEB_RUNS ?? Math.min(runs, 3)), work)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** The download and startup figures (invariants 1-3). */
async function runStartup(runs: number, app: string, out: string): Promise<void> {
  const files = await buildApp(app, out)
  const gzip = files.reduce((s, f) => s + f.gzip, 0)
  const raw = files.reduce((s, f) => s + f.raw, 0)
  const { preview } = await import('vite')
  const server = await preview({ configFile: false, root: app, logLevel: 'silent', build: { outDir: out }, preview: { host: '127.0.0.1', port: 0, open: false } })
  let times: Awaited<ReturnType<typeof measureStartup>>
  try {
    const address = server.httpServer.address()
    if (address === null || typeof address === 'string') throw new Error('vite preview did not report a TCP address')
    times = await measureStartup(`http://127.0.0.1:${address.port}/`, runs)
  } finally {
    await server.close()
  }
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
  const ms = (values: number[]): string => `${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(1)}..${Math.max(...values).toFixed(1)})`
  const row = (label: string, samples: Startup[], target: boolean): string => {
    const nav = samples.map((s) => s.ms)
    const page = samples.map((s) => s.fromPage)
    const met = target ? (median(nav) < STARTUP_TARGET_MS ? 'yes' : 'no') : '-'
    return `| ${label}, median of ${samples.length} | ${ms(nav)} | ${ms(page)} | ${target ? `< ${STARTUP_TARGET_MS} ms` : '-'} | ${met} |`
  }
  console.log(
    [
      '### rustydb/web in Chromium (OPFS)',
      '',
      '| figure | value (from navigation start) | from the page\'s first script | target | met |',
      '|---|---:|---:|---:|---|',
      `| download, gzipped (JS + worker + WASM, minified) | ${kb(gzip)} (raw ${kb(raw)}) | | <= ${kb(SIZE_TARGET_BYTES)} | ${gzip <= SIZE_TARGET_BYTES ? 'yes' : 'no'} |`,
      row('startup to first result, new database (fresh profile)', times.fresh, true),
      row('startup to first result, existing database, new tab', times.existing, true),
      row('startup to first result, reload of a tab with the database open', times.reload, false),
      '',
      `Files (gzipped): ${files.map((f) => `${f.name} ${kb(f.gzip)}`).join(', ')}`,
      '',
    ].join('\n'),
  )
}
