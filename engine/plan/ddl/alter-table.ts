/**
 * ALTER TABLE: column and constraint changes, renames.
 * Not here: the other DDL statements (execute-ddl.ts).
 */
import { featureNotSupported } from '../../common/index.js'
import type { Transaction } from '../../txn/index.js'
import type { AlterTable } from '../../sql/index.js'
import type { DdlContext, DdlResult } from './ddl-common.js'

/** Executes ALTER TABLE. */
export function executeAlterTable(stmt: AlterTable, _txn: Transaction, _ctx: DdlContext): DdlResult {
  throw featureNotSupported(`ALTER TABLE ${stmt.actions[0]?.kind ?? ''}`)
}
