/**
 * SessionHost: the leader worker's side of a database: the open Database and one engine session per client
 * session, for this tab and for every follower tab.
 * Owns: the map (client id, client session number) -> DatabaseSession, running DbRequests on them, commit
 * notifications, and closing a client's sessions when its tab goes away.
 * Invariants:
 *   (1) A client session maps to exactly one DatabaseSession for its whole life (created on its first
 *       request), so BEGIN ... COMMIT from a follower tab runs on one engine session (protocol (1)).
 *   (2) Every request is answered with a DbReply, never a rejection (protocol (2)); an error that is not a
 *       RustyError (a bug) is answered as XX000 with the original message.
 *   (3) closeClient(id) closes every session of that client (rolling back its open transaction and releasing
 *       its row locks), so a tab that died in the middle of a transaction never blocks the others.
 *   (4) close() waits for running statements, rolls back open transactions and closes the file; abandon()
 *       releases the files at once without waiting (the page is going away; nothing unsynced is acknowledged).
 * Not here: who the client is or where requests come from (coordinator.ts); choosing storage
 * (storage-choice.ts).
 */
import { RustyError, internalError, wrongState, type Database, type DatabaseSession } from '../engine/index.js'
import type { DbReply, DbRequest, SessionStatus, StorageKind } from './protocol.js'
import { openStorage, type TrackedAdapter } from './storage-choice.js'
import { tablesRead, type CatalogTable } from './tables-read.js'

/** The open database of a leader worker. */
export class SessionHost {
  /** The storage the database lives on. */
  readonly storage: StorageKind
  readonly #db: Database
  readonly #adapter: TrackedAdapter
  /** Sessions by `${client}:${session}` (invariant 1). */
  readonly #sessions = new Map<string, DatabaseSession>()
  #closed = false

  private constructor(db: Database, storage: StorageKind, adapter: TrackedAdapter) {
    this.#db = db
    this.storage = storage
    this.#adapter = adapter
  }

  /** Opens database `name` (storage-choice.ts decides where when `storage` is undefined). */
  static async open(name: string, storage: StorageKind | undefined): Promise<SessionHost> {
    const opened = await openStorage(name, storage)
    return new SessionHost(opened.db, opened.storage, opened.adapter)
  }

  /** Calls `listener` with the qualified names of the tables each durable commit changed. */
  onCommit(listener: (tables: readonly string[]) => void): () => void {
    return this.#db.onCommit(({ tables }) => listener(tables))
  }

  /** Runs one request of client `client` on its session `session` (invariants 1, 2). */
  async handle(client: string, session: number, request: DbRequest): Promise<DbReply> {
    const key = `${client}:${session}`
    let s = this.#sessions.get(key)
    try {
      if (this.#closed) throw wrongState('the database is closed')
      switch (request.op) {
        case 'run':
        case 'batch': {
          if (s === undefined) {
            s = this.#db.session()
            this.#sessions.set(key, s)
          }
          const options = { rowMode: request.rowMode }
          const value = request.op === 'run' ? await s.query(request.sql, request.params, options) : await s.batch(request.sql, request.paramSets, options)
          return { ok: true, value, status: s.status as SessionStatus }
        }
        case 'close':
          this.#sessions.delete(key)
          await s?.close()
          return { ok: true, value: null, status: 'idle' }
        case 'tables':
          return { ok: true, value: await tablesRead(request.sql, () => this.#catalog()), status: statusOf(s) }
      }
    } catch (e) {
      const error = e instanceof RustyError ? e : internalError(e instanceof Error ? e.message : String(e), e)
      return { ok: false, error: error.toJSON(), status: statusOf(s) }
    }
  }

  /** Closes every session of `client` (invariant 3). */
  async closeClient(client: string): Promise<void> {
    const prefix = `${client}:`
    const closing: Promise<void>[] = []
    for (const [key, s] of this.#sessions) {
      if (!key.startsWith(prefix)) continue
      this.#sessions.delete(key)
      closing.push(s.close().catch(() => undefined))
    }
    await Promise.all(closing)
  }

  /** Closes the database (invariant 4). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#sessions.clear()
    await this.#db.close()
  }

  /** Releases the files now (invariant 4). */
  abandon(): void {
    this.#closed = true
    this.#adapter.abandon()
  }

  async #catalog(): Promise<CatalogTable[]> {
    const result = await this.#db.query<CatalogTable>('SELECT table_schema, table_name, table_type FROM information_schema.tables')
    return result.rows
  }
}

function statusOf(s: DatabaseSession | undefined): SessionStatus {
  return (s?.status ?? 'idle') as SessionStatus
}
