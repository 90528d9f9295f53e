/**
 * tablesRead (web/tables-read.ts): the tables a live query reads, from its syntax tree and the catalog.
 * Checks invariants (1) conservative answers, (2) every TableRef counts except the query's own CTE names,
 * (3) only one read-only query is accepted.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { tablesRead, type CatalogTable } from '../../web/tables-read.js'

const CATALOG: CatalogTable[] = [
  { table_schema: 'public', table_name: 'todos', table_type: 'BASE TABLE' },
  { table_schema: 'public', table_name: 'users', table_type: 'BASE TABLE' },
  { table_schema: 'public', table_name: 'tags', table_type: 'BASE TABLE' },
  { table_schema: 'archive', table_name: 'todos', table_type: 'BASE TABLE' },
  { table_schema: 'public', table_name: 'open_todos', table_type: 'VIEW' },
]
const catalog = async (): Promise<CatalogTable[]> => CATALOG

describe('tablesRead', () => {
  it('finds tables in FROM, joins, subqueries of WHERE and SELECT, and CTE bodies', async () => {
    const sql = `WITH recent AS (SELECT * FROM public.users)
      SELECT t.id, (SELECT count(*) FROM tags) FROM public.todos t JOIN recent r ON r.id = t.owner
      WHERE t.id IN (SELECT id FROM public.todos WHERE done)`
    expect(await tablesRead(sql, catalog)).toEqual(['public.tags', 'public.todos', 'public.users'])
  })

  it('counts an unqualified name in every schema that has a table of that name (invariant 2)', async () => {
    expect(await tablesRead('SELECT * FROM todos', catalog)).toEqual(['archive.todos', 'public.todos'])
  })

  it('answers * for views and for names that are not base tables (invariant 1)', async () => {
    expect(await tablesRead('SELECT * FROM open_todos', catalog)).toBe('*')
    expect(await tablesRead('SELECT * FROM information_schema.tables', catalog)).toBe('*')
  })

  it('needs no catalog for a query without tables', async () => {
    expect(await tablesRead('SELECT 1 + 1', () => Promise.reject(new Error('not called')))).toEqual([])
  })

  it('refuses statements that write, also inside a CTE, and statement lists, with 0A000 (invariant 3)', async () => {
    for (const sql of ['INSERT INTO todos VALUES (1)', 'WITH d AS (DELETE FROM todos RETURNING id) SELECT * FROM d', 'SELECT 1; SELECT 2']) {
      const error = await tablesRead(sql, catalog).catch((e: unknown) => e)
      expect(error, sql).toBeInstanceOf(RustyError)
      expect((error as RustyError).code, sql).toBe('0A000')
    }
  })
})
