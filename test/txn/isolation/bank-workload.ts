/**
 * The bank-transfer workload of the concurrency stress tests: sessions move random amounts between accounts
 * (`UPDATE accounts SET balance = balance - x WHERE id = a; UPDATE ... + x WHERE id = b` inside BEGIN/COMMIT),
 * retrying on 40001 and 40P01, while a reader checks that every snapshot holds the same total.
 * Owns: the schema, the transfer loop and its client-side log, the reader, the final checks.
 * Invariants:
 *   (1) The transfers are a pure function of the seed: transfer i is (from, to, amount) drawn from rng(seed)
 *       in order, whichever session runs it and however often it is retried.
 *   (2) A transfer is acknowledged exactly when its COMMIT resolved; it is then logged once. A transfer whose
 *       COMMIT was sent but did not resolve (a crash) is "in doubt": either outcome is allowed for it.
 *   (3) With `logTable` each transfer also inserts (id, from, to, amount) into `transfers`, so after a crash
 *       the database itself says which in-doubt transfers landed (bank-transfers-fault.test.ts).
 *   (4) A run is bounded as a whole (support-sessions.ts (2)): a hang fails the run instead of the suite.
 * Not here: the assertions about a run (the test files).
 */
import { expect } from 'vitest'
import { RustyError, type DatabaseSession } from '../../../engine/index.js'
import { rng } from '../../support/rng.js'
import { type SessionHost, describeError, retryable, within } from '../support-sessions.js'

export type BankLevel = 'read committed' | 'repeatable read' | 'serializable'

/** Workload parameters. */
export interface BankOptions {
  readonly level: BankLevel
  /** Number of accounts (ids 0 .. accounts-1). */
  readonly accounts: number
  /** Starting balance of each account. */
  readonly initial: number
  /** Concurrent transfer sessions. */
  readonly sessions: number
  /** Transfers to acknowledge in total (invariant 1). */
  readonly transfers: number
  readonly seed: number
  /** Invariant (3). */
  readonly logTable?: boolean
  /** Stop every session at the first error that is not 40001/40P01 instead of failing (crash tests). */
  readonly stopOnError?: boolean
}

/** Bound of one whole run (ms): only a stuck run reaches it. */
export const RUN_MS = 60_000

/** One transfer. */
export interface Transfer {
  readonly id: number
  readonly from: number
  readonly to: number
  readonly amount: number
}

/** What a run did. */
export interface BankRun {
  /** Acknowledged transfers, in acknowledgement order (invariant 2). */
  readonly acked: Transfer[]
  /** Transfers whose COMMIT was sent but never resolved or rejected with a non-retryable error. */
  readonly inDoubt: Transfer[]
  /** Failed attempts by SQLSTATE. */
  readonly retries: Record<string, number>
  /** The error that stopped the run (stopOnError), if any. */
  stoppedBy: unknown
  /** Consistency checks the reader completed. */
  readerChecks: number
}

/** Creates the accounts (and, with `logTable`, the transfers log). */
export async function setupBank(db: SessionHost, options: Pick<BankOptions, 'accounts' | 'initial' | 'logTable'>): Promise<void> {
  await db.exec('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)')
  await db.exec('INSERT INTO accounts SELECT g, $1 FROM generate_series(0, $2) AS g', [options.initial, options.accounts - 1])
  if (options.logTable === true) await db.exec('CREATE TABLE transfers (id int PRIMARY KEY, src int NOT NULL, dst int NOT NULL, amount int NOT NULL)')
}

/** The transfers of a seed (invariant 1). */
export function transfersOf(options: Pick<BankOptions, 'accounts' | 'transfers' | 'seed'>): Transfer[] {
  const r = rng(options.seed)
  const out: Transfer[] = []
  for (let id = 0; id < options.transfers; id++) {
    const from = Math.floor(r() * options.accounts)
    let to = Math.floor(r() * (options.accounts - 1))
    if (to >= from) to++
    out.push({ id, from, to, amount: 1 + Math.floor(r() * 100) })
  }
  return out
}

/** Balances the accounts must hold after `applied` transfers. */
export function expectedBalances(options: Pick<BankOptions, 'accounts' | 'initial'>, applied: Iterable<Transfer>): bigint[] {
  const balances = Array.from({ length: options.accounts }, () => BigInt(options.initial))
  for (const t of applied) {
    balances[t.from] -= BigInt(t.amount)
    balances[t.to] += BigInt(t.amount)
  }
  return balances
}

/** Balances by account id, as bigints. */
export async function balancesOf(s: Pick<DatabaseSession, 'query'>): Promise<bigint[]> {
  const r = await s.query<[number, bigint]>('SELECT id, balance FROM accounts ORDER BY id', [], { rowMode: 'array' })
  return r.rows.map(([, b]) => BigInt(b))
}

/**
 * Runs the workload: `sessions` sessions take the next transfer and run it until it commits, while one
 * reader session checks the total in every snapshot it takes, until the transfers are done.
 */
export async function runBank(db: SessionHost, options: BankOptions): Promise<BankRun> {
  const work = transfersOf(options)
  const run: BankRun = { acked: [], inDoubt: [], retries: {}, stoppedBy: undefined, readerChecks: 0 }
  const total = BigInt(options.initial) * BigInt(options.accounts)
  let next = 0
  let stop = false
  const halt = (error: unknown): void => {
    run.stoppedBy ??= error
    stop = true
  }

  const worker = async (): Promise<void> => {
    const s = db.session()
    try {
      while (!stop && next < work.length) {
        // No macrotask yield here: the engine settles statements on microtasks, so the sessions interleave
        // statement by statement (a setImmediate per transfer would run each transfer alone). A stuck wait
        // still drains the microtask queue, so the bounded waits fire (support-sessions.ts (2)).
        const t = work[next++]
        for (;;) {
          let commitSent = false
          try {
            await s.exec(`BEGIN ISOLATION LEVEL ${options.level}`)
            const debit = await s.query('UPDATE accounts SET balance = balance - $1 WHERE id = $2', [t.amount, t.from])
            const credit = await s.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [t.amount, t.to])
            if (debit.rowCount !== 1 || credit.rowCount !== 1) throw new Error(`transfer ${t.id} updated ${debit.rowCount} and ${credit.rowCount} rows`)
            if (options.logTable === true) {
              await s.query('INSERT INTO transfers VALUES ($1, $2, $3, $4)', [t.id, t.from, t.to, t.amount])
            }
            commitSent = true
            await s.exec('COMMIT')
            run.acked.push(t)
            break
          } catch (error) {
            if (s.status !== 'idle') await s.exec('ROLLBACK').catch(() => undefined)
            if (retryable(error)) {
              // A 40001/40P01 (at COMMIT too) means the transfer did not happen: run it again.
              if (stop) return
              const code = (error as RustyError).code
              run.retries[code] = (run.retries[code] ?? 0) + 1
              continue
            }
            if (commitSent) run.inDoubt.push(t)
            if (options.stopOnError === true) {
              halt(error)
              return
            }
            throw new Error(`transfer ${t.id} failed: ${describeError(error)}`, { cause: error })
          }
        }
      }
    } finally {
      await within(s.close(), 'closing a transfer session').catch(() => undefined)
    }
  }

  const reader = async (): Promise<void> => {
    const s = db.session()
    try {
      while (!stop) {
        // One transaction, three statements: each must see the total; at REPEATABLE READ and SERIALIZABLE
        // the rows must not change between its reads either.
        await s.exec(`BEGIN ISOLATION LEVEL ${options.level}`)
        const sum = await s.query<[unknown]>('SELECT sum(balance) FROM accounts', [], { rowMode: 'array' })
        expect(BigInt(String(sum.rows[0][0])), 'the total in one snapshot').toBe(total)
        const first = await balancesOf(s)
        expect(first.reduce((a, b) => a + b, 0n), 'the rows of one snapshot add up to the total').toBe(total)
        for (let i = 0; i < 50; i++) await Promise.resolve() // let the transfer sessions commit meanwhile
        const second = await balancesOf(s)
        expect(second.reduce((a, b) => a + b, 0n), 'the rows of one snapshot add up to the total').toBe(total)
        if (options.level !== 'read committed') expect(second, 'a repeatable read').toEqual(first)
        await s.exec('COMMIT')
        run.readerChecks++
      }
    } catch (error) {
      // After a crash the reader's statements fail too; a failed check is still a failure.
      if (options.stopOnError !== true || !(error instanceof RustyError)) throw error
    } finally {
      await within(s.close(), 'closing the reader').catch(() => undefined)
    }
  }

  const workers = Array.from({ length: options.sessions }, () => worker())
  const reading = reader()
  // Invariant (4): one bound for the whole run. Statements settle on microtasks, so a timer can only fire
  // once every session is stuck waiting, which is exactly the hang this bound is for.
  const all = (async () => {
    try {
      await Promise.all(workers)
    } finally {
      stop = true
      await Promise.allSettled(workers)
      await reading
    }
  })()
  await within(all, `the ${options.level} bank run`, RUN_MS)
  return run
}

/** The balances equal the initial ones plus `applied` (nothing lost, nothing applied twice), and the total holds. */
export async function expectBank(db: SessionHost, options: Pick<BankOptions, 'accounts' | 'initial'>, applied: Iterable<Transfer>): Promise<void> {
  const s = db.session()
  try {
    const balances = await balancesOf(s)
    expect(balances.reduce((a, b) => a + b, 0n), 'the total').toBe(BigInt(options.initial) * BigInt(options.accounts))
    expect(balances, 'each balance is the initial one plus the net of the applied transfers').toEqual(expectedBalances(options, applied))
  } finally {
    await s.close()
  }
}
