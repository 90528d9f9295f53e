/**
 * LockManager: PostgreSQL's row-lock conflict table, FIFO grants, re-entrancy, deadlock detection across
 * several transactions, lock_timeout and statement deadline, release of everything a transaction held.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { LockManager, LockMode, conflicts } from '../../engine/txn/lock-manager.js'

const { KEY_SHARE, SHARE, NO_KEY_UPDATE, UPDATE } = LockMode
const NO_LIMIT = { lockTimeoutMs: 0, deadline: Infinity }

function manager(): LockManager {
  return new LockManager((resource) => `a row of "${resource}"`)
}

/** Settles to 'granted' or the error's SQLSTATE; 'pending' if it has not settled after a few ticks. */
async function outcome(p: Promise<void>): Promise<string> {
  let state = 'pending'
  p.then(
    () => (state = 'granted'),
    (e: unknown) => (state = e instanceof RustyError ? e.code : String(e)),
  )
  for (let i = 0; i < 5; i++) await Promise.resolve()
  await new Promise((r) => setTimeout(r, 1))
  return state
}

describe('LockManager', () => {
  it('follows PostgreSQL row-lock conflicts', () => {
    // Rows: requested; columns: held. true = conflict.
    const table = [
      [false, false, false, true],
      [false, false, true, true],
      [false, true, true, true],
      [true, true, true, true],
    ]
    const modes = [KEY_SHARE, SHARE, NO_KEY_UPDATE, UPDATE]
    for (const a of modes) for (const b of modes) expect(conflicts(a, b), `${a} vs ${b}`).toBe(table[a][b])
    const locks = manager()
    expect(locks.acquire(1, 'r', KEY_SHARE)).toBeNull()
    expect(locks.acquire(2, 'r', NO_KEY_UPDATE)).toBeNull() // a child's FK check does not block a non-key update
    expect(locks.acquire(3, 'r', UPDATE)).toEqual([1, 2])
    expect(locks.acquire(3, 'r', SHARE)).toEqual([2])
  })

  it('is re-entrant and upgrades only when no one else conflicts', () => {
    const locks = manager()
    expect(locks.acquire(1, 'r', UPDATE)).toBeNull()
    expect(locks.acquire(1, 'r', KEY_SHARE)).toBeNull()
    expect(locks.heldMode(1, 'r')).toBe(UPDATE)
    expect(locks.acquire(2, 's', SHARE)).toBeNull()
    expect(locks.acquire(3, 's', SHARE)).toBeNull()
    expect(locks.acquire(2, 's', UPDATE)).toEqual([3])
    locks.releaseAll(3)
    expect(locks.acquire(2, 's', UPDATE)).toBeNull()
    expect(locks.heldMode(2, 's')).toBe(UPDATE)
  })

  it('grants waiters in queue order once the holder ends, shared waiters together', async () => {
    const locks = manager()
    locks.acquire(1, 'r', UPDATE)
    const a = locks.wait(2, 'r', SHARE, NO_LIMIT)
    const b = locks.wait(3, 'r', SHARE, NO_LIMIT)
    const c = locks.wait(4, 'r', UPDATE, NO_LIMIT)
    expect(await outcome(a)).toBe('pending')
    locks.releaseAll(1)
    expect(await outcome(a)).toBe('granted')
    expect(await outcome(b)).toBe('granted')
    expect(await outcome(c)).toBe('pending')
    locks.releaseAll(2)
    expect(await outcome(c)).toBe('pending')
    locks.releaseAll(3)
    expect(await outcome(c)).toBe('granted')
    locks.releaseAll(4)
    expect(locks.lockedCount).toBe(0)
  })

  it('detects a three-way deadlock at the wait that closes the cycle and names the others', async () => {
    const locks = manager()
    locks.acquire(1, 'a', UPDATE)
    locks.acquire(2, 'b', UPDATE)
    locks.acquire(3, 'c', UPDATE)
    const w1 = locks.wait(1, 'b', UPDATE, NO_LIMIT)
    const w2 = locks.wait(2, 'c', UPDATE, NO_LIMIT)
    let error: RustyError | undefined
    await locks.wait(3, 'a', UPDATE, NO_LIMIT).catch((e: RustyError) => (error = e))
    expect(error?.code).toBe('40P01')
    expect(error?.message).toMatch(/transaction 3 and transaction 1, transaction 2/)
    expect(error?.detail).toMatch(/Transaction 3 waits for FOR UPDATE on a row of "a", held by transaction 1/)
    // The victim rolls back: the others proceed in turn.
    locks.releaseAll(3)
    expect(await outcome(w2)).toBe('granted')
    locks.releaseAll(2)
    expect(await outcome(w1)).toBe('granted')
    locks.releaseAll(1)
    expect(locks.lockedCount).toBe(0)
  })

  it('does not call shared holders a deadlock', async () => {
    const locks = manager()
    locks.acquire(1, 'a', SHARE)
    locks.acquire(2, 'a', SHARE)
    locks.acquire(3, 'b', UPDATE)
    const w = locks.wait(1, 'b', UPDATE, NO_LIMIT)
    expect(await outcome(w)).toBe('pending')
    // 2 waits for b (held by 3) while 1 waits for b: no cycle, both just wait.
    expect(await outcome(locks.wait(2, 'b', KEY_SHARE, NO_LIMIT))).toBe('pending')
    locks.releaseAll(3)
    expect(await outcome(w)).toBe('granted')
  })

  it('fails a wait with 55P03 at lock_timeout and 57014 at the statement deadline, leaving the queue clean', async () => {
    const locks = manager()
    locks.acquire(1, 'r', UPDATE)
    const started = Date.now()
    const e1 = await locks.wait(2, 'r', UPDATE, { lockTimeoutMs: 20, deadline: Infinity }).catch((e: RustyError) => e)
    expect((e1 as RustyError).code).toBe('55P03')
    expect((e1 as RustyError).message).toMatch(/lock timeout.*a row of "r"/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(15)
    const e2 = await locks.wait(2, 'r', UPDATE, { lockTimeoutMs: 1000, deadline: Date.now() + 10 }).catch((e: RustyError) => e)
    expect((e2 as RustyError).code).toBe('57014')
    locks.releaseAll(1)
    expect(locks.lockedCount).toBe(0)
  })
})
