/**
 * Hermitage scripts: interleaved statements of several sessions, written the way Martin Kleppmann's
 * Hermitage (github.com/ept/hermitage, postgres.md) writes its test cases, run against one database:
 *
 *   await hermitage('read committed', [
 *     t1('update test set value = 11 where id = 1'),
 *     t2('update test set value = 12 where id = 1').blocks(),
 *     t1('update test set value = 21 where id = 2'),
 *     t1.commit(),
 *     t2.resumes().affects(1),
 *     t1('select * from test').shows([1, 11], [2, 21]),
 *     ...
 *   ])
 *
 * Owns: the step language, one session per transaction name (t1, t2, t3), the checks after every step.
 * A transaction name begins with BEGIN ISOLATION LEVEL <level> at its first step (Hermitage writes
 * `begin; set transaction isolation level ...` up front; PostgreSQL and RustyDB both take the snapshot at the
 * first statement, so beginning lazily changes nothing). After its COMMIT or ROLLBACK the same session runs
 * further statements in autocommit, as psql does.
 *
 * Invariants:
 *   (1) Steps run in order; each runs once the previous one settled or, for `.blocks()`, was seen waiting
 *       after the event loop turned (support-sessions.ts (1)).
 *   (2) A statement expected to run that is still waiting after a turn fails the test at once (no hang).
 *   (3) A blocked statement is released by exactly the step just before its `resumes()`: after every step
 *       the runner looks at each blocked statement, and one that settled before that step fails the test,
 *       naming the step that released it. Every blocked statement is resumed before the script ends.
 *   (4) `.or(code)` marks where PostgreSQL's SSI and RustyDB's commit-time validation may raise a
 *       serialization failure at different statements: the statement meets its expectation or fails with
 *       `code`. Once a transaction failed there, its later statements must fail with 25P02 and its COMMIT
 *       reports ROLLBACK, as in PostgreSQL. `someFailed` asserts that one of the named transactions did fail.
 *   (5) Rows compare as sets of [id, value] (a SELECT without ORDER BY has no order).
 *   (6) At the end every transaction has ended (each session is idle), and cleanup always runs: open
 *       transactions roll back (releasing whatever blocked statements wait for), then the sessions and the
 *       database close, each wait bounded.
 * Not here: the anomalies (hermitage.test.ts).
 */
import { expect } from 'vitest'
import { Database, RustyError, type DatabaseSession, type QueryResult } from '../../../engine/index.js'
import { type Watched, describeError, jsonSafe, turn, watch, within } from '../support-sessions.js'

/** The levels a script can run at (READ UNCOMMITTED runs as READ COMMITTED, as in PostgreSQL). */
export type Level = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable'

/** A row as the test table returns it: [id, value]. */
export type Row = readonly unknown[]

/** Hermitage's table, set up before every test case. */
export const HERMITAGE_SETUP = 'create table test (id int primary key, value int); insert into test (id, value) values (1, 10), (2, 20)'

/** SQLSTATE of a serialization failure. */
export const SERIALIZATION_FAILURE = '40001'
/** SQLSTATE of a statement in a transaction that already failed. */
export const IN_FAILED_TRANSACTION = '25P02'

type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'rows'; readonly options: readonly (readonly Row[])[] }
  | { readonly kind: 'count'; readonly n: number }
  | { readonly kind: 'error'; readonly code: string }

/** Expectations shared by statements and resumed statements. */
abstract class Expecting {
  outcome: Outcome = { kind: 'ok' }

  /** The statement returns exactly these rows (in any order); none given: it returns nothing. */
  shows(...rows: Row[]): this {
    this.outcome = { kind: 'rows', options: [rows] }
    return this
  }

  /** The statement returns nothing. */
  returnsNothing(): this {
    return this.shows()
  }

  /** The statement returns one of these row sets (states that different serial orders produce). */
  showsOneOf(...options: Row[][]): this {
    this.outcome = { kind: 'rows', options }
    return this
  }

  /** INSERT/UPDATE/DELETE: the number of rows it changed. */
  affects(n: number): this {
    this.outcome = { kind: 'count', n }
    return this
  }

  /** The statement fails with this SQLSTATE (the transaction is then aborted). */
  fails(code: string): this {
    this.outcome = { kind: 'error', code }
    return this
  }
}

/** A statement of transaction `txn` (or its COMMIT / ROLLBACK). */
export class StatementStep extends Expecting {
  readonly kind = 'statement'
  blocking = false
  orCode: string | undefined

  constructor(
    readonly txn: string,
    readonly sql: string,
    readonly control: 'commit' | 'rollback' | null,
  ) {
    super()
  }

  /** The statement waits for a lock another transaction holds; a later `resumes()` step settles it. */
  blocks(): this {
    this.blocking = true
    return this
  }

  /** Invariant (4): the statement may fail with `code` instead. */
  or(code: string): this {
    this.orCode = code
    return this
  }

  describe(): string {
    return `${this.txn}: ${this.sql}`
  }
}

/** The blocked statement of `txn` settles (the step before released it). */
export class ResumeStep extends Expecting {
  readonly kind = 'resume'
  constructor(readonly txn: string) {
    super()
  }

  describe(): string {
    return `${this.txn} resumes`
  }
}

/** A statement in autocommit on a new session ("either" in Hermitage). */
export class AfterStep extends Expecting {
  readonly kind = 'after'
  constructor(readonly sql: string) {
    super()
  }

  describe(): string {
    return `afterwards: ${this.sql}`
  }
}

/** At least one of `txns` failed with `code` at a statement marked `.or(code)` (invariant 4). */
export class SomeFailedStep {
  readonly kind = 'someFailed'
  constructor(
    readonly txns: readonly string[],
    readonly code: string,
  ) {}

  describe(): string {
    return `one of ${this.txns.join(', ')} failed with ${this.code}`
  }
}

export type Step = StatementStep | ResumeStep | AfterStep | SomeFailedStep

/** A transaction name: call it with SQL for a statement step. */
export interface TxnRef {
  (sql: string): StatementStep
  readonly txnName: string
  commit(): StatementStep
  abort(): StatementStep
  resumes(): ResumeStep
}

/** The transaction named `name` (one session). */
export function txn(name: string): TxnRef {
  const ref = (sql: string): StatementStep => new StatementStep(name, sql, null)
  return Object.assign(ref, {
    txnName: name,
    commit: () => new StatementStep(name, 'commit', 'commit'),
    abort: () => new StatementStep(name, 'rollback', 'rollback'),
    resumes: () => new ResumeStep(name),
  })
}

export const t1 = txn('T1')
export const t2 = txn('T2')
export const t3 = txn('T3')

/** A statement after the interleaving, in autocommit on a fresh session. */
export function after(sql: string): AfterStep {
  return new AfterStep(sql)
}

/** Invariant (4). */
export function someFailed(txns: readonly TxnRef[], code = SERIALIZATION_FAILURE): SomeFailedStep {
  return new SomeFailedStep(
    txns.map((t) => t.txnName),
    code,
  )
}

interface TxnState {
  readonly session: DatabaseSession
  /** 'fresh' until BEGIN, 'open' inside it, 'ended' after COMMIT/ROLLBACK (then autocommit). */
  phase: 'fresh' | 'open' | 'ended'
  /** SQLSTATE of an `.or` failure (invariant 4). */
  failedWith: string | undefined
  /** The statement waiting for a lock, with the index of the step that released it. */
  pending: { readonly step: StatementStep; readonly watched: Watched<QueryResult>; releasedBy: number | undefined } | undefined
}

function sortRows(rows: readonly Row[]): unknown[] {
  return [...rows].map((r) => JSON.stringify(r, jsonSafe)).sort()
}

/** Compares a settled statement with what the step expects. */
function check(what: string, outcome: Outcome, result: { ok: true; value: QueryResult } | { ok: false; error: unknown }): void {
  if (outcome.kind === 'error') {
    expect(result.ok ? `succeeded: ${JSON.stringify(result.value.rows, jsonSafe)}` : describeError(result.error), `${what} should fail with ${outcome.code}`).toMatch(
      new RegExp(`^${outcome.code} `),
    )
    return
  }
  if (!result.ok) expect.fail(`${what} failed: ${describeError(result.error)}`)
  const value = result.value
  if (outcome.kind === 'rows') {
    const got = sortRows(value.rows as Row[])
    const options = outcome.options.map(sortRows)
    if (options.length === 1) expect(got, `${what} returned rows`).toEqual(options[0])
    else expect(options, `${what} returned rows that no allowed state has`).toContainEqual(got)
  } else if (outcome.kind === 'count') {
    expect(value.rowCount, `${what}: rows affected`).toBe(outcome.n)
  }
}

/**
 * Runs `steps` at `level` on a fresh in-memory database set up with `setup` (default: Hermitage's table).
 */
export async function hermitage(level: Level, steps: readonly Step[], setup = HERMITAGE_SETUP): Promise<void> {
  const db = await Database.open({ storage: 'memory' })
  const txns = new Map<string, TxnState>()
  let failure: unknown
  try {
    await within(db.exec(setup), 'setup')
    for (let i = 0; i < steps.length; i++) {
      await runStep(db, level, txns, steps, i)
      await turn()
      // Invariant (3): a blocked statement settles only at the step right before its resumes().
      for (const [name, state] of txns) {
        const p = state.pending
        if (p === undefined || p.releasedBy !== undefined || !p.watched.settled) continue
        p.releasedBy = i
        const next = steps[i + 1]
        if (!(next instanceof ResumeStep && next.txn === name)) {
          expect.fail(`step ${i + 1} (${steps[i].describe()}) released "${p.step.describe()}", which ${p.watched.describe()}; the script expects it to stay blocked`)
        }
      }
    }
    for (const [name, state] of txns) {
      if (state.pending !== undefined) expect.fail(`"${state.pending.step.describe()}" is still blocked at the end of the script`)
      expect(state.session.status, `${name} has not ended its transaction`).toBe('idle')
    }
  } catch (error) {
    failure = error
  }
  const cleanup = await closeAll(db, txns)
  if (failure !== undefined) throw failure
  if (cleanup !== undefined) throw cleanup
}

async function runStep(db: Database, level: Level, txns: Map<string, TxnState>, steps: readonly Step[], i: number): Promise<void> {
  const step = steps[i]
  const what = `step ${i + 1} (${step.describe()})`
  if (step instanceof SomeFailedStep) {
    const failed = step.txns.filter((t) => txns.get(t)?.failedWith === step.code)
    expect(failed, `${what}: none of ${step.txns.join(', ')} failed with ${step.code}`).not.toEqual([])
    return
  }
  if (step instanceof AfterStep) {
    const session = db.session()
    try {
      const value = await within(session.query(step.sql, [], { rowMode: 'array' }), what).then(
        (v) => ({ ok: true as const, value: v }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      check(what, step.outcome, value)
    } finally {
      await within(session.close(), `closing the session of ${what}`)
    }
    return
  }
  const state = txns.get(step.txn)
  if (step instanceof ResumeStep) {
    const p = state?.pending
    if (state === undefined || p === undefined) return expect.fail(`${what}: ${step.txn} has no blocked statement`)
    if (!p.watched.settled) expect.fail(`${what}: "${p.step.describe()}" is still waiting for its lock`)
    state.pending = undefined
    settleInto(state, p.step)
    check(`${what}: "${p.step.describe()}"`, step.outcome, resultOf(p.watched))
    return
  }
  let s = state
  if (s === undefined) {
    s = { session: db.session(), phase: 'fresh', failedWith: undefined, pending: undefined }
    txns.set(step.txn, s)
  }
  if (s.pending !== undefined) expect.fail(`${what}: ${step.txn} is blocked on "${s.pending.step.describe()}" and cannot run another statement`)
  if (s.phase === 'fresh') {
    await within(s.session.exec(`begin isolation level ${level}`), `${what}: begin`)
    s.phase = 'open'
  }
  const watched = watch(s.session.query(step.sql, [], { rowMode: 'array' }))
  await turn()
  if (step.blocking) {
    if (watched.settled) expect.fail(`${what} should block, but it ${watched.describe()}`)
    s.pending = { step, watched, releasedBy: undefined }
    return
  }
  if (!watched.settled) {
    s.pending = { step, watched, releasedBy: undefined }
    expect.fail(`${what} is waiting for a lock; the script expects it to run`)
  }
  const result = resultOf(watched)
  if (s.failedWith !== undefined && s.phase === 'open') {
    // Invariant (4): after an `.or` failure only ROLLBACK does anything; COMMIT reports ROLLBACK.
    if (step.control === null) check(what, { kind: 'error', code: IN_FAILED_TRANSACTION }, result)
    else {
      if (!result.ok) expect.fail(`${what} failed: ${describeError(result.error)}`)
      expect(result.value.command, `${what} of a failed transaction`).toBe('ROLLBACK')
    }
    if (step.control !== null) s.phase = 'ended'
    return
  }
  if (step.orCode !== undefined && !result.ok && result.error instanceof RustyError && result.error.code === step.orCode) {
    s.failedWith = step.orCode
    if (step.control !== null) s.phase = 'ended'
    return
  }
  settleInto(s, step)
  check(what, step.outcome, result)
}

/** Updates the transaction's phase after its statement `step` settled. */
function settleInto(state: TxnState, step: StatementStep): void {
  // COMMIT and ROLLBACK end the transaction whether they succeed or fail.
  if (step.control !== null) state.phase = 'ended'
}

function resultOf(w: Watched<QueryResult>): { ok: true; value: QueryResult } | { ok: false; error: unknown } {
  return w.state === 'fulfilled' ? { ok: true, value: w.value as QueryResult } : { ok: false, error: w.error }
}

/** Invariant (6): roll back, close, and report (rather than hang on) anything that does not finish. */
async function closeAll(db: Database, txns: Map<string, TxnState>): Promise<unknown> {
  let problem: unknown
  const note = (error: unknown): void => {
    problem ??= error
  }
  // Sessions without a blocked statement first: their rollback releases the locks the others wait for.
  const ordered = [...txns.values()].sort((a, b) => Number(a.pending !== undefined) - Number(b.pending !== undefined))
  for (const state of ordered) {
    if (state.pending !== undefined) continue
    await within(state.session.exec('rollback'), 'cleanup: rollback').catch(note)
  }
  for (const state of ordered) await within(state.session.close(), 'cleanup: closing a session').catch(note)
  await within(db.close(), 'cleanup: closing the database').catch(note)
  return problem
}
