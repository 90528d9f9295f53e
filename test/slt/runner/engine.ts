/**
 * The engine seen by the sqllogictest runner, and its adapter to RustyDB's `Database`.
 * Owns: `SltEngine` (what the runner needs: run a statement, run a query, close) and `openRustyDb`, which opens a
 * fresh in-memory `Database` per script.
 * Invariants:
 *   (1) One `SltEngine` per script: every file starts from an empty database (ABOUT.wiki).
 *   (2) Errors are thrown as they come (RustyError: `code` SQLSTATE + `message`); the runner reads both.
 * Not here: formatting, sorting, comparing (runner.ts).
 */

/** A query result as the runner needs it: column names and type names, and rows of JS values. */
export interface SltQueryResult {
  readonly columns: readonly { readonly name: string; readonly type?: string }[]
  readonly rows: readonly (readonly unknown[])[]
}

/** A database under test. */
export interface SltEngine {
  /** The name skipif/onlyif lines are matched against, case-insensitively. RustyDB is `postgresql`. */
  readonly name: string
  /** Runs one statement that returns no rows (or whose rows are ignored); throws on error. */
  statement(sql: string): Promise<void>
  /** Runs one query; throws on error. */
  query(sql: string): Promise<SltQueryResult>
  close(): Promise<void>
}

/** Opens a fresh engine for one script. */
export type SltEngineFactory = () => Promise<SltEngine>

/** The part of the public `Database` API the adapter uses (engine/index.ts). */
interface DatabaseLike {
  exec(sql: string): Promise<unknown>
  query(
    sql: string,
    params: unknown[],
    options: { rowMode: 'array' },
  ): Promise<{ columns: readonly { name: string; type: unknown }[]; rows: readonly (readonly unknown[])[] }>
  close(): Promise<void>
}

interface DatabaseModule {
  Database?: { open(options: { storage: 'memory' }): Promise<DatabaseLike> }
}

/** A column type as a string: a SqlType's id (`{ id: 'int4' }`), or the name itself when the API gives a string. */
export function typeNameOf(type: unknown): string | undefined {
  if (typeof type === 'string') return type
  if (type !== null && typeof type === 'object' && 'id' in type) {
    const t = type as { id: unknown; element?: unknown }
    if (t.id === 'array') return `${typeNameOf(t.element) ?? 'unknown'}[]`
    return typeof t.id === 'string' ? t.id : undefined
  }
  return undefined
}

/**
 * Opens RustyDB in memory as an SltEngine named `postgresql`.
 * The module is imported lazily so this file compiles and the runner's unit tests run whatever state
 * engine/index.ts is in.
 */
export async function openRustyDb(): Promise<SltEngine> {
  const mod = (await import('../../../engine/index.js')) as unknown as DatabaseModule
  if (mod.Database === undefined) throw new Error('engine/index.ts does not export Database yet')
  const db = await mod.Database.open({ storage: 'memory' })
  return {
    name: 'postgresql',
    async statement(sql) {
      await db.exec(sql)
    },
    async query(sql) {
      const r = await db.query(sql, [], { rowMode: 'array' })
      return { columns: r.columns.map((c) => ({ name: c.name, type: typeNameOf(c.type) })), rows: r.rows }
    },
    close: () => db.close(),
  }
}
