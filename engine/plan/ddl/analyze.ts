/**
 * ANALYZE [table [(columns)], ...]: gathers table statistics for the planner.
 * Owns: choosing the tables and columns, the scan with reservoir sampling, handing the results to the
 * transaction (stored at commit, catalog/table-stats.ts).
 * Invariants:
 *   (1) The row count is exact (every row is counted); column statistics come from a sample of at most
 *       SAMPLE_ROWS rows (all rows of a smaller table), so ANALYZE's memory does not grow with the table.
 *   (2) ANALYZE t (a) recomputes only a's statistics and keeps the other columns' previous ones.
 *   (3) The sample is seeded by the table id: the same table contents give the same statistics.
 * Not here: the statistics themselves (catalog/table-stats.ts), their use (binder/from-binder.ts).
 */
import type { Analyze } from '../../sql/index.js'
import type { SqlValue } from '../../common/types.js'
import type { TableDef } from '../../catalog/schema.js'
import { type ColumnStats, Reservoir, SAMPLE_ROWS, computeColumnStats } from '../../catalog/table-stats.js'
import type { Transaction } from '../../txn/index.js'
import { type DdlContext, type DdlResult, columnOrdinal, requireTable } from './ddl-common.js'

/** Runs ANALYZE: every table of the catalog without targets, else the named tables (and columns). */
export function analyze(stmt: Analyze, txn: Transaction, ctx: DdlContext): DdlResult {
  if (stmt.targets.length === 0) {
    for (const table of txn.catalog.tables()) analyzeTable(txn, table, null)
    return { command: 'ANALYZE', notices: [] }
  }
  for (const target of stmt.targets) {
    const table = requireTable(txn, target.table, ctx)
    const ordinals = target.columns.length === 0 ? null : target.columns.map((c) => columnOrdinal(table, c))
    analyzeTable(txn, table, ordinals)
  }
  return { command: 'ANALYZE', notices: [] }
}

/** Scans `table` once, computes statistics of `ordinals` (null: every column) and records them in `txn`. */
export function analyzeTable(txn: Transaction, table: TableDef, ordinals: readonly number[] | null): void {
  const columns = ordinals === null ? table.columns.map((_c, i) => i) : [...new Set(ordinals)]
  const reservoir = new Reservoir<SqlValue[]>(SAMPLE_ROWS, table.id * 2654435761)
  for (const batch of txn.scan(table, { columns })) {
    for (let r = 0; r < batch.length; r++) {
      const at = reservoir.wants()
      if (at < 0) continue
      const row: SqlValue[] = new Array(columns.length)
      for (let c = 0; c < columns.length; c++) row[c] = batch.columns[c][r]
      reservoir.put(at, row)
    }
  }
  const rowCount = reservoir.seen
  const sample = reservoir.items
  const computed: ColumnStats[] = columns.map((ordinal, c) => {
    const col = table.columns[ordinal]
    return computeColumnStats(
      col.name,
      col.type,
      sample.map((row) => row[c]),
      rowCount,
    )
  })
  // Invariant (2): keep what earlier ANALYZEs found about the other columns (still matching by name and type).
  const previous = txn.stats(table)?.analyzed?.columns ?? []
  const names = new Set(computed.map((c) => c.name))
  const kept = previous.filter((p) => !names.has(p.name) && table.columns.some((c) => c.name === p.name && c.type.id === p.type.id))
  txn.putAnalyzedStats(table, Object.freeze({ analyzedRows: rowCount, columns: Object.freeze([...kept, ...computed]) }))
}
