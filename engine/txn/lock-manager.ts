/**
 * LockManager: row locks of concurrent transactions, their waits and deadlock detection.
 * Owns: the lock table (resource -> holders and a FIFO of waiters), the waits-for graph (each waiting
 * transaction waits for one resource at a time), the 40P01 / 55P03 / 57014 errors of a wait.
 *
 * Resources are strings: a tree name, NUL, and the key's bytes one char per byte (write-set.ts keyId). Row
 * writes lock the row key; inserts and unique-index changes also lock the unique key they claim, so two
 * transactions can never both believe a key is free (transaction.ts "Concurrency").
 *
 * Modes and conflicts are PostgreSQL's row-level locks:
 *
 *   |               | KEY SHARE | SHARE | NO KEY UPDATE | UPDATE |
 *   |---------------|-----------|-------|---------------|--------|
 *   | KEY SHARE     |           |       |               |   X    |
 *   | SHARE         |           |       |      X        |   X    |
 *   | NO KEY UPDATE |           |   X   |      X        |   X    |
 *   | UPDATE        |    X      |   X   |      X        |   X    |
 *
 * Foreign-key checks take KEY SHARE on the parent row, UPDATE that keeps every key column takes NO KEY
 * UPDATE, DELETE and key-changing UPDATE take UPDATE; SELECT ... FOR <mode> takes <mode>.
 *
 * Implicit locks (InnoDB's idea): a key in an open transaction's write set is locked by it without a
 * lock-table entry, so a transaction writing alone pays nothing per row. A transaction that wants such a key
 * makes the writer's lock explicit first (`adopt`, in the mode the write stands for: FOR NO KEY UPDATE for
 * an update that kept every unique key, FOR UPDATE otherwise) and then waits like for any other lock.
 *
 * The executor is synchronous, so a blocked statement cannot pause where it is: `acquire` returns the
 * conflict, the caller unwinds the statement (transaction.ts throws a LockWait), `wait` queues the
 * transaction and settles when the lock is granted (the lock is then held) or the wait fails, and the
 * session re-runs the statement, which finds the lock already held.
 *
 * Invariants:
 *   (1) A transaction holds each resource at most once, in its strongest requested mode.
 *   (2) A grant never conflicts with another holder's mode (a transaction never conflicts with itself).
 *   (3) A transaction waits for at most one resource; `releaseAll` (commit or rollback) wakes the waiters
 *       whose requests are now compatible, in queue order.
 *   (4) A wait that would close a cycle in the waits-for graph fails at once with 40P01 naming the other
 *       transaction(s); the waiter is the victim, its locks stay until its transaction ends.
 * Not here: what a resource means (transaction.ts), when a conflicting commit is a serialization failure
 * (txn-manager.ts).
 */
import { RustyError, SqlState } from '../common/index.js'

/** PostgreSQL's four row lock strengths, weakest first (the order is the numeric value). */
export const LockMode = { KEY_SHARE: 0, SHARE: 1, NO_KEY_UPDATE: 2, UPDATE: 3 } as const
export type LockMode = (typeof LockMode)[keyof typeof LockMode]

const MODE_NAMES = ['FOR KEY SHARE', 'FOR SHARE', 'FOR NO KEY UPDATE', 'FOR UPDATE']

/** CONFLICTS[a] has bit b when mode a conflicts with mode b (table above). */
const CONFLICTS = [0b1000, 0b1100, 0b1110, 0b1111]

export function conflicts(a: LockMode, b: LockMode): boolean {
  return (CONFLICTS[a] & (1 << b)) !== 0
}

/** How a wait is bounded. */
export interface WaitOptions {
  /** lock_timeout in ms; 0 = none. */
  readonly lockTimeoutMs: number
  /** The statement's Date.now() deadline (statement_timeout) or Infinity. */
  readonly deadline: number
}

interface Waiter {
  readonly txn: number
  readonly mode: LockMode
  readonly resolve: () => void
  readonly reject: (error: RustyError) => void
}

interface LockEntry {
  readonly holders: Map<number, LockMode>
  readonly waiters: Waiter[]
}

/**
 * The row locks of one database.
 *
 * @example
 * const locks = new LockManager(() => 'accounts')
 * locks.acquire(1, 't5\0\x01', LockMode.UPDATE)      // null: granted
 * const blockers = locks.acquire(2, 't5\0\x01', LockMode.UPDATE)   // [1]
 * await locks.wait(2, 't5\0\x01', LockMode.UPDATE, { lockTimeoutMs: 0, deadline: Infinity })  // after releaseAll(1)
 */
export class LockManager {
  readonly #locks = new Map<string, LockEntry>()
  readonly #held = new Map<number, Set<string>>()
  readonly #waitingFor = new Map<number, string>()
  /** Names the relation of a resource for messages ("a row of accounts"). */
  readonly #describe: (resource: string) => string

  constructor(describe: (resource: string) => string) {
    this.#describe = describe
  }

  /** Number of resources locked by anyone (tests: nothing is left behind). */
  get lockedCount(): number {
    return this.#locks.size
  }

  /** Transactions that hold `resource` in a mode conflicting with `mode`, other than `txn`. */
  #blockers(entry: LockEntry, txn: number, mode: LockMode): number[] {
    const out: number[] = []
    for (const [holder, held] of entry.holders) if (holder !== txn && conflicts(mode, held)) out.push(holder)
    return out
  }

  /** Grants `mode` on `resource` to `txn` and returns null, or returns the transactions that block it. */
  acquire(txn: number, resource: string, mode: LockMode): number[] | null {
    let entry = this.#locks.get(resource)
    if (entry === undefined) {
      entry = { holders: new Map([[txn, mode]]), waiters: [] }
      this.#locks.set(resource, entry)
      this.#heldBy(txn).add(resource)
      return null
    }
    const current = entry.holders.get(txn)
    if (current !== undefined && current >= mode) return null
    const blockers = this.#blockers(entry, txn, mode)
    if (blockers.length > 0) return blockers
    entry.holders.set(txn, mode)
    this.#heldBy(txn).add(resource)
    return null
  }

  /** True when anyone holds or waits for `resource`. */
  isLocked(resource: string): boolean {
    return this.#locks.has(resource)
  }

  /**
   * Records that `holder` holds `resource` in `mode` without asking (it wrote the key: an implicit lock made
   * explicit so others can wait for it, transaction.ts #lock).
   */
  adopt(holder: number, resource: string, mode: LockMode): void {
    let entry = this.#locks.get(resource)
    if (entry === undefined) this.#locks.set(resource, (entry = { holders: new Map(), waiters: [] }))
    const current = entry.holders.get(holder)
    if (current === undefined || current < mode) entry.holders.set(holder, mode)
    this.#heldBy(holder).add(resource)
  }

  /** The strongest mode `txn` holds on `resource`, or undefined. */
  heldMode(txn: number, resource: string): LockMode | undefined {
    return this.#locks.get(resource)?.holders.get(txn)
  }

  #heldBy(txn: number): Set<string> {
    let set = this.#held.get(txn)
    if (set === undefined) this.#held.set(txn, (set = new Set()))
    return set
  }

  /**
   * Queues `txn` for `mode` on `resource` (after `acquire` returned blockers). Resolves once granted; rejects
   * with 40P01 when waiting would deadlock (invariant 4), 55P03 at lock_timeout, 57014 at the deadline.
   */
  wait(txn: number, resource: string, mode: LockMode, options: WaitOptions): Promise<void> {
    if (this.acquire(txn, resource, mode) === null) return Promise.resolve()
    const cycle = this.#cycle(txn, resource, mode)
    if (cycle !== null) return Promise.reject(this.#deadlock(txn, resource, mode, cycle))
    const entry = this.#locks.get(resource) as LockEntry
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer)
        this.#waitingFor.delete(txn)
      }
      const waiter: Waiter = {
        txn,
        mode,
        resolve: () => {
          done()
          resolve()
        },
        reject: (error) => {
          done()
          const i = entry.waiters.indexOf(waiter)
          if (i >= 0) entry.waiters.splice(i, 1)
          reject(error)
        },
      }
      entry.waiters.push(waiter)
      this.#waitingFor.set(txn, resource)
      const lockMs = options.lockTimeoutMs > 0 ? options.lockTimeoutMs : Infinity
      const deadlineMs = options.deadline === Infinity ? Infinity : Math.max(0, options.deadline - Date.now())
      if (lockMs !== Infinity || deadlineMs !== Infinity) {
        const byLock = lockMs <= deadlineMs
        timer = setTimeout(
          () =>
            waiter.reject(
              byLock
                ? new RustyError(SqlState.LOCK_NOT_AVAILABLE, `canceling statement due to lock timeout (waiting for ${MODE_NAMES[mode]} on ${this.#describe(resource)})`)
                : new RustyError(SqlState.QUERY_CANCELED, 'canceling statement due to statement timeout'),
            ),
          Math.min(lockMs, deadlineMs),
        )
      }
    })
  }

  /** Releases every lock of `txn` (its transaction ended) and grants what waiters can now have. */
  releaseAll(txn: number): void {
    const resources = this.#held.get(txn)
    this.#held.delete(txn)
    if (resources === undefined) return
    for (const resource of resources) {
      const entry = this.#locks.get(resource)
      if (entry === undefined) continue
      entry.holders.delete(txn)
      this.#grantWaiters(resource, entry)
    }
  }

  /** Grants queued requests in order while they are compatible with the holders (invariant 3). */
  #grantWaiters(resource: string, entry: LockEntry): void {
    while (entry.waiters.length > 0) {
      const w = entry.waiters[0]
      if (this.#blockers(entry, w.txn, w.mode).length > 0) break
      entry.waiters.shift()
      const current = entry.holders.get(w.txn)
      if (current === undefined || current < w.mode) entry.holders.set(w.txn, w.mode)
      this.#heldBy(w.txn).add(resource)
      w.resolve()
    }
    if (entry.holders.size === 0 && entry.waiters.length === 0) this.#locks.delete(resource)
  }

  /** The transactions on a waits-for path from `resource`'s blockers back to `txn`, or null (no cycle). */
  #cycle(txn: number, resource: string, mode: LockMode): number[] | null {
    const entry = this.#locks.get(resource)
    if (entry === undefined) return null
    const seen = new Set<number>()
    const path: number[] = []
    const visit = (t: number): boolean => {
      if (t === txn) return true
      if (seen.has(t)) return false
      seen.add(t)
      path.push(t)
      const waitsOn = this.#waitingFor.get(t)
      if (waitsOn !== undefined) {
        const e = this.#locks.get(waitsOn)
        const w = e?.waiters.find((x) => x.txn === t)
        if (e !== undefined && w !== undefined) {
          for (const next of this.#blockers(e, t, w.mode)) if (visit(next)) return true
        }
      }
      path.pop()
      return false
    }
    for (const b of this.#blockers(entry, txn, mode)) if (visit(b)) return path
    return null
  }

  #deadlock(txn: number, resource: string, mode: LockMode, cycle: number[]): RustyError {
    const others = cycle.map((t) => `transaction ${t}`).join(', ')
    const steps = [`Transaction ${txn} waits for ${MODE_NAMES[mode]} on ${this.#describe(resource)}, held by transaction ${cycle[0]}.`]
    for (let i = 0; i < cycle.length; i++) {
      const waitsOn = this.#waitingFor.get(cycle[i])
      if (waitsOn !== undefined) steps.push(`Transaction ${cycle[i]} waits for ${this.#describe(waitsOn)}, held by transaction ${cycle[i + 1] ?? txn}.`)
    }
    return new RustyError(SqlState.DEADLOCK_DETECTED, `deadlock detected: transaction ${txn} and ${others} wait for each other`, {
      detail: steps.join('\n'),
      hint: 'Retry the transaction; take row locks in a consistent order to avoid deadlocks.',
    })
  }
}
