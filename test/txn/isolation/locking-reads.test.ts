/**
 * Locking reads against the Hermitage anomalies (issue #4): SELECT ... FOR UPDATE / FOR SHARE make a
 * read-then-write safe where the isolation level alone is not, as in PostgreSQL (13.3.2 "Row-Level Locks"):
 *   - at READ COMMITTED a locking read waits for the row's writer and then returns the row's newest version
 *     (it re-checks its WHERE on it), so the read-modify-write of P4 loses nothing;
 *   - at REPEATABLE READ and SERIALIZABLE a locking read of a row changed by a commit after the snapshot fails
 *     with 40001, like an UPDATE would;
 *   - FOR SHARE holders do not block each other but block writers, and two holders that both go on to update
 *     deadlock (40P01 for the one that closes the cycle).
 * Scripts as in hermitage.test.ts (hermitage-script.ts).
 */
import { describe, it } from 'vitest'
import { SERIALIZATION_FAILURE as SERIALIZATION, after, hermitage, t1, t2 } from './hermitage-script.js'

const SNAPSHOT_LEVELS = ['repeatable read', 'serializable'] as const

describe('P4 (lost update) with SELECT ... FOR UPDATE', () => {
  it('read committed: the second locking read waits and reads the committed value, so no update is lost', async () => {
    await hermitage('read committed', [
      t1('select * from test where id = 1 for update').shows([1, 10]),
      t2('select * from test where id = 1 for update').blocks(),
      t1('update test set value = 11 where id = 1'),
      t1.commit(),
      t2.resumes().shows([1, 11]),
      t2('update test set value = 12 where id = 1'),
      t2.commit(),
      after('select * from test').shows([1, 12], [2, 20]),
    ])
  })

  it('read committed: a locking read whose row stops matching while it waits returns nothing', async () => {
    await hermitage('read committed', [
      t1('update test set value = 11 where id = 1'),
      t2('select * from test where value = 10 for update').blocks(),
      t1.commit(),
      t2.resumes().returnsNothing(),
      t2.commit(),
    ])
  })

  for (const level of SNAPSHOT_LEVELS) {
    it(`${level}: the second locking read waits, then fails with 40001 once the first commits its update`, async () => {
      await hermitage(level, [
        t1('select * from test where id = 1 for update').shows([1, 10]),
        t2('select * from test where id = 2').shows([2, 20]),
        t2('select * from test where id = 1 for update').blocks(),
        t1('update test set value = 11 where id = 1'),
        t1.commit(),
        t2.resumes().fails(SERIALIZATION),
        t2.abort(),
        after('select * from test').shows([1, 11], [2, 20]),
      ])
    })

    it(`${level}: the second locking read gets the row when the first rolls back`, async () => {
      await hermitage(level, [
        t1('select * from test where id = 1 for update').shows([1, 10]),
        t2('select * from test where id = 1 for update').blocks(),
        t1('update test set value = 11 where id = 1'),
        t1.abort(),
        t2.resumes().shows([1, 10]),
        t2('update test set value = 12 where id = 1'),
        t2.commit(),
        after('select * from test').shows([1, 12], [2, 20]),
      ])
    })
  }
})

describe('G2-item (write skew) with locking reads', () => {
  it('repeatable read: locking both rows read turns write skew into a wait and a 40001', async () => {
    // The materialized conflict of PostgreSQL's docs: both transactions lock what they read.
    await hermitage('repeatable read', [
      t1('select * from test where id in (1, 2) for update').shows([1, 10], [2, 20]),
      t2('select * from test where id in (1, 2) for update').blocks(),
      t1('update test set value = 11 where id = 1'),
      t1.commit(),
      t2.resumes().fails(SERIALIZATION),
      t2.abort(),
      after('select * from test').shows([1, 11], [2, 20]),
    ])
  })

  it('read committed: with locking reads the second transaction sees the first one\'s write before deciding', async () => {
    await hermitage('read committed', [
      t1('select * from test where id in (1, 2) for update').shows([1, 10], [2, 20]),
      t2('select * from test where id in (1, 2) for update').blocks(),
      t1('update test set value = 11 where id = 1'),
      t1.commit(),
      t2.resumes().shows([1, 11], [2, 20]),
      t2('update test set value = 21 where id = 2'),
      t2.commit(),
      after('select * from test').shows([1, 11], [2, 21]),
    ])
  })
})

describe('FOR SHARE', () => {
  it('read committed: share locks do not block each other, and block a writer until released', async () => {
    await hermitage('read committed', [
      t1('select * from test where id = 1 for share').shows([1, 10]),
      t2('select * from test where id = 1 for share').shows([1, 10]),
      t1('update test set value = 11 where id = 1').blocks(),
      t2.commit(),
      t1.resumes().affects(1),
      t1.commit(),
      after('select * from test where id = 1').shows([1, 11]),
    ])
  })

  it('read committed: two share holders that both update deadlock, and the survivor commits', async () => {
    await hermitage('read committed', [
      t1('select * from test where id = 1 for share').shows([1, 10]),
      t2('select * from test where id = 1 for share').shows([1, 10]),
      t1('update test set value = 11 where id = 1').blocks(),
      t2('update test set value = 12 where id = 1').fails('40P01'),
      t2.abort(),
      t1.resumes().affects(1),
      t1.commit(),
      after('select * from test where id = 1').shows([1, 11]),
    ])
  })

  it('read committed: FOR KEY SHARE does not block an update of a non-key column, but blocks a delete', async () => {
    await hermitage('read committed', [
      t1('select * from test where id = 1 for key share').shows([1, 10]),
      t2('update test set value = 11 where id = 1').affects(1),
      t2('delete from test where id = 1').blocks(),
      t1.commit(),
      t2.resumes().affects(1),
      t2.commit(),
      after('select * from test').shows([2, 20]),
    ])
  })
})

describe('FOR KEY SHARE against an uncommitted non-key update', () => {
  it('read committed: FOR KEY SHARE does not wait for an update of a non-key column', async () => {
    await hermitage('read committed', [
      t1('update test set value = 11 where id = 1'),
      t2('select * from test where id = 1 for key share').shows([1, 10]),
      t1.commit(),
      t2.commit(),
    ])
  })

  it('read committed: a child insert does not wait for a non-key update of its parent', async () => {
    const setup = `
      create table parent (id int primary key, name text);
      create table child (id int primary key, parent_id int references parent (id));
      insert into parent values (1, 'a')`
    await hermitage(
      'read committed',
      [
        t1("update parent set name = 'b' where id = 1"),
        t2('insert into child values (10, 1)'),
        t1.commit(),
        t2.commit(),
        after('select * from child').shows([10, 1]),
      ],
      setup,
    )
  })
})
