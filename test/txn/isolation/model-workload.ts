/**
 * The workload of the isolation model tests (serializable-model.test.ts, snapshot-model.test.ts): per seed,
 * a starting table `test(id, value)` over keys 1..6 and five transactions of 2-4 statements (point reads,
 * some FOR UPDATE; range reads; blind writes; increments returning the new value; updates to a sum over a
 * range; deletes; range updates; inserts of fresh keys or upserts on the shared keys; range statements over
 * the primary key or over an index on `value`), run concurrently on separate sessions by a scheduler that
 * sends one statement at a time in a random order. A statement that waits for a lock stays waiting while
 * the others go on (support-sessions.ts (1)); transactions that fail with 40001 or 40P01 are rolled back.
 * Owns: generating the transactions, the scheduler, what each statement returned, the commit order and each
 * transaction's snapshot window; `rerun` runs one transaction alone for a replay.
 * Invariants:
 *   (1) A seed replays the same run: the schedule depends only on the seed (the engine settles statements on
 *       microtasks, so which statements wait is deterministic too). Failures print the seed and the history;
 *       `SEED=n SEEDS=1 npx vitest run ...` replays one seed.
 *   (2) No statement fails with anything but 40001/40P01; no run ends with every live transaction waiting (an
 *       undetected deadlock).
 *   (3) A transaction's snapshot window [firstSentAfter, firstSeenBefore] counts the commits (of `order`) its
 *       first statement may have seen: those acknowledged before it was sent, at most those sent before it
 *       returned.
 *   (4) One database runs every seed of a mix (and one replays them), reset between seeds: the sessions of a
 *       seed are closed, so nothing of it is left but rows.
 * Not here: the replays and their assertions (the test files).
 */
import { expect } from 'vitest'
import { Database, RustyError, type DatabaseSession, type QueryResult } from '../../../engine/index.js'
import { rng } from '../../support/rng.js'
import { type Watched, describeError, jsonSafe, retryable, turn, watch, within } from '../support-sessions.js'

/** Seeds per mix (SEEDS=n overrides) and the first one (SEED=n). */
export const SEEDS = Number(process.env.SEEDS ?? 300)
export const FIRST_SEED = Number(process.env.SEED ?? 1)

/** Levels the model runs at. */
export type ModelLevel = 'repeatable read' | 'serializable'

export const KEYS = 6
/** Range statements span 0..RANGE_MAX. */
export const RANGE_MAX = 13
export const TXNS = 5

/** One statement of a generated transaction. */
export interface Op {
  readonly sql: string
  readonly params: readonly number[]
  /** True when it can change rows. */
  readonly writes: boolean
}

/** What a statement returned, compared between the concurrent run and the replay. */
export function outcome(r: QueryResult): string {
  return JSON.stringify({ rows: r.rows, count: r.rowCount }, jsonSafe)
}

/** Which statements a run draws. */
export interface Mix {
  /** INSERT ... ON CONFLICT (id) DO UPDATE on the shared keys 1..6 (else plain INSERTs of fresh keys). */
  readonly upserts: boolean
  /**
   * An index on `value`, and range reads and range updates over `value BETWEEN` (index scans: the read set
   * holds index key ranges, and updates of `value` move rows into and out of them).
   */
  readonly indexed?: boolean
}

/**
 * The seed's starting rows (keys 1..6, each present with probability 0.7) and transactions. Plain INSERTs
 * take fresh keys (10, 11, ...), one per INSERT, so they never collide with each other; range statements
 * span 0..13, so they meet the inserted rows (phantoms).
 */
export function generate(seed: number, mix: Mix): { initial: [number, number][]; txns: Op[][] } {
  const r = rng(seed)
  const int = (n: number): number => Math.floor(r() * n)
  const key = (): number => 1 + int(KEYS)
  let fresh = 10
  const initial: [number, number][] = []
  for (let k = 1; k <= KEYS; k++) if (r() < 0.7) initial.push([k, int(100)])
  const txns: Op[][] = []
  for (let t = 0; t < TXNS; t++) {
    const ops: Op[] = []
    const n = 2 + int(3)
    for (let i = 0; i < n; i++) {
      const roll = int(100)
      const lo = mix.indexed === true ? int(100) : int(RANGE_MAX)
      const hi = mix.indexed === true ? lo + int(60) : lo + int(RANGE_MAX - lo) + 1
      const range = mix.indexed === true ? 'value' : 'id'
      if (roll < 19) ops.push({ sql: 'SELECT value FROM test WHERE id = $1', params: [key()], writes: false })
      else if (roll < 25) ops.push({ sql: 'SELECT value FROM test WHERE id = $1 FOR UPDATE', params: [key()], writes: false })
      else if (roll < 45) ops.push({ sql: `SELECT count(*), sum(value), sum(id) FROM test WHERE ${range} BETWEEN $1 AND $2`, params: [lo, hi], writes: false })
      else if (roll < 55) ops.push({ sql: 'UPDATE test SET value = $2 WHERE id = $1', params: [key(), int(100)], writes: true })
      else if (roll < 70) ops.push({ sql: 'UPDATE test SET value = value + $2 WHERE id = $1 RETURNING value', params: [key(), 1 + int(9)], writes: true })
      else if (roll < 82 && mix.upserts) {
        ops.push({ sql: 'INSERT INTO test VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET value = excluded.value', params: [key(), int(100)], writes: true })
      } else if (roll < 82) ops.push({ sql: 'INSERT INTO test VALUES ($1, $2)', params: [fresh++, int(100)], writes: true })
      else if (roll < 88) ops.push({ sql: 'DELETE FROM test WHERE id = $1', params: [key()], writes: true })
      else if (roll < 94) {
        // A write computed from a range read in the same statement (the sum constraint of write skew).
        const sql = `UPDATE test SET value = (SELECT coalesce(sum(value), 0) FROM test WHERE ${range} BETWEEN $2 AND $3) WHERE id = $1 RETURNING value`
        ops.push({ sql, params: [key(), lo, hi], writes: true })
      } else ops.push({ sql: `UPDATE test SET value = value * 2 WHERE ${range} BETWEEN $1 AND $2`, params: [lo, hi], writes: true })
    }
    txns.push(ops)
  }
  return { initial, txns }
}

/** A transaction of the concurrent run. */
export interface Txn {
  readonly id: number
  readonly ops: Op[]
  session: DatabaseSession | undefined
  /** Index of the next statement to send; ops.length means COMMIT is next. */
  next: number
  state: 'new' | 'running' | 'committed' | 'aborted'
  waiting: { readonly index: number; readonly watched: Watched<QueryResult> } | undefined
  readonly results: string[]
  /** Replay window: commits acknowledged before its first statement was sent, and sent before it returned. */
  firstSentAfter: number
  firstSeenBefore: number
  changed: boolean
}

export interface RunStats {
  committed: number
  aborted: number
  waits: number
  readOnly: number
}

/** Resets `db`'s table to `initial` (both databases live for all seeds of a mix). */
export async function reset(db: Database, initial: readonly [number, number][]): Promise<void> {
  await db.exec('DELETE FROM test')
  if (initial.length > 0) await db.exec(`INSERT INTO test VALUES ${initial.map(([id, value]) => `(${id}, ${value})`).join(', ')}`)
}

export async function openDatabase(mix: Mix): Promise<Database> {
  const db = await Database.open({ storage: 'memory' })
  await db.exec('CREATE TABLE test (id int PRIMARY KEY, value int)')
  if (mix.indexed === true) await db.exec('CREATE INDEX test_value ON test (value)')
  return db
}

export async function tableOf(db: Database): Promise<string> {
  return JSON.stringify((await db.query('SELECT id, value FROM test ORDER BY id', [], { rowMode: 'array' })).rows)
}

/** What a concurrent run leaves for the replay to check. */
export interface Run {
  readonly initial: readonly [number, number][]
  readonly txns: readonly Txn[]
  /** Committed transactions that changed something, in commit order. */
  readonly order: readonly Txn[]
  /** The table at the end, as tableOf() prints it. */
  readonly finalTable: string
  /** Fails the test with the seed and the run's history. */
  readonly fail: (message: string) => never
}

/** Runs the transactions of `seed` concurrently on `db` at `level` (invariant 1); throws with the history. */
export async function runSeed(seed: number, mix: Mix, level: ModelLevel, db: Database, stats: RunStats): Promise<Run> {
  const { initial, txns: plans } = generate(seed, mix)
  const r = rng(seed ^ 0x5eed)
  const history: string[] = []
  await reset(db, initial)
  const txns: Txn[] = plans.map((ops, id) => ({
    id,
    ops,
    session: undefined,
    next: 0,
    state: 'new',
    waiting: undefined,
    results: [],
    firstSentAfter: 0,
    firstSeenBefore: 0,
    changed: false,
  }))
  /** Committed transactions that changed something, in commit order; COMMITs sent and not yet settled. */
  const order: Txn[] = []
  let commitsInFlight = 0
  const fail = (message: string): never => expect.fail(`seed ${seed}: ${message}\n${history.join('\n')}`)

  /** Takes the outcome of a settled statement of `t` (index `index`, ops.length = COMMIT). */
  const settle = async (t: Txn, index: number, w: Watched<QueryResult>): Promise<void> => {
    const what = index === t.ops.length ? 'COMMIT' : `${t.ops[index].sql} ${JSON.stringify(t.ops[index].params)}`
    if (w.state === 'rejected') {
      if (index === t.ops.length) commitsInFlight--
      history.push(`  T${t.id} ${what} -> ${describeError(w.error)}`)
      if (!retryable(w.error)) fail(`T${t.id}: ${what} failed with ${describeError(w.error)}`)
      if ((t.session as DatabaseSession).status !== 'idle') await within((t.session as DatabaseSession).exec('ROLLBACK'), 'ROLLBACK')
      t.state = 'aborted'
      stats.aborted++
      return
    }
    const result = w.value as QueryResult
    if (index === t.ops.length) {
      commitsInFlight--
      history.push(`  T${t.id} COMMIT`)
      t.state = 'committed'
      stats.committed++
      if (t.changed) order.push(t)
      else stats.readOnly++
      return
    }
    history.push(`  T${t.id} ${what} -> ${outcome(result)}`)
    t.results.push(outcome(result))
    if (t.ops[index].writes && result.rowCount > 0) t.changed = true
    // Commits it may have seen: those acknowledged, and those still on their way.
    if (index === 0) t.firstSeenBefore = order.length + commitsInFlight
    t.next = index + 1
  }

  /**
   * Takes whatever settled: the statement just sent, and waiting ones that a commit or abort released
   * (a ROLLBACK here can release more, hence the loop). Returns true when anything settled.
   */
  const collect = async (): Promise<boolean> => {
    let any = false
    for (let again = true; again; ) {
      again = false
      await turn()
      for (const u of txns) {
        const waiting = u.waiting
        if (waiting === undefined || !waiting.watched.settled) continue
        u.waiting = undefined
        await settle(u, waiting.index, waiting.watched)
        again = any = true
      }
    }
    return any
  }

  try {
    for (;;) {
      const live = txns.filter((t) => t.state === 'new' || t.state === 'running')
      if (live.length === 0) break
      const ready = live.filter((t) => t.waiting === undefined)
      if (ready.length === 0 && (await collect())) continue
      if (ready.length === 0) fail(`every live transaction waits for a lock: ${live.map((t) => `T${t.id}`).join(', ')} (undetected deadlock)`)
      const t = ready[Math.floor(r() * ready.length)]
      if (t.state === 'new') {
        t.session = db.session()
        await within(t.session.exec(`BEGIN ISOLATION LEVEL ${level}`), 'BEGIN')
        t.state = 'running'
        t.firstSentAfter = order.length
      }
      const index = t.next
      const session = t.session as DatabaseSession
      if (index === t.ops.length) commitsInFlight++
      const w =
        index === t.ops.length
          ? watch(session.query('COMMIT'))
          : watch(session.query(t.ops[index].sql, t.ops[index].params, { rowMode: 'array' }))
      if (index === 0) t.firstSentAfter = order.length
      t.waiting = { index, watched: w }
      await collect()
      if (t.waiting !== undefined) {
        stats.waits++
        history.push(`  T${t.id} ${index === t.ops.length ? 'COMMIT' : t.ops[index].sql} waits`)
      }
    }
    for (const t of txns) if (t.state === 'committed') t.firstSeenBefore = Math.min(t.firstSeenBefore, order.length)
    return { initial, txns, order, finalTable: await tableOf(db), fail }
  } finally {
    for (const t of txns) if (t.session !== undefined) await within(t.session.close(), 'closing a session').catch(() => undefined)
  }
}

/**
 * Runs `t`'s statements alone on `db` in one transaction and compares each result with the concurrent run's:
 * false (or `fail`) on a mismatch. `end` runs before the transaction ends (the snapshot model reads the table
 * there); then it commits or rolls back.
 */
export async function rerun(
  db: Database,
  t: Txn,
  commit: boolean,
  fail: ((message: string) => never) | null,
  end?: (s: DatabaseSession) => Promise<void>,
): Promise<boolean> {
  const s = db.session()
  try {
    await s.exec('BEGIN')
    for (let i = 0; i < t.ops.length; i++) {
      const got = outcome(await s.query(t.ops[i].sql, t.ops[i].params, { rowMode: 'array' }))
      if (got === t.results[i]) continue
      if (fail !== null) fail(`replayed alone, T${t.id} statement ${i + 1} (${t.ops[i].sql} ${JSON.stringify(t.ops[i].params)}) returns ${got}, concurrently ${t.results[i]}`)
      await s.exec('ROLLBACK')
      return false
    }
    if (end !== undefined) await end(s)
    await s.exec(commit ? 'COMMIT' : 'ROLLBACK')
    return true
  } finally {
    await s.close()
  }
}

/** Checks one run (a replay); fails through `run.fail`. */
export type Replay = (seed: number, run: Run, db: Database) => Promise<void>

/**
 * Runs `seeds` seeds of `mix` at `level`, checks each with `replay` (on a second database), and checks that the
 * runs exercised what they are for: commits, aborts, lock waits, read-only transactions.
 */
export async function checkSeeds(mix: Mix, level: ModelLevel, replay: Replay, seeds = SEEDS): Promise<void> {
  const stats: RunStats = { committed: 0, aborted: 0, waits: 0, readOnly: 0 }
  const db = await openDatabase(mix)
  const serial = await openDatabase(mix)
  try {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + seeds; seed++) {
      try {
        await replay(seed, await runSeed(seed, mix, level, db, stats), serial)
      } catch (error) {
        if (error instanceof RustyError) throw new Error(`seed ${seed}: ${describeError(error)}`, { cause: error })
        throw error
      }
    }
  } finally {
    await within(db.close(), 'closing the database')
    await within(serial.close(), 'closing the replay database')
  }
  const total = seeds * TXNS
  expect(stats.committed + stats.aborted).toBe(total)
  expect(stats.committed, 'committed transactions').toBeGreaterThan(total / 3)
  expect(stats.aborted, 'serialization failures and deadlocks').toBeGreaterThan(total / 20)
  expect(stats.waits, 'statements that waited for a lock').toBeGreaterThan(seeds / 5)
  expect(stats.readOnly, 'read-only transactions').toBeGreaterThan(0)
}
