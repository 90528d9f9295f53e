/**
 * An in-memory TableAccess for executor unit tests: rows per table keyed by their primary key (or a row id),
 * scanned in key order; index scans sort by the index columns. Enough of table-access.ts's contract for
 * operators: bounds on key prefixes, ROW_KEY, unique primary keys (23505), conflicts, update, delete.
 */
import type { Batch } from '../../../engine/common/batch.js'
import type { SqlValue } from '../../../engine/common/types.js'
import { compareValues, RustyError } from '../../../engine/common/index.js'
import type { IndexDef, SequenceDef, TableDef } from '../../../engine/catalog/schema.js'
import { ROW_KEY, type KeyBound, type LockResult, type ScanOptions, type TableAccess } from '../../../engine/txn/table-access.js'

interface StoredRow {
  key: Uint8Array
  row: SqlValue[]
}

function cmpVals(a: readonly SqlValue[], b: readonly SqlValue[], table: TableDef, ordinals: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (x === null) return 1
    if (y === null) return -1
    const c = compareValues(x, y, table.columns[ordinals[i]].type)
    if (c !== 0) return c
  }
  return 0
}

export class FakeAccess implements TableAccess {
  readonly tables = new Map<number, StoredRow[]>()
  readonly defs = new Map<number, TableDef>()
  #rowId = 0
  scans = 0

  addTable(def: TableDef, rows: SqlValue[][] = []): void {
    this.defs.set(def.id, def)
    this.tables.set(def.id, [])
    for (const r of rows) this.insert(def, r)
  }

  rows(table: TableDef): SqlValue[][] {
    return this.#sorted(table).map((r) => r.row)
  }

  #keyOf(table: TableDef, row: readonly SqlValue[]): Uint8Array {
    if (table.primaryKey === null) return new TextEncoder().encode(`#${String(++this.#rowId).padStart(12, '0')}`)
    return new TextEncoder().encode(JSON.stringify(table.primaryKey.map((o) => String(row[o]))))
  }

  #sorted(table: TableDef): StoredRow[] {
    const rows = this.tables.get(table.id)!
    const pk = table.primaryKey
    if (pk === null) return rows.slice()
    return rows.slice().sort((a, b) => cmpVals(pk.map((o) => a.row[o]), pk.map((o) => b.row[o]), table, pk))
  }

  *#emit(rows: StoredRow[], options: ScanOptions, keyOrd: readonly number[], table: TableDef): Generator<Batch, void, undefined> {
    const inBound = (r: StoredRow, b: KeyBound | undefined, lower: boolean): boolean => {
      if (b === undefined) return true
      const vals = keyOrd.slice(0, b.values.length).map((o) => r.row[o])
      const c = cmpVals(vals, b.values, table, keyOrd)
      return lower ? c > 0 || (c === 0 && b.inclusive) : c < 0 || (c === 0 && b.inclusive)
    }
    let list = rows.filter((r) => inBound(r, options.lower, true) && inBound(r, options.upper, false))
    if (options.reverse === true) list = list.reverse()
    this.scans++
    for (let s = 0; s < list.length; s += 3) {
      const chunk = list.slice(s, s + 3)
      yield {
        length: chunk.length,
        columns: options.columns.map((o) => chunk.map((r) => (o === ROW_KEY ? r.key : r.row[o]))),
      }
    }
  }

  scan(table: TableDef, options: ScanOptions): Generator<Batch, void, undefined> {
    return this.#emit(this.#sorted(table), options, table.primaryKey ?? [], table)
  }

  indexScan(index: IndexDef, options: ScanOptions): Generator<Batch, void, undefined> {
    const table = this.defs.get(index.tableId)!
    const ords = index.columns.map((c) => c.ordinal)
    const rows = this.#sorted(table).sort((a, b) => cmpVals(ords.map((o) => a.row[o]), ords.map((o) => b.row[o]), table, ords))
    return this.#emit(rows, options, ords, table)
  }

  getByPrimaryKey(table: TableDef, key: readonly SqlValue[]): SqlValue[] | undefined {
    const pk = table.primaryKey!
    return this.tables.get(table.id)!.find((r) => cmpVals(pk.map((o) => r.row[o]), key, table, pk) === 0)?.row.slice()
  }

  insert(table: TableDef, row: readonly SqlValue[]): Uint8Array {
    if (this.findConflict(table, row, null) !== undefined) {
      throw new RustyError('23505', `duplicate key value violates unique constraint "${table.name}_pkey"`)
    }
    const key = this.#keyOf(table, row)
    this.tables.get(table.id)!.push({ key, row: row.slice() })
    return key
  }

  findConflict(table: TableDef, row: readonly SqlValue[], arbiter: readonly number[] | null): [Uint8Array, SqlValue[]] | undefined {
    const cols = arbiter ?? table.primaryKey
    if (cols === null) return undefined
    if (cols.some((o) => row[o] === null)) return undefined
    const hit = this.tables
      .get(table.id)!
      .find((r) => cmpVals(cols.map((o) => r.row[o]), cols.map((o) => row[o]), table, cols) === 0)
    return hit === undefined ? undefined : [hit.key, hit.row.slice()]
  }

  #find(table: TableDef, key: Uint8Array): number {
    const rows = this.tables.get(table.id)!
    const k = key.join(',')
    return rows.findIndex((r) => r.key.join(',') === k)
  }

  update(table: TableDef, key: Uint8Array, row: readonly SqlValue[]): Uint8Array {
    const rows = this.tables.get(table.id)!
    const i = this.#find(table, key)
    if (i < 0) throw new Error('no such row')
    const newKey = table.primaryKey === null ? key : this.#keyOf(table, row)
    rows[i] = { key: newKey, row: row.slice() }
    return newKey
  }

  delete(table: TableDef, key: Uint8Array): SqlValue[] {
    const rows = this.tables.get(table.id)!
    const i = this.#find(table, key)
    if (i < 0) throw new Error('no such row')
    const [r] = rows.splice(i, 1)
    return r.row
  }

  /** One transaction, no concurrency: every row is current. */
  lockRow(): LockResult {
    return { kind: 'current' }
  }

  withOverride<T>(): T {
    throw new RustyError('0A000', 'FakeAccess has no concurrent versions to re-check')
  }

  nextval(_sequence: SequenceDef): bigint {
    return 1n
  }

  currval(_sequence: SequenceDef): bigint {
    return 1n
  }

  setval(_sequence: SequenceDef, value: bigint): bigint {
    return value
  }
}
