/**
 * rustydb: the public API: `Database` (SQL), the key-value store beneath it (`KvStore`), storage adapters,
 * the key codec and `RustyError`.
 *
 * One statement from parse to storage, `db.query('SELECT name FROM t WHERE id = $1', [7])`:
 *   1. Database.query (database.ts) hands it to the default Session (session.ts), which runs statements one
 *      at a time and opens an implicit transaction: TxnManager.begin (txn/) takes a KvStore snapshot.
 *   2. parse (sql/parser) turns the text into frozen AST nodes carrying their positions.
 *   3. planStatement (plan/planner.ts) binds names and types against the transaction's catalog view
 *      (plan/binder: QueryBinder, ExprBinder), pushes `id = $1` into the scan of t and turns it into a
 *      primary-key range (from-binder.ts), and returns a physical plan of PlanNodes.
 *   4. executePlan (exec/) pulls batches of column vectors through the operators; the scan reads rows through
 *      the Transaction's TableAccess, which merges the private write set over the snapshot and decodes rows
 *      (catalog/row-codec.ts) from the B+tree in WASM (wasm/, assembly/).
 *   5. collect (session.ts) converts values to JS (common/values toJs); an implicit transaction commits
 *      (a WriteBatch through KvStore's group commit: WAL append + sync) before the promise resolves.
 * Browser-safe: nothing here imports Node built-ins; `engine/node.ts` adds the Node fs adapter.
 *
 * @example
 * import { KvStore, MemoryAdapter } from 'rustydb'
 * const kv = await KvStore.open({ adapter: new MemoryAdapter(), name: 'app.rdb', create: true })
 * await kv.commit(kv.batch().createTree('t').put('t', new Uint8Array([1]), new Uint8Array([2])))
 */
export * from './common/index.js'
export * from './storage/index.js'
export {
  Database,
  DatabaseSession,
  PreparedStatement,
  setPathResolver,
  type CommitEvent,
  type DatabaseStats,
  type DatabaseOptions,
  type TransactionHandle,
  type TransactionOptions,
} from './database.js'
export { type QueryResult, type QueryOptions, type ResultColumn } from './session.js'
export { parse } from './sql/index.js'
export { compileCore } from './wasm/index.js'
