/**
 * The txn suite's workloads (issue #4): concurrent sessions on one durable database.
 * Owns: the SQL, the timed windows, the session loops, the checks, and the non-blocking probes.
 *
 * 1. Commit scaling (`commitScalingRun`): k sessions each loop over an autocommit
 *    `UPDATE accounts SET balance = balance + 1 WHERE id = $1` on seeded random ids; commits/s, and WAL groups
 *    per commit from `db.stats().storage.groups`: below 1 means concurrent commits shared one WAL write and
 *    one sync. The mean time of a group's sync comes from the SyncTimingAdapter.
 * 2. Reads with a writer (`readWriteRun`), five phases on one database: one writer alone; R point readers
 *    (autocommit `SELECT balance ... WHERE id = $1`) alone, then with the writer; R range readers
 *    (REPEATABLE READ READ ONLY transactions of `rrQueries` count + sum over `rangeRows` consecutive ids) alone,
 *    then with the writer. Then two probes:
 *    A. A writer holds row locks (an open transaction that updated ids 0..locked-1); R autocommit readers read
 *       those rows for `probeMs`; the writer commits only after every reader finished.
 *    B. R REPEATABLE READ transactions read ids 0..locked-1 and stay open; a writer updates each of those rows
 *       in its own autocommit transaction; the readers commit only after the writer finished.
 *
 * Invariants:
 *   (1) Every operation checks its answer: an UPDATE affects one row, a point select finds its row, a range
 *       aggregate counts `rangeRows`, a REPEATABLE READ transaction's last query (the same range as its first)
 *       returns the first one's sum, probe A's readers see only committed sums, probe B's readers keep their
 *       snapshot's sum; at the end sum(balance) = committed updates, live and after a reopen (accounts.ts (1)).
 *   (2) A window counts the operations that finish inside it, after a warm-up whose operations run but do not
 *       count; the rate divides by the window's length. Group and checkpoint counts cover the whole loop,
 *       warm-up included, divided by every commit of the loop.
 *   (3) Nothing blocks (probes): readers and the probe writer run with lock_timeout, so any row-lock wait
 *       fails with 55P03 and fails the suite; a guard timer fails it too if a probe does not finish. The lock
 *       holder's transaction is asserted still open when the other side finishes. Latencies are printed, never
 *       asserted (the machine is noisy).
 *   (4) Readers return to the event loop (setImmediate) after every `yieldEvery` reads, as a server does
 *       between requests. Without it a loop of reads that never touch the disk resolves on microtasks only,
 *       and the writer's fdatasync callback never runs: a trial measured 0 commits/s next to 4 such readers.
 * Not here: medians, ratios and tables (index.ts); the database and its checks (accounts.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { collectGarbage } from '../support/measure.js'
import { AccountsDb, type DbSession, type RustyDb, perCommit, toCount } from './accounts.js'
import { mulberry32 } from '../sql/dataset.js'

/** The SQL, in one place. */
export const SQL = {
  update: 'UPDATE accounts SET balance = balance + 1 WHERE id = $1',
  point: 'SELECT balance FROM accounts WHERE id = $1',
  range: 'SELECT count(*), CAST(sum(balance) AS bigint) FROM accounts WHERE id >= $1 AND id < $2',
  lockRows: 'UPDATE accounts SET balance = balance + 1 WHERE id < $1',
  beginRepeatableRead: 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  beginRepeatableReadOnly: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
} as const

/** Settings (index.ts reads them from the environment and prints them). */
export interface TxnSettings {
  /** Accounts in the table. Default 10,000. */
  readonly rows: number
  /** Session counts of the commit-scaling table. Default 1, 4, 16. */
  readonly sessionCounts: readonly number[]
  /** Reader sessions in the read/write phases and the probes. Default 4. */
  readonly readers: number
  /** Length of each timed window in seconds. Default 2. */
  readonly seconds: number
  /** Warm-up before each window in ms (invariant 2). Default 300. */
  readonly warmupMs: number
  /** Reads between event-loop turns per reader (invariant 4). Default 1. */
  readonly yieldEvery: number
  /** Queries per REPEATABLE READ range-reader transaction. Default 10. */
  readonly rrQueries: number
  /** Rows per range aggregate. Default 100. */
  readonly rangeRows: number
  /** Rows the probes lock or hold in snapshots (ids 0..locked-1). Default 100. */
  readonly lockedRows: number
  /** How long probe A's readers read the locked rows, in ms. Default 500. */
  readonly probeMs: number
  /** lock_timeout of the probe sessions, in ms (invariant 3). Default 2000. */
  readonly lockTimeoutMs: number
  /** Parent directory of the temp databases. Default the OS temp dir. */
  readonly dir: string
}

/** One run of the commit-scaling workload at one session count. */
export interface ScalingRun {
  readonly sessions: number
  readonly commitsPerSecond: number
  /** WAL groups written per commit over the loop (invariant 2); 1 = no sharing. */
  readonly groupsPerCommit: number
  readonly checkpoints: number
  /** Mean time of one group's WAL sync, in ms (sync-timing-adapter.ts (3)). */
  readonly syncMs: number
  readonly commits: number
}

/** One phase of the read/write run. */
export interface PhaseRun {
  readonly readsPerSecond: number
  readonly commitsPerSecond: number
  /** Read latency in ms over the window (0 without readers). */
  readonly readP99Ms: number
  readonly readMaxMs: number
  /** Mean time of one group's WAL sync, in ms (NaN without commits). */
  readonly syncMs: number
}

export const PHASES = ['writer', 'point', 'pointWriter', 'range', 'rangeWriter'] as const
export type PhaseId = (typeof PHASES)[number]

/** What the probes measured (invariant 3). */
export interface ProbeRun {
  /** A: reads of locked rows, and their worst latency. */
  readonly lockedReads: number
  readonly lockedReadMaxMs: number
  /** B: commits of rows open snapshots had read, and their worst latency. */
  readonly snapshotCommits: number
  readonly snapshotCommitMaxMs: number
}

/** One read/write run: the five phases and the probes, on one database. */
export interface ReadWriteRun {
  readonly phases: Record<PhaseId, PhaseRun>
  readonly probes: ProbeRun
}

/** Seeded ids in 0..rows-1. */
function idStream(seed: number, rows: number): () => number {
  const next = mulberry32(seed)
  return () => next() % rows
}

/** A timed window after a warm-up (invariant 2). */
class Window {
  readonly start: number
  readonly end: number
  constructor(
    warmupMs: number,
    readonly seconds: number,
  ) {
    this.start = performance.now() + warmupMs
    this.end = this.start + seconds * 1000
  }
  get open(): boolean {
    return performance.now() < this.end
  }
  /** True when an operation that finished at `t` counts. */
  counts(t: number): boolean {
    return t >= this.start && t < this.end
  }
}

/** Latencies of one window, in ms. */
class Latencies {
  readonly #values: number[] = []
  add(ms: number): void {
    this.#values.push(ms)
  }
  get count(): number {
    return this.#values.length
  }
  get max(): number {
    return this.#values.reduce((a, b) => Math.max(a, b), 0)
  }
  get p99(): number {
    if (this.#values.length === 0) return 0
    const sorted = [...this.#values].sort((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]
  }
}

function fail(what: string): never {
  throw new Error(`benchmark check failed: ${what}`)
}

/** Rejects when `promise` has not settled after `ms` (invariant 3's guard). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`benchmark check failed: ${what}: not done after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Turns a lock timeout into the check it breaks (invariant 3). */
function noLockWait(what: string): (err: unknown) => never {
  return (err) => {
    if ((err as { code?: string })?.code === '55P03') fail(`${what}: waited for a row lock (${(err as Error).message})`)
    throw err
  }
}

async function openSessions(acc: AccountsDb, count: number, settings: readonly string[] = []): Promise<DbSession[]> {
  const sessions = Array.from({ length: count }, () => acc.db.session())
  for (const s of sessions) for (const sql of settings) await s.exec(sql)
  return sessions
}

async function closeSessions(sessions: readonly DbSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.close()))
}

/** count and sum over ids lo..hi-1 on `session`. */
async function rangeSum(session: Pick<DbSession, 'query'>, lo: number, hi: number): Promise<{ count: number; sum: number }> {
  const { rows } = await session.query<unknown[]>(SQL.range, [lo, hi], { rowMode: 'array' })
  const [count, sum] = rows[0]
  return { count: toCount(count), sum: sum === null ? 0 : toCount(sum) }
}

/** Workload 1, one run at `sessions` sessions on a fresh database. */
export async function commitScalingRun(rusty: RustyDb, settings: TxnSettings, sessions: number, seed: number): Promise<ScalingRun> {
  const acc = await AccountsDb.create(rusty, settings.rows, settings.dir)
  let committed = 0
  let counted = 0
  let result: ScalingRun
  try {
    const conns = await openSessions(acc, sessions)
    collectGarbage()
    const before = acc.counters()
    const window = new Window(settings.warmupMs, settings.seconds)
    await Promise.all(
      conns.map(async (conn, i) => {
        const update = conn.prepare(SQL.update)
        const nextId = idStream(seed * 1009 + i, settings.rows)
        while (window.open) {
          const { rowCount } = await update.query([nextId()])
          if (rowCount !== 1) fail(`an update changed ${rowCount} rows`)
          committed++
          if (window.counts(performance.now())) counted++
        }
      }),
    )
    const after = acc.counters()
    await closeSessions(conns)
    result = { sessions, commitsPerSecond: counted / settings.seconds, ...perCommit(before, after, committed), commits: committed }
  } catch (err) {
    await acc.discard()
    throw err
  }
  await acc.verifyAndRemove(committed, `${sessions} session(s) committing updates`)
  return result
}

/** One phase: `readers` reader sessions of `kind` and optionally the writer, for one window. */
async function runPhase(
  acc: AccountsDb,
  settings: TxnSettings,
  kind: 'none' | 'point' | 'range',
  writer: boolean,
  seed: number,
): Promise<PhaseRun & { committed: number }> {
  const readers = kind === 'none' ? [] : await openSessions(acc, settings.readers)
  const writers = writer ? await openSessions(acc, 1) : []
  const latencies = new Latencies()
  let reads = 0
  let committed = 0
  let commits = 0
  collectGarbage()
  const before = acc.counters()
  const window = new Window(settings.warmupMs, settings.seconds)
  const read = async (run: () => Promise<void>): Promise<void> => {
    const t0 = performance.now()
    await run()
    const t1 = performance.now()
    if (window.counts(t1)) {
      reads++
      latencies.add(t1 - t0)
    }
  }
  const pointReader = async (conn: DbSession, i: number): Promise<void> => {
    const select = conn.prepare(SQL.point)
    const nextId = idStream(seed * 1009 + i, settings.rows)
    let sinceTurn = 0
    while (window.open) {
      await read(async () => {
        const { rowCount } = await select.query([nextId()], { rowMode: 'array' })
        if (rowCount !== 1) fail(`a point select returned ${rowCount} rows`)
      })
      if (++sinceTurn >= settings.yieldEvery) {
        sinceTurn = 0
        await nextTurn()
      }
    }
  }
  const rangeReader = async (conn: DbSession, i: number): Promise<void> => {
    const range = conn.prepare(SQL.range)
    const nextLow = idStream(seed * 1009 + i, settings.rows - settings.rangeRows + 1)
    let sinceTurn = 0
    while (window.open) {
      await conn.exec(SQL.beginRepeatableReadOnly)
      let firstLow = 0
      let firstSum = 0
      for (let q = 0; q < settings.rrQueries; q++) {
        const low = q === settings.rrQueries - 1 && q > 0 ? firstLow : nextLow()
        await read(async () => {
          const { rows } = await range.query<unknown[]>([low, low + settings.rangeRows], { rowMode: 'array' })
          const [count, sum] = rows[0]
          if (toCount(count) !== settings.rangeRows) fail(`a range aggregate counted ${String(count)} rows, expected ${settings.rangeRows}`)
          if (q === 0) {
            firstLow = low
            firstSum = toCount(sum)
          } else if (low === firstLow && toCount(sum) !== firstSum) {
            fail(`a REPEATABLE READ transaction read sum ${String(sum)} over ids ${low}.., first ${firstSum}`)
          }
        })
        if (++sinceTurn >= settings.yieldEvery) {
          sinceTurn = 0
          await nextTurn()
        }
      }
      await conn.exec('COMMIT')
    }
  }
  const writeLoop = async (conn: DbSession): Promise<void> => {
    const update = conn.prepare(SQL.update)
    const nextId = idStream(seed * 7919, settings.rows)
    while (window.open) {
      const { rowCount } = await update.query([nextId()])
      if (rowCount !== 1) fail(`an update changed ${rowCount} rows`)
      committed++
      if (window.counts(performance.now())) commits++
    }
  }
  try {
    await Promise.all([
      ...readers.map((conn, i) => (kind === 'point' ? pointReader(conn, i) : rangeReader(conn, i))),
      ...writers.map((conn) => writeLoop(conn)),
    ])
  } finally {
    await closeSessions([...readers, ...writers])
  }
  return {
    readsPerSecond: reads / settings.seconds,
    commitsPerSecond: commits / settings.seconds,
    readP99Ms: latencies.p99,
    readMaxMs: latencies.max,
    syncMs: perCommit(before, acc.counters(), committed).syncMs,
    committed,
  }
}

/** Probe A: readers on rows an open transaction has updated (locked) never wait, and see committed values. */
async function probeLockedRows(acc: AccountsDb, settings: TxnSettings, seed: number): Promise<{ reads: number; maxMs: number }> {
  const locked = settings.lockedRows
  const what = `probe A (${settings.readers} readers on ${locked} rows locked by an open transaction)`
  const committed = await rangeSum(acc.db, 0, locked)
  const [writer] = await openSessions(acc, 1)
  const lockTimeout = `SET lock_timeout = ${settings.lockTimeoutMs}`
  const readers = await openSessions(acc, settings.readers, [lockTimeout])
  const latencies = new Latencies()
  try {
    await writer.exec('BEGIN')
    const { rowCount } = await writer.query(SQL.lockRows, [locked])
    if (rowCount !== locked) fail(`${what}: the locking update changed ${rowCount} rows`)
    const end = performance.now() + settings.probeMs
    const readLoop = async (conn: DbSession, i: number): Promise<void> => {
      const point = conn.prepare(SQL.point)
      const nextId = idStream(seed * 31 + i, locked)
      while (performance.now() < end) {
        let t0 = performance.now()
        const { rowCount: found } = await point.query([nextId()], { rowMode: 'array' })
        latencies.add(performance.now() - t0)
        if (found !== 1) fail(`${what}: a point select returned ${found} rows`)
        t0 = performance.now()
        const seen = await rangeSum(conn, 0, locked)
        latencies.add(performance.now() - t0)
        if (seen.sum !== committed.sum) fail(`${what}: a reader saw sum ${seen.sum}, committed ${committed.sum} (uncommitted data)`)
        await nextTurn()
      }
    }
    const guardMs = settings.probeMs + 4 * settings.lockTimeoutMs
    await within(Promise.all(readers.map(readLoop)), guardMs, what).catch(noLockWait(what))
    if (writer.status !== 'in-transaction') fail(`${what}: the writer's transaction ended before the readers finished (${writer.status})`)
    await writer.exec('COMMIT')
    const after = await rangeSum(acc.db, 0, locked)
    if (after.sum !== committed.sum + locked) fail(`${what}: after the commit sum ${after.sum}, expected ${committed.sum + locked}`)
  } finally {
    await closeSessions([writer, ...readers])
  }
  return { reads: latencies.count, maxMs: latencies.max }
}

/** Probe B: a writer updating rows that open REPEATABLE READ transactions have read never waits. */
async function probeOpenSnapshots(acc: AccountsDb, settings: TxnSettings): Promise<{ commits: number; maxMs: number }> {
  const locked = settings.lockedRows
  const what = `probe B (a writer on ${locked} rows read by ${settings.readers} open REPEATABLE READ transactions)`
  const lockTimeout = `SET lock_timeout = ${settings.lockTimeoutMs}`
  const readers = await openSessions(acc, settings.readers)
  const [writer] = await openSessions(acc, 1, [lockTimeout])
  const latencies = new Latencies()
  try {
    const seen: number[] = []
    for (const conn of readers) {
      await conn.exec(SQL.beginRepeatableRead)
      seen.push((await rangeSum(conn, 0, locked)).sum)
    }
    const update = writer.prepare(SQL.update)
    const writeAll = async (): Promise<void> => {
      for (let id = 0; id < locked; id++) {
        const t0 = performance.now()
        const { rowCount } = await update.query([id])
        latencies.add(performance.now() - t0)
        if (rowCount !== 1) fail(`${what}: an update changed ${rowCount} rows`)
      }
    }
    await within(writeAll(), 10 * settings.lockTimeoutMs, what).catch(noLockWait(what))
    for (const [i, conn] of readers.entries()) {
      if (conn.status !== 'in-transaction') fail(`${what}: a reader's transaction ended before the writer finished (${conn.status})`)
      const again = (await rangeSum(conn, 0, locked)).sum
      if (again !== seen[i]) fail(`${what}: a REPEATABLE READ reader saw sum ${again} after ${seen[i]}`)
      await conn.exec('COMMIT')
    }
    const after = await rangeSum(acc.db, 0, locked)
    if (after.sum !== seen[0] + locked) fail(`${what}: after the writer sum ${after.sum}, expected ${seen[0] + locked}`)
  } finally {
    await closeSessions([writer, ...readers])
  }
  return { commits: latencies.count, maxMs: latencies.max }
}

/** Workload 2, one run: the five phases in PHASES order, then the probes, on one fresh database. */
export async function readWriteRun(rusty: RustyDb, settings: TxnSettings, seed: number): Promise<ReadWriteRun> {
  if (settings.lockedRows > settings.rows || settings.rangeRows > settings.rows) fail('BENCH_TXN_ROWS is smaller than the range or locked rows')
  const acc = await AccountsDb.create(rusty, settings.rows, settings.dir)
  let committed = 0
  const phases = {} as Record<PhaseId, PhaseRun>
  let probes: ProbeRun
  try {
    const plan: Record<PhaseId, ['none' | 'point' | 'range', boolean]> = {
      writer: ['none', true],
      point: ['point', false],
      pointWriter: ['point', true],
      range: ['range', false],
      rangeWriter: ['range', true],
    }
    for (const [i, id] of PHASES.entries()) {
      const [kind, writer] = plan[id]
      const { committed: done, ...figures } = await runPhase(acc, settings, kind, writer, seed * 10 + i)
      committed += done
      phases[id] = figures
    }
    const a = await probeLockedRows(acc, settings, seed)
    committed += settings.lockedRows
    const b = await probeOpenSnapshots(acc, settings)
    committed += settings.lockedRows
    probes = { lockedReads: a.reads, lockedReadMaxMs: a.maxMs, snapshotCommits: b.commits, snapshotCommitMaxMs: b.maxMs }
  } catch (err) {
    await acc.discard()
    throw err
  }
  await acc.verifyAndRemove(committed, 'reads with a writer')
  return { phases, probes }
}
