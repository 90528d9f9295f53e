/**
 * Helpers of the transaction, catalog and DDL tests: a database over a MemoryAdapter that survives
 * close/reopen, DDL by SQL text, rows read back as arrays.
 */
import { expect } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import type { SqlValue } from '../../engine/common/types.js'
import type { TableDef } from '../../engine/catalog/index.js'
import { parse } from '../../engine/sql/index.js'
import { KvStore, MemoryAdapter } from '../../engine/storage/index.js'
import { ROW_KEY, type Transaction, TxnManager } from '../../engine/txn/index.js'
import { executeDdl, type DdlResult } from '../../engine/plan/ddl/index.js'

/** A database on one MemoryAdapter; reopen() closes and opens it again over the same bytes. */
export class TestDb {
  readonly adapter = new MemoryAdapter()
  kv!: KvStore
  manager!: TxnManager

  static async open(): Promise<TestDb> {
    const db = new TestDb()
    await db.#open()
    return db
  }

  async #open(): Promise<void> {
    this.kv = await KvStore.open({ adapter: this.adapter, name: 'test.rdb', create: true, pageSize: 4096, cachePages: 256 })
    this.manager = await TxnManager.open(this.kv)
  }

  async reopen(): Promise<void> {
    await this.close()
    await this.#open()
  }

  async close(): Promise<void> {
    await this.manager.close()
    await this.kv.close()
  }

  begin(readOnly = false): Transaction {
    return this.manager.begin({ readOnly })
  }

  /** Runs DDL statements in their own committed transaction. */
  async ddl(sql: string): Promise<DdlResult[]> {
    const txn = this.begin()
    try {
      const results = ddl(txn, sql)
      await txn.commit()
      return results
    } catch (error) {
      txn.rollback()
      throw error
    }
  }
}

/** Runs DDL statements (SQL text) in `txn`. */
export function ddl(txn: Transaction, sql: string): DdlResult[] {
  return parse(sql).map((stmt) => executeDdl(stmt, txn, { defaultSchema: 'public' }))
}

/** The table `name` in public as `txn` sees it (fails the test when missing). */
export function table(txn: Transaction, name: string): TableDef {
  const t = txn.catalog.table('public', name)
  expect(t, `table ${name}`).toBeDefined()
  return t as TableDef
}

/** Every row of a table (all columns), in key order. */
export function rows(txn: Transaction, def: TableDef, reverse = false): SqlValue[][] {
  const out: SqlValue[][] = []
  const columns = def.columns.map((_c, i) => i)
  for (const batch of txn.scan(def, { columns, reverse })) {
    expect(batch.columns.length).toBe(columns.length)
    for (let r = 0; r < batch.length; r++) out.push(columns.map((_c, i) => batch.columns[i][r]))
  }
  return out
}

/** The row keys of a table in key order. */
export function keys(txn: Transaction, def: TableDef): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const batch of txn.scan(def, { columns: [ROW_KEY] })) for (let r = 0; r < batch.length; r++) out.push(batch.columns[0][r] as Uint8Array)
  return out
}

/** Calls fn, expects a RustyError with `code` whose message matches; returns it. */
export function expectError(fn: () => unknown, code: string, message?: RegExp): RustyError {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, `expected a RustyError ${code}`).toBeInstanceOf(RustyError)
  const e = error as RustyError
  expect(e.code, e.message).toBe(code)
  if (message !== undefined) expect(e.message).toMatch(message)
  return e
}
