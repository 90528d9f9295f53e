/**
 * The browser protocol: every message between a tab's main thread, its worker, and the leader worker of the
 * database (possibly in another tab).
 * Owns: the request union (what a client asks of a database), the reply shape, the worker API the main thread
 * calls through comlink, the events a worker pushes to its page, and the messages tab workers exchange over
 * BroadcastChannels (leader announcements, forwarded requests, replies, commit notifications).
 * Invariants:
 *   (1) Every request names the client session it runs on (0 is the client's default session); a session
 *       lives on exactly one leader worker, so a client's statements on one session run in order on one
 *       engine session (web/session-host.ts).
 *   (2) Every request is answered exactly once: with a value, or with RustyErrorData (plain data; the page
 *       rebuilds a RustyError from it). Errors never cross as thrown exceptions, so comlink's generic error
 *       serialization (which drops `code`, `position`, ...) is never used.
 *   (3) A reply carries the session's transaction status after the request ran, so a follower knows which of
 *       its sessions held an open transaction when a leader went away (web/coordinator.ts).
 *   (4) A `redirect` reply means the leader did not run the request (it was closing): sending it again to the
 *       next leader cannot apply it twice.
 * Channel and lock names (NAME is the database name):
 *
 *   | name                              | kind             | meaning                                        |
 *   |-----------------------------------|------------------|------------------------------------------------|
 *   | rustydb:NAME:leader               | Web Lock         | held by the one worker that opened the file    |
 *   | rustydb:NAME:alive:ID             | Web Lock         | held by worker ID for its whole life           |
 *   | rustydb:NAME                      | BroadcastChannel | hello, leader, resign, commit (all workers)    |
 *   | rustydb:NAME:to:ID                | BroadcastChannel | requests, resign-ack to / replies, redirect,   |
 *   |                                   |                  | resigned for worker ID                         |
 *
 * Not here: what a request does (session-host.ts), routing and failover (coordinator.ts).
 */
import type { RustyErrorData } from '../engine/common/index.js'

/** Where a database lives: the Origin Private File System, IndexedDB, or this tab's memory. */
export type StorageKind = 'opfs' | 'idb' | 'memory'

/** A result column: its name and PostgreSQL type name (as Database returns it). */
export interface ResultColumnData {
  readonly name: string
  readonly type: string
}

/** A query result as it crosses the worker boundary (structured clone keeps bigint, Date and Uint8Array). */
export interface QueryResultData<R = unknown> {
  readonly columns: readonly ResultColumnData[]
  readonly rows: R[]
  readonly rowCount: number
  readonly command: string
}

/** The tables a query reads (qualified, "public.todos"), or `'*'` when they cannot be told (views). */
export type TablesRead = readonly string[] | '*'

/** What a client asks of a database; one typed union (invariant 1). */
export type DbRequest =
  /** Runs SQL (one or more statements) on the session; the value is the last statement's result. */
  | { readonly op: 'run'; readonly sql: string; readonly params: readonly unknown[]; readonly rowMode?: 'object' | 'array' }
  /** Runs `sql` once per parameter set, in order, in one message (bulk work without a round trip per row). */
  | { readonly op: 'batch'; readonly sql: string; readonly paramSets: readonly (readonly unknown[])[]; readonly rowMode?: 'object' | 'array' }
  /** Ends the session (rolling back its open transaction); a session never used is a no-op. */
  | { readonly op: 'close' }
  /** The tables a read-only query reads, for live queries; 0A000 for statements that write. */
  | { readonly op: 'tables'; readonly sql: string }

/** The value of each request kind. */
export interface DbResultMap {
  run: QueryResultData
  batch: QueryResultData[]
  close: null
  tables: TablesRead
}

/** A session's transaction status, as DatabaseSession.status reports it. */
export type SessionStatus = 'idle' | 'in-transaction' | 'failed'

/** The answer to one request (invariant 2, 3). */
export type DbReply =
  | { readonly ok: true; readonly value: unknown; readonly status: SessionStatus }
  | { readonly ok: false; readonly error: RustyErrorData; readonly status: SessionStatus }

/** Options the page passes to its worker when it opens a database. */
export interface ConnectOptions {
  readonly name: string
  /** Requested storage; undefined: OPFS when it works, else IndexedDB (web/storage-choice.ts). */
  readonly storage?: StorageKind
}

/** What the worker reports once the database can take statements. */
export interface ConnectInfo {
  /** The storage the database lives on (the leader's choice, for a follower tab). */
  readonly storage: StorageKind
  /** 'leader' when this tab's worker opened the file, 'follower' when it forwards to another tab. */
  readonly role: Role
}

/** A worker's part in its database's tab group. */
export type Role = 'leader' | 'follower'

/** What a worker pushes to its page. */
export type WorkerEvent =
  /** A commit changed these tables (`'*'`: unknown which, e.g. after a new leader took over). */
  | { readonly type: 'commit'; readonly tables: TablesRead }
  /** This tab's worker changed role (a follower became leader after the previous leader left). */
  | { readonly type: 'role'; readonly role: Role }

/** The worker's API, as the page calls it through comlink (web/worker.ts exposes it). */
export interface WorkerApi {
  /** Opens (or joins) the database; `onEvent` receives WorkerEvents for the worker's whole life. */
  connect(options: ConnectOptions, onEvent: (event: WorkerEvent) => void): Promise<{ ok: true; value: ConnectInfo } | { ok: false; error: RustyErrorData }>
  /** Runs one request on the client session `session` (0: the default session). Never rejects (invariant 2). */
  call(session: number, request: DbRequest): Promise<DbReply>
  /** Closes the database (a leader hands over to another tab); resolves when the file and locks are released. */
  close(): Promise<void>
  /** The page is going away: release OPFS handles and locks now, synchronously where the platform allows. */
  abandon(): void
}

/** Messages on the database's shared channel `rustydb:NAME`. */
export type ControlMessage =
  /** A new worker asks the leader to announce itself. */
  | { readonly type: 'hello'; readonly from: string }
  /** The leader `id` serves requests on `rustydb:NAME:to:id`. */
  | { readonly type: 'leader'; readonly id: string; readonly storage: StorageKind }
  /**
   * The leader `id` is closing: followers stop sending to it and answer `resign-ack`; it serves what it got,
   * closes, says `resigned` and releases its lock (coordinator (7)).
   */
  | { readonly type: 'resign'; readonly id: string }
  /** A commit on the leader changed these tables. */
  | { readonly type: 'commit'; readonly id: string; readonly tables: readonly string[] }

/** Messages on a worker's inbox `rustydb:NAME:to:ID`. */
export type InboxMessage =
  /** A follower's request, to the leader. `id` numbers it within the follower. */
  | { readonly type: 'request'; readonly from: string; readonly id: number; readonly session: number; readonly request: DbRequest }
  /** The leader's answer to request `id`. */
  | { readonly type: 'reply'; readonly id: number; readonly reply: DbReply }
  /** The leader did not run request `id` because it is closing (invariant 4). */
  | { readonly type: 'redirect'; readonly id: number }
  /** A follower saw the leader's `resign`: it sends nothing more to this leader (coordinator (7)). */
  | { readonly type: 'resign-ack'; readonly from: string }
  /**
   * The closing leader `from` has sent every reply and redirect it will send to this worker (the last message on
   * the same channel as the replies, so it arrives after them).
   */
  | { readonly type: 'resigned'; readonly from: string }

/** Lock and channel names (see the table in the header). */
export const names = {
  leaderLock: (db: string) => `rustydb:${db}:leader`,
  aliveLock: (db: string, id: string) => `rustydb:${db}:alive:${id}`,
  control: (db: string) => `rustydb:${db}`,
  inbox: (db: string, id: string) => `rustydb:${db}:to:${id}`,
} as const
