/**
 * engine/txn: transactions over the KvStore: private write sets merged over snapshots (read-your-writes),
 * constraint checks, savepoints, atomic commits; the TableAccess the planner and executor use.
 */
export { ROW_KEY, type CatalogReader, type KeyBound, type LockPolicy, type LockResult, type ScanOptions, type TableAccess } from './table-access.js'
export { LockWait, Transaction, resourceOf, type CatalogWriter, type IsolationLevel } from './transaction.js'
export { LockManager, LockMode } from './lock-manager.js'
export { TxnManager, type BeginOptions } from './txn-manager.js'
export { tableInfo, type IndexInfo, type TableInfo } from './table-info.js'
