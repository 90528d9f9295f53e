/**
 * Coordinator: one tab worker's place in its database's group of tabs: leader election with Web Locks,
 * forwarding statements to the leader, and taking over when the leader goes away.
 * Owns: the worker's lifecycle state, the client sessions of its page (which leader each is pinned to and
 * whether its transaction was lost), requests forwarded to the leader and queued while there is none, and
 * the leader's side of the BroadcastChannel protocol (web/protocol.ts).
 *
 * Lifecycle (each edge names the function that takes it):
 *
 *   CONNECTING --#lead--> OPENING --#lead--> LEADER --close--> RESIGNING --close--> CLOSING --close--> CLOSED
 *   CONNECTING --#onLeader--> FOLLOWER --#leaderGone--> WAITING --#onLeader--> FOLLOWER
 *   FOLLOWER/WAITING --#lead (the leader lock came to us)--> OPENING
 *   OPENING --#lead (the file did not open)--> FAILED;  any --abandon--> CLOSED
 *
 * Invariants:
 *   (1) Only the holder of the Web Lock `rustydb:NAME:leader` opens the database file; it holds the lock
 *       until its database is closed (or its worker dies, when the browser releases the lock).
 *   (2) Every worker holds `rustydb:NAME:alive:ID` for its whole life. Followers wait on the leader's, the
 *       leader on each follower's: being granted it means that worker is gone (a crash included).
 *   (3) Every request is answered exactly once; none waits forever: a request in flight to a leader that
 *       goes away fails with 08007 (it may or may not have committed; everything it committed and was
 *       acknowledged stays committed: the leader acknowledges only durable commits), a request that finds
 *       no leader for LEADER_WAIT_MS fails with 08001.
 *   (4) A client session is pinned to one leader. When that leader goes away, a session that had a
 *       transaction open (or a BEGIN in flight) is "lost": its transaction was rolled back with the leader,
 *       so every statement fails with 08006 until ROLLBACK (which succeeds) or COMMIT (which fails and ends
 *       the block); nothing it runs later can commit half of that transaction. A session with no open
 *       transaction moves to the next leader unnoticed (its SET settings do not move with it).
 *   (5) A request redirected by a closing leader (not run, protocol (4)) is queued again and re-checked
 *       against (4) before it runs anywhere.
 *   (6) Statements of one session reach the leader in call order: queued requests are dispatched in order,
 *       and BroadcastChannel delivers one sender's messages in order.
 *   (7) Clean handover: a closing leader posts `resign` and keeps serving; each follower stops sending (it
 *       queues for the next leader) and answers `resign-ack` on the channel of its requests, so the ack comes
 *       after its last request. Once every follower it served acked (or RESIGN_WAIT_MS passed), the leader
 *       closes the database (answering everything it runs), sends `resigned` after its last reply, and
 *       releases its lock. A follower fails requests in flight only after `resigned` (or RESIGN_WAIT_MS after
 *       the lock came free: Web Lock grants and BroadcastChannel messages are not ordered with each other).
 *       So a clean handover fails no statement.
 * Not here: what requests do (session-host.ts), the page API (client.ts).
 */
import { RustyError, SqlState, wrongState, type RustyErrorData } from '../engine/index.js'
import {
  names,
  type ConnectInfo,
  type ConnectOptions,
  type ControlMessage,
  type DbReply,
  type DbRequest,
  type InboxMessage,
  type Role,
  type SessionStatus,
  type StorageKind,
  type WorkerEvent,
} from './protocol.js'
import { SessionHost } from './session-host.js'
import { databaseFile } from './storage-choice.js'

/** How long a request (or connect) waits for some tab to lead before failing with 08001. */
export const LEADER_WAIT_MS = 20_000

/** How long a follower waits for a resigning leader's last replies once its lock is free (invariant 7). */
export const RESIGN_WAIT_MS = 1_000

/** How long close() waits for a follower's statements in flight before failing them with 08003. */
export const CLOSE_WAIT_MS = 5_000

export const CoordinatorState = {
  CONNECTING: 'connecting',
  OPENING: 'opening',
  LEADER: 'leader',
  FOLLOWER: 'follower',
  WAITING: 'waiting',
  RESIGNING: 'resigning',
  CLOSING: 'closing',
  CLOSED: 'closed',
  FAILED: 'failed',
} as const
export type CoordinatorState = (typeof CoordinatorState)[keyof typeof CoordinatorState]

/** A client session as this worker tracks it (invariant 4). */
interface SessionTrack {
  status: SessionStatus
  /** The leader its engine session lives on, once it ran something. */
  pinned: string | undefined
  /** Requests in flight that may open a transaction (their reply tells the status). */
  beginsInFlight: number
  lost: boolean
}

/** A request of this worker's page on its way to (or waiting for) a leader. */
interface Forwarded {
  readonly id: number
  readonly session: number
  readonly request: DbRequest
  readonly resolve: (reply: DbReply) => void
  /** The leader it was sent to; undefined while queued. */
  leader: string | undefined
  /** It may run BEGIN (counted in the session's beginsInFlight while in flight). */
  readonly mayBegin: boolean
  readonly queuedAt: number
}

/** The leader this follower sends to. */
interface LeaderInfo {
  readonly id: string
  readonly storage: StorageKind
  resigning: boolean
  /** Called when its `resigned` arrives (see #leaderLeft). */
  onResigned?: () => void
}

const MAY_BEGIN = /\b(begin|start\s+transaction)\b/i
const ROLLBACK = /^\s*(rollback|abort)\b[^;]*;?\s*$/i
const COMMIT = /^\s*(commit|end)\b[^;]*;?\s*$/i

function failure(code: string, message: string, hint?: string, status: SessionStatus = 'idle'): DbReply {
  return { ok: false, error: new RustyError(code, message, hint === undefined ? {} : { hint }).toJSON(), status }
}

/** The tab worker's coordinator (one per worker, one database per worker). */
export class Coordinator {
  /** This worker's id in the group (names its alive lock and its inbox). */
  readonly id = crypto.randomUUID()
  #state: CoordinatorState = CoordinatorState.CONNECTING
  #name = ''
  #requested: StorageKind | undefined
  #onEvent: (event: WorkerEvent) => void = () => undefined
  #host: SessionHost | undefined
  #leader: LeaderInfo | undefined
  /** The storage of the last leader we knew: a follower that takes over opens the same one. */
  #lastStorage: StorageKind | undefined
  #failure: RustyErrorData | undefined
  readonly #tracks = new Map<number, SessionTrack>()
  readonly #inFlight = new Map<number, Forwarded>()
  #queue: Forwarded[] = []
  #nextRequest = 1
  #control: BroadcastChannel | undefined
  #inbox: BroadcastChannel | undefined
  readonly #outboxes = new Map<string, BroadcastChannel>()
  /** Aborts every lock this worker waits for (the leader lock, others' alive locks) on close. */
  readonly #abort = new AbortController()
  #releaseAlive: (() => void) | undefined
  #releaseLeader: (() => void) | undefined
  readonly #watchedClients = new Set<string>()
  #connected: { resolve: (info: ConnectInfo) => void; reject: (error: RustyError) => void } | undefined
  #waitTimer: ReturnType<typeof setTimeout> | undefined
  #stopCommits: (() => void) | undefined
  /** While resigning: called with each follower's `resign-ack`. */
  #acks: ((client: string) => void) | undefined

  get state(): CoordinatorState {
    return this.#state
  }

  /** Opens or joins database `options.name`; resolves once statements can run. */
  async connect(options: ConnectOptions, onEvent: (event: WorkerEvent) => void): Promise<ConnectInfo> {
    if (this.#state !== CoordinatorState.CONNECTING || this.#name !== '') throw wrongState('this worker is already connected to a database')
    databaseFile(options.name)
    this.#name = options.name
    this.#requested = options.storage
    this.#onEvent = onEvent
    if (options.storage === 'memory' || !multiTab()) return this.#openAlone()

    await new Promise<void>((granted) => {
      void navigator.locks.request(names.aliveLock(this.#name, this.id), () => {
        granted()
        return new Promise<void>((release) => (this.#releaseAlive = release))
      })
    })
    this.#control = new BroadcastChannel(names.control(this.#name))
    this.#control.onmessage = (event: MessageEvent<ControlMessage>) => this.#onControl(event.data)
    this.#inbox = new BroadcastChannel(names.inbox(this.#name, this.id))
    this.#inbox.onmessage = (event: MessageEvent<InboxMessage>) => this.#onInbox(event.data)

    const connected = new Promise<ConnectInfo>((resolve, reject) => (this.#connected = { resolve, reject }))
    navigator.locks
      .request(names.leaderLock(this.#name), { signal: this.#abort.signal }, () => this.#lead())
      .catch(() => undefined)
    this.#post({ type: 'hello', from: this.id })
    const timer = setTimeout(() => {
      this.#connected?.reject(new RustyError('08001', `no tab answered for database "${this.#name}" within ${LEADER_WAIT_MS} ms`))
    }, LEADER_WAIT_MS)
    try {
      return await connected
    } finally {
      clearTimeout(timer)
      this.#connected = undefined
    }
  }

  /** Runs a request of the page on client session `session` (invariants 3..6). */
  call(session: number, request: DbRequest): Promise<DbReply> {
    return new Promise<DbReply>((resolve) => {
      const forwarded: Forwarded = {
        id: this.#nextRequest++,
        session,
        request,
        resolve,
        leader: undefined,
        mayBegin: (request.op === 'run' || request.op === 'batch') && MAY_BEGIN.test(request.sql),
        queuedAt: Date.now(),
      }
      this.#dispatch(forwarded)
    })
  }

  /** Closes the database: a leader finishes running statements, closes the file and hands over. */
  async close(): Promise<void> {
    const state = this.#state
    if (state === CoordinatorState.CLOSED || state === CoordinatorState.CLOSING || state === CoordinatorState.RESIGNING) return
    this.#state = CoordinatorState.CLOSING
    this.#abort.abort()
    this.#failQueue('08003', 'the database is closed')
    this.#stopCommits?.()
    if (this.#host !== undefined) {
      // Invariant (7): keep serving until every follower has seen `resign` (its ack comes after its last
      // request), then close, then say `resigned` after the last reply.
      this.#state = CoordinatorState.RESIGNING
      this.#post({ type: 'resign', id: this.id })
      await this.#resignAcks()
      this.#state = CoordinatorState.CLOSING
      await this.#host.close().catch(() => undefined)
      this.#host = undefined
      // Invariant (7): after every reply, on the same channels.
      for (const client of this.#watchedClients) this.#sendTo(client, { type: 'resigned', from: this.id })
    }
    // A follower's statements in flight are answered by the leader (or fail when it goes away, invariant 3).
    const deadline = Date.now() + CLOSE_WAIT_MS
    while (this.#inFlight.size > 0 && Date.now() < deadline) await sleep(5)
    for (const f of this.#inFlight.values()) f.resolve(failure('08003', 'the database was closed while the statement was in flight'))
    this.#inFlight.clear()
    this.#shutdown()
  }

  /** Resolves when every follower this leader served acknowledged `resign`, or after RESIGN_WAIT_MS. */
  async #resignAcks(): Promise<void> {
    const waiting = new Set(this.#watchedClients)
    if (waiting.size === 0) return
    await new Promise<void>((done) => {
      const timer = setTimeout(done, RESIGN_WAIT_MS)
      this.#acks = (client) => {
        waiting.delete(client)
        if (waiting.size > 0) return
        clearTimeout(timer)
        done()
      }
    })
    this.#acks = undefined
  }

  /** The page is going away: release files and locks now, answer everything pending (08003). */
  abandon(): void {
    if (this.#state === CoordinatorState.CLOSED) return
    this.#state = CoordinatorState.CLOSING
    this.#abort.abort()
    this.#host?.abandon()
    this.#host = undefined
    this.#failQueue('08003', 'the page was closed')
    for (const f of this.#inFlight.values()) f.resolve(failure('08003', 'the page was closed'))
    this.#inFlight.clear()
    this.#shutdown()
  }

  #shutdown(): void {
    this.#state = CoordinatorState.CLOSED
    clearTimeout(this.#waitTimer)
    this.#releaseLeader?.()
    this.#releaseAlive?.()
    this.#control?.close()
    this.#inbox?.close()
    for (const channel of this.#outboxes.values()) channel.close()
    this.#outboxes.clear()
  }

  /** Memory databases, and browsers without Web Locks or BroadcastChannel: this worker alone. */
  async #openAlone(): Promise<ConnectInfo> {
    this.#state = CoordinatorState.OPENING
    try {
      this.#host = await SessionHost.open(this.#name, this.#requested)
    } catch (e) {
      this.#state = CoordinatorState.FAILED
      throw e
    }
    this.#state = CoordinatorState.LEADER
    this.#stopCommits = this.#host.onCommit((tables) => this.#onEvent({ type: 'commit', tables }))
    return { storage: this.#host.storage, role: 'leader' }
  }

  /** The leader lock is ours (invariant 1): open the database and serve until close. */
  async #lead(): Promise<void> {
    if (this.#state === CoordinatorState.CLOSING || this.#state === CoordinatorState.CLOSED) return
    const takeover = this.#state !== CoordinatorState.CONNECTING
    // The previous leader released the lock, so it is gone: nothing in flight to it will be answered after
    // its last messages arrive (invariant 7).
    if (this.#leader !== undefined) await this.#leaderLeft(this.#leader.id)
    if ((this.#state as CoordinatorState) === CoordinatorState.CLOSING || (this.#state as CoordinatorState) === CoordinatorState.CLOSED) return
    this.#state = CoordinatorState.OPENING
    let host: SessionHost
    try {
      host = await SessionHost.open(this.#name, this.#lastStorage ?? this.#requested)
    } catch (e) {
      const error = e instanceof RustyError ? e : new RustyError(SqlState.INTERNAL_ERROR, String(e), { cause: e })
      this.#state = CoordinatorState.FAILED
      this.#failure = error.toJSON()
      this.#connected?.reject(error)
      this.#failQueue(error.code, error.message, error.hint)
      return
    }
    if (this.#state !== CoordinatorState.OPENING) {
      // Closed or abandoned while opening.
      await host.close().catch(() => undefined)
      return
    }
    this.#host = host
    this.#lastStorage = host.storage
    this.#state = CoordinatorState.LEADER
    clearTimeout(this.#waitTimer)
    this.#stopCommits = host.onCommit((tables) => {
      this.#onEvent({ type: 'commit', tables })
      this.#post({ type: 'commit', id: this.id, tables })
    })
    this.#post({ type: 'leader', id: this.id, storage: host.storage })
    this.#connected?.resolve({ storage: host.storage, role: 'leader' })
    if (takeover) {
      this.#onEvent({ type: 'role', role: 'leader' })
      this.#onEvent({ type: 'commit', tables: '*' })
    }
    this.#flushQueue()
    await new Promise<void>((release) => (this.#releaseLeader = release))
  }

  #onControl(message: ControlMessage): void {
    switch (message.type) {
      case 'hello':
        if (this.#state === CoordinatorState.LEADER && this.#host !== undefined) this.#post({ type: 'leader', id: this.id, storage: this.#host.storage })
        return
      case 'leader':
        this.#onLeader(message.id, message.storage)
        return
      case 'resign':
        if (this.#leader?.id === message.id) {
          this.#leader.resigning = true
          this.#sendTo(message.id, { type: 'resign-ack', from: this.id })
        }
        return
      case 'commit':
        if (this.#leader?.id === message.id) this.#onEvent({ type: 'commit', tables: message.tables })
        return
    }
  }

  /** A leader announced itself. */
  #onLeader(id: string, storage: StorageKind): void {
    if (id === this.id || this.#leader?.id === id) return
    const state = this.#state
    if (state !== CoordinatorState.CONNECTING && state !== CoordinatorState.FOLLOWER && state !== CoordinatorState.WAITING) return
    if (this.#leader !== undefined) this.#leaderGone(this.#leader.id)
    if (state === CoordinatorState.CONNECTING && this.#requested !== undefined && this.#requested !== storage) {
      this.#connected?.reject(
        new RustyError(
          SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
          `database "${this.#name}" is open in another tab on ${storage}, not ${this.#requested}`,
          { hint: `open it with storage '${storage}' (or leave storage unset) while that tab has it open` },
        ),
      )
      return
    }
    this.#leader = { id, storage, resigning: false }
    this.#lastStorage = storage
    this.#state = CoordinatorState.FOLLOWER
    clearTimeout(this.#waitTimer)
    // Invariant (2): the leader's alive lock comes to us only when its worker is gone.
    navigator.locks
      .request(names.aliveLock(this.#name, id), { signal: this.#abort.signal }, () => this.#leaderLeft(id))
      .catch(() => undefined)
    if (state === CoordinatorState.CONNECTING) this.#connected?.resolve({ storage, role: 'follower' })
    else this.#onEvent({ type: 'commit', tables: '*' })
    this.#flushQueue()
  }

  /**
   * Leader `id` released its lock or its worker ended. A leader that resigned (closed cleanly) still has
   * replies on their way: wait for its `resigned` (invariant 7), at most RESIGN_WAIT_MS, then #leaderGone.
   */
  async #leaderLeft(id: string): Promise<void> {
    const leader = this.#leader
    if (leader?.id !== id) return
    if (leader.resigning && [...this.#inFlight.values()].some((f) => f.leader === id)) {
      await new Promise<void>((done) => {
        const timer = setTimeout(done, RESIGN_WAIT_MS)
        leader.onResigned = () => {
          clearTimeout(timer)
          done()
        }
      })
    }
    this.#leaderGone(id)
  }

  /** Leader `id` is gone (invariants 3, 4): fail what was in flight to it, mark sessions that lost a transaction. */
  #leaderGone(id: string): void {
    if (this.#leader?.id !== id) return
    this.#leader = undefined
    this.#outboxes.get(id)?.close()
    this.#outboxes.delete(id)
    if (this.#state === CoordinatorState.FOLLOWER) this.#state = CoordinatorState.WAITING
    for (const track of this.#tracks.values()) {
      if (track.pinned !== id) continue
      track.lost = track.status !== 'idle' || track.beginsInFlight > 0
      track.pinned = undefined
      track.status = 'idle'
      track.beginsInFlight = 0
    }
    for (const f of [...this.#inFlight.values()]) {
      if (f.leader !== id) continue
      this.#inFlight.delete(f.id)
      f.resolve(
        failure(
          '08007',
          'the tab running this database closed while the statement was in flight: it may or may not have committed',
          'every statement acknowledged before stays committed; check before retrying a write',
        ),
      )
    }
    if (this.#state === CoordinatorState.WAITING) {
      this.#post({ type: 'hello', from: this.id })
      this.#armWaitTimer()
    }
  }

  /** A message on this worker's inbox: requests when leading, replies when following. */
  #onInbox(message: InboxMessage): void {
    switch (message.type) {
      case 'request': {
        const host = this.#host
        const serving = this.#state === CoordinatorState.LEADER || this.#state === CoordinatorState.RESIGNING
        if (!serving || host === undefined) {
          this.#sendTo(message.from, { type: 'redirect', id: message.id })
          return
        }
        this.#watchClient(message.from)
        void host.handle(message.from, message.session, message.request).then((reply) => {
          this.#sendTo(message.from, { type: 'reply', id: message.id, reply })
        })
        return
      }
      case 'reply': {
        const f = this.#inFlight.get(message.id)
        if (f === undefined) return
        this.#inFlight.delete(message.id)
        this.#settle(f, message.reply)
        return
      }
      case 'resign-ack':
        this.#acks?.(message.from)
        return
      case 'resigned':
        if (this.#leader?.id === message.from) {
          this.#leader.resigning = true
          this.#leader.onResigned?.()
          this.#leaderGone(message.from)
        }
        return
      case 'redirect': {
        const f = this.#inFlight.get(message.id)
        if (f === undefined) return
        // Invariant (5): not run; wait for the next leader and re-check the session first.
        this.#inFlight.delete(message.id)
        this.#untrackInFlight(f)
        f.leader = undefined
        this.#queue.push(f)
        this.#armWaitTimer()
        return
      }
    }
  }

  /** Closes a follower's sessions once its worker is gone (invariant 2, session-host (3)). */
  #watchClient(client: string): void {
    if (this.#watchedClients.has(client)) return
    this.#watchedClients.add(client)
    navigator.locks
      .request(names.aliveLock(this.#name, client), { signal: this.#abort.signal }, async () => {
        this.#watchedClients.delete(client)
        await this.#host?.closeClient(client)
      })
      .catch(() => undefined)
  }

  /** Sends, runs or queues one request (invariants 4..6). */
  #dispatch(f: Forwarded): void {
    const state = this.#state
    if (state === CoordinatorState.CLOSING || state === CoordinatorState.CLOSED) {
      f.resolve(failure('08003', 'the database is closed'))
      return
    }
    if (state === CoordinatorState.FAILED && this.#failure !== undefined) {
      f.resolve({ ok: false, error: this.#failure, status: 'idle' })
      return
    }
    const track = this.#track(f.session)
    const lost = this.#lostReply(track, f)
    if (lost !== undefined) {
      f.resolve(lost)
      return
    }
    if (state === CoordinatorState.LEADER && this.#host !== undefined) {
      track.pinned = this.id
      void this.#host.handle(this.id, f.session, f.request).then((reply) => this.#settle(f, reply))
      return
    }
    const leader = this.#leader
    if (state === CoordinatorState.FOLLOWER && leader !== undefined && !leader.resigning && this.#queue.length === 0) {
      if (track.pinned !== undefined && track.pinned !== leader.id) {
        // Cannot happen: #leaderGone unpins every session of a leader before the next one is known.
        f.resolve(failure(SqlState.INTERNAL_ERROR, `internal error: session ${f.session} is pinned to another leader`))
        return
      }
      track.pinned = leader.id
      f.leader = leader.id
      if (f.mayBegin) track.beginsInFlight++
      this.#inFlight.set(f.id, f)
      this.#sendTo(leader.id, { type: 'request', from: this.id, id: f.id, session: f.session, request: f.request })
      return
    }
    this.#queue.push(f)
    this.#armWaitTimer()
  }

  /** Invariant (4): the answer for a request on a session whose transaction was lost, if any. */
  #lostReply(track: SessionTrack, f: Forwarded): DbReply | undefined {
    if (!track.lost) return undefined
    const request = f.request
    if (request.op === 'tables') return undefined
    if (request.op === 'close') {
      this.#tracks.delete(f.session)
      return { ok: true, value: null, status: 'idle' }
    }
    if (ROLLBACK.test(request.sql)) {
      track.lost = false
      return { ok: true, value: { columns: [], rows: [], rowCount: 0, command: 'ROLLBACK' }, status: 'idle' }
    }
    const message = 'the tab running this database closed while this session had a transaction open: the transaction was rolled back'
    if (COMMIT.test(request.sql)) {
      track.lost = false
      return failure('08006', message, 'nothing of the transaction was committed; run it again')
    }
    return failure('08006', message, 'run ROLLBACK to use this session again', 'failed')
  }

  #settle(f: Forwarded, reply: DbReply): void {
    const track = this.#tracks.get(f.session)
    if (track !== undefined && track.pinned === (f.leader ?? this.id)) {
      track.status = reply.status
      if (f.leader !== undefined && f.mayBegin) track.beginsInFlight = Math.max(0, track.beginsInFlight - 1)
    }
    if (f.request.op === 'close') this.#tracks.delete(f.session)
    f.resolve(reply)
  }

  #untrackInFlight(f: Forwarded): void {
    const track = this.#tracks.get(f.session)
    if (track !== undefined && f.mayBegin) track.beginsInFlight = Math.max(0, track.beginsInFlight - 1)
  }

  #track(session: number): SessionTrack {
    let track = this.#tracks.get(session)
    if (track === undefined) {
      track = { status: 'idle', pinned: undefined, beginsInFlight: 0, lost: false }
      this.#tracks.set(session, track)
    }
    return track
  }

  #flushQueue(): void {
    const queue = this.#queue
    this.#queue = []
    for (const f of queue) this.#dispatch(f)
  }

  #failQueue(code: string, message: string, hint?: string): void {
    const queue = this.#queue
    this.#queue = []
    for (const f of queue) f.resolve(failure(code, message, hint))
  }

  /** Invariant (3): queued requests fail with 08001 when no leader shows up in time. */
  #armWaitTimer(): void {
    if (this.#waitTimer !== undefined) return
    this.#waitTimer = setTimeout(() => {
      this.#waitTimer = undefined
      const now = Date.now()
      const expired = this.#queue.filter((f) => now - f.queuedAt >= LEADER_WAIT_MS)
      this.#queue = this.#queue.filter((f) => now - f.queuedAt < LEADER_WAIT_MS)
      for (const f of expired) {
        f.resolve(failure('08001', `no tab took over database "${this.#name}" within ${LEADER_WAIT_MS} ms`, 'reload the page to open the database again'))
      }
      if (this.#queue.length > 0) this.#armWaitTimer()
    }, LEADER_WAIT_MS / 4)
  }

  #post(message: ControlMessage): void {
    this.#control?.postMessage(message)
  }

  #sendTo(id: string, message: InboxMessage): void {
    let channel = this.#outboxes.get(id)
    if (channel === undefined) {
      channel = new BroadcastChannel(names.inbox(this.#name, id))
      this.#outboxes.set(id, channel)
    }
    channel.postMessage(message)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** True when this context has what leader election needs (Web Locks and BroadcastChannel). */
function multiTab(): boolean {
  return typeof navigator !== 'undefined' && navigator.locks !== undefined && typeof BroadcastChannel !== 'undefined'
}
