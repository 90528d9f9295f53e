/**
 * Plan helpers for optimizer tests: the EXPLAIN text of a query, and its rows checked against the naive plan
 * (`SET rustydb.optimizer = off`: no pushdown, nested loops, no access paths), the optimizer's reference.
 */
import { expect } from 'vitest'
import type { Database } from '../../engine/node.js'

/** The EXPLAIN lines of `sql`, joined by newlines. */
export async function explain(db: Database, sql: string): Promise<string> {
  const r = await db.query<Record<string, string>>(`EXPLAIN ${sql}`)
  return r.rows.map((row) => row['QUERY PLAN']).join('\n')
}

/**
 * Runs `sql` optimized and naively and expects the same rows: in the same order with `ordered` (the query has
 * an ORDER BY that decides it), else as the same multiset. Returns the optimized rows.
 */
export async function sameAsNaive(db: Database, sql: string, ordered: boolean): Promise<unknown[][]> {
  const fast = (await db.query<unknown[]>(sql, [], { rowMode: 'array' })).rows
  await db.exec('SET rustydb.optimizer = off')
  try {
    const naive = (await db.query<unknown[]>(sql, [], { rowMode: 'array' })).rows
    const text = (rows: unknown[][]): string[] => {
      const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))
      return ordered ? lines : lines.sort()
    }
    expect(text(fast), sql).toEqual(text(naive))
  } finally {
    await db.exec('SET rustydb.optimizer = on')
  }
  return fast
}
