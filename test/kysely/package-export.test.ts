/**
 * The `rustydb/kysely` entry point as a user imports it (package.json `exports`): plain Node, no TypeScript
 * loader, from the repository root, after `npm run build`. The test builds dist/ first (`npm run build`'s
 * TypeScript step and its copy of build/) when it is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Newest modification time under `dir` of files ending in `suffix`. */
function newest(dir: string, suffix: string): number {
  let max = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) max = Math.max(max, newest(full, suffix))
    else if (entry.name.endsWith(suffix)) max = Math.max(max, statSync(full).mtimeMs)
  }
  return max
}

const OUTPUTS = ['dist/engine/index.js', 'dist/engine/node.js', 'dist/web/kysely/index.js', 'dist/web/kysely/index.d.ts', 'dist/build/rustydb.wasm']

function distIsFresh(): boolean {
  if (!OUTPUTS.every((f) => existsSync(path.join(ROOT, f)))) return false
  const built = Math.min(...OUTPUTS.map((f) => statSync(path.join(ROOT, f)).mtimeMs))
  const sources = Math.max(newest(path.join(ROOT, 'engine'), '.ts'), newest(path.join(ROOT, 'web'), '.ts'), statSync(path.join(ROOT, 'build/rustydb.wasm')).mtimeMs)
  return built >= sources
}

// `npm run build` without its build:wasm step: other test files load build/rustydb.wasm while this one runs,
// so it is only copied (the test setup builds it: `npm run build:wasm`).
beforeAll(() => {
  if (distIsFresh()) return
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 })
  expect(r.status, `tsc -p tsconfig.build.json failed:\n${r.stdout}\n${r.stderr}`).toBe(0)
  cpSync(path.join(ROOT, 'build'), path.join(ROOT, 'dist/build'), { recursive: true })
}, 600_000)

const SCRIPT = `
import { RustyDialect } from 'rustydb/kysely'
import { Database } from 'rustydb'
import { Kysely } from 'kysely'
const db = new Kysely({ dialect: new RustyDialect({ database: await Database.open() }) })
await db.schema.createTable('todo').addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('title', 'text', (c) => c.notNull()).execute()
const inserted = await db.insertInto('todo').values([{ title: 'build' }, { title: 'import' }]).executeTakeFirstOrThrow()
const rows = await db.selectFrom('todo').selectAll().orderBy('id').execute()
await db.destroy()
console.log(JSON.stringify({ resolved: import.meta.resolve('rustydb/kysely'), insertId: String(inserted.insertId), rows }))
`

describe("import { RustyDialect } from 'rustydb/kysely'", () => {
  it('resolves to dist/web/kysely/index.js and runs queries in plain Node', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as { resolved: string; insertId: string; rows: unknown[] }
    expect(fileURLToPath(out.resolved)).toBe(path.join(ROOT, 'dist/web/kysely/index.js'))
    expect(out.insertId).toBe('2')
    expect(out.rows).toEqual([
      { id: 1, title: 'build' },
      { id: 2, title: 'import' },
    ])
  })

  it('declares the types next to the code', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> }
    expect(pkg.exports['./kysely']).toEqual({ types: './dist/web/kysely/index.d.ts', default: './dist/web/kysely/index.js' })
    expect(readFileSync(path.join(ROOT, 'dist/web/kysely/index.d.ts'), 'utf8')).toContain('RustyDialect')
  })
})
