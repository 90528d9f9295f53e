/**
 * rustydb/web: RustyDB in the browser. The engine runs in a dedicated Worker and persists to OPFS (or
 * IndexedDB); tabs of one origin that open the same database share it through one leader tab.
 *
 * One statement from page to disk, `db.query('INSERT INTO t VALUES ($1)', [1])` in a follower tab:
 *   1. WebDatabase.query (client.ts) sends { op: 'run' } on session 0 to the tab's worker through comlink.
 *   2. Coordinator.call (coordinator.ts) pins the session to the current leader and posts the request on the
 *      leader's BroadcastChannel inbox (a leader tab runs it itself, skipping this step).
 *   3. The leader's SessionHost.handle (session-host.ts) runs it on the engine session of (tab, session):
 *      Database's session, plan, execute, commit: the WAL write is synced to the OPFS file (or the changed
 *      chunks to IndexedDB, idb-adapter.ts) before the reply is sent.
 *   4. The reply goes back on the tab's inbox; the commit's tables go to every tab's live queries
 *      (live-query.ts) through the shared channel.
 *
 * Bundlers: client.ts starts `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` and the
 * worker loads the WASM core with `new URL('../../build/rustydb.wasm', import.meta.url)`; Vite's build emits
 * both as assets (bench/web.bench.ts builds an app from dist/ that way). With Vite's dev server, add rustydb
 * to `optimizeDeps.exclude` so the URLs stay relative to the package's files. Other bundlers that support
 * module workers by `new URL(..., import.meta.url)` (webpack 5, Parcel) should work too; untested.
 *
 * @example
 * import { openDatabase } from 'rustydb/web'
 * const db = await openDatabase({ name: 'app', persist: true })
 * console.log(db.storage)   // 'opfs'
 * const { rows } = await db.query('SELECT 1 + 1 AS two')
 */
export { RustyError, type RustyErrorData } from '../engine/common/index.js'
export {
  openDatabase,
  WebDatabase,
  WebPreparedStatement,
  WebSession,
  type OpenDatabaseOptions,
  type QueryOptions,
  type QueryResult,
  type TransactionHandle,
  type TransactionOptions,
} from './client.js'
export type { LiveOptions } from './live-query.js'
export type { ResultColumnData as ResultColumn, Role, StorageKind, TablesRead } from './protocol.js'
