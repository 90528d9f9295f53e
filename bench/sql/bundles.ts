/**
 * What a browser downloads for each engine, gzipped, and the RustyDB bundle the cold-start processes import.
 * Owns: Vite builds (minified, Rolldown under Vite 8) of each engine's browser entry into
 * node_modules/.cache/sql-bench/, plus each peer's runtime files that its JS fetches by URL at run time.
 * Invariants:
 *   (1) Every engine's JS is bundled the same way (a Vite application build with the entry as its
 *       input, ES modules, minified, dependencies bundled, assets emitted as files), and every emitted file counts. Files a peer fetches by a URL the application
 *       passes in (sql.js's wasm, DuckDB's worker and wasm) are added from node_modules and listed.
 *   (2) Sizes are zlib gzip at level 9 of each file, summed (each file is a separate download).
 *   (3) RustyDB's browser bundle is engine/index.ts plus build/rustydb.wasm (which Vite emits as an asset).
 * Not here: Brotli, HTTP caching, and the DuckDB mvp/coi variants (a browser picks one of mvp/eh/coi; we count eh,
 * the one current browsers pick).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { EngineName } from './engines.js'

const ROOT = new URL('../../', import.meta.url).pathname
const CACHE = join(ROOT, 'node_modules/.cache/sql-bench')

/** One engine's download: files and gzipped bytes. */
export interface DownloadSize {
  readonly engine: EngineName
  readonly gzipBytes: number
  readonly rawBytes: number
  readonly files: readonly { name: string; gzipBytes: number }[]
}

/** Entry modules that import each engine the way an application would (the whole public entry). */
const ENTRIES: Record<EngineName, string> = {
  rustydb: `export * from ${JSON.stringify(join(ROOT, 'engine/index.ts'))}`,
  sqljs: `export { default } from 'sql.js'`,
  pglite: `export * from '@electric-sql/pglite'`,
  duckdb: `export * from '@duckdb/duckdb-wasm'`,
}

/** Runtime files fetched by URL that the application supplies (not visible to a bundler). */
const EXTRA_FILES: Record<EngineName, readonly string[]> = {
  rustydb: [],
  sqljs: ['sql.js/dist/sql-wasm-browser.wasm'],
  pglite: [],
  duckdb: ['@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js', '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'],
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? listFiles(path) : [path]
  })
}

/** The chunks of an SSR build sit next to the entry (see rustyDbNodeBundle: the WASM URL is relative to them). */
const FLAT_CHUNKS = { output: { chunkFileNames: '[name]-[hash].js' } }

async function viteLib(entryFile: string, outDir: string, ssr: boolean): Promise<string[]> {
  const { build } = await import('vite')
  rmSync(outDir, { recursive: true, force: true })
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      target: 'es2022',
      assetsInlineLimit: 0,
      copyPublicDir: false,
      reportCompressedSize: false,
      ssr: ssr ? entryFile : undefined,
      // An application build, not lib mode: lib mode inlines every asset (the wasm) as base64.
      rollupOptions: ssr ? FLAT_CHUNKS : { input: entryFile, preserveEntrySignatures: 'strict' },
    },
    ssr: ssr ? { noExternal: true, target: 'node' } : undefined,
  })
  return listFiles(outDir)
}

/** Bundles each engine for the browser and measures the gzipped download. */
export async function downloadSizes(engines: readonly EngineName[]): Promise<DownloadSize[]> {
  const require = createRequire(join(ROOT, 'package.json'))
  const sizes: DownloadSize[] = []
  for (const engine of engines) {
    const dir = join(CACHE, 'browser', engine)
    mkdirSync(dir, { recursive: true })
    const entry = join(dir, 'entry.js')
    writeFileSync(entry, `${ENTRIES[engine]}\n`)
    const emitted = await viteLib(entry, join(dir, 'out'), false)
    const files = [...emitted, ...EXTRA_FILES[engine].map((f) => require.resolve(f))]
    const measured = files.map((path) => {
      const bytes = readFileSync(path)
      return { name: path.startsWith(join(dir, 'out')) ? relative(join(dir, 'out'), path) : basename(path), raw: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length }
    })
    sizes.push({
      engine,
      gzipBytes: measured.reduce((s, f) => s + f.gzipBytes, 0),
      rawBytes: measured.reduce((s, f) => s + f.raw, 0),
      files: measured.map(({ name, gzipBytes }) => ({ name, gzipBytes })),
    })
  }
  return sizes
}

/**
 * Bundles RustyDB's Node entry (engine/node.ts) into minified ES modules for the cold-start processes, so they
 * import what a package user would run rather than TypeScript through tsx: the entry chunk plus the chunks of
 * the engine's lazy parts (common/lazy-part.ts), which the engine imports on first use. The chunks keep
 * `new URL('../../build/rustydb.wasm', import.meta.url)`, so they are written side by side two folders below
 * the repository (.bench/sql-node/), where that URL is build/rustydb.wasm. Not under node_modules: worktrees
 * share a symlinked node_modules, and Node resolves a module's URL through the symlink (to another checkout's
 * build/). Returns the entry module's path.
 */
export async function rustyDbNodeBundle(): Promise<string> {
  const files = await viteLib(join(ROOT, 'engine/node.ts'), join(ROOT, '.bench/sql-node'), true)
  const js = files.find((f) => basename(f) === 'node.js')
  if (js === undefined) throw new Error(`no entry chunk (node.js) emitted for the RustyDB node bundle: ${files.join(', ')}`)
  return js
}
