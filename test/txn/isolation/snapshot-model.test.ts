/**
 * Model test of REPEATABLE READ as snapshot isolation (issue #4): the random interleavings of
 * model-workload.ts at REPEATABLE READ, checked against what snapshot isolation promises. Write skew and the
 * other G2 anomalies are allowed here (hermitage.test.ts shows them), so there is no serial order to replay;
 * instead, for each committed transaction in commit order:
 *   (1) its statements, run alone on a database holding the state its snapshot saw (the starting rows plus
 *       the effects of the commits before its snapshot point, within its window: model-workload.ts (3)),
 *       return exactly what they returned concurrently: every read came from one snapshot plus its own writes;
 *   (2) first updater wins: no row it updated or deleted was changed by a commit after its snapshot (no lost
 *       update). As in PostgreSQL, an insert is checked against the latest rows (the key must be free there),
 *       not against the snapshot, so re-inserting a key that a concurrent commit deleted is allowed;
 *   (3) the table at the end is the starting rows with each transaction's effect, computed on its own
 *       snapshot, applied in commit order (which (2) makes well defined).
 * Read-only transactions check (1) only. The same check runs over SERIALIZABLE runs, which are snapshot
 * isolation too.
 */
import { describe, expect, it } from 'vitest'
import type { Database, DatabaseSession } from '../../../engine/index.js'
import { rowsOf } from '../support-sessions.js'
import { type Replay, type Run, SEEDS as ALL_SEEDS, type Txn, checkSeeds, rerun, reset } from './model-workload.js'

/** Fewer seeds than the serializable model: each transaction is replayed on its own snapshot state. */
const SEEDS = Math.min(ALL_SEEDS, 200)

/** A table state: value by id. */
type State = ReadonlyMap<number, number>

/** Runs `t` alone on `state` (within its window, at most `limit` commits); its snapshot point and its result. */
async function atSnapshot(db: Database, t: Txn, states: readonly State[], limit: number): Promise<{ at: number; after: State } | undefined> {
  for (let k = t.firstSentAfter; k <= Math.min(t.firstSeenBefore, limit); k++) {
    await reset(db, [...states[k]])
    let after: State = new Map()
    const readTable = async (s: DatabaseSession): Promise<void> => {
      after = new Map((await rowsOf(s, 'SELECT id, value FROM test')) as [number, number][])
    }
    if (await rerun(db, t, false, null, readTable)) return { at: k, after }
  }
  return undefined
}

const replaySnapshots: Replay = async (seed: number, run: Run, db: Database): Promise<void> => {
  const { initial, txns, order, finalTable, fail } = run
  /** states[k]: the table after the first k commits of `order`. */
  const states: State[] = [new Map(initial)]
  for (let j = 0; j < order.length; j++) {
    const t = order[j]
    const found = await atSnapshot(db, t, states, j)
    if (found === undefined) return fail(`T${t.id}'s results match no snapshot between commits ${t.firstSentAfter} and ${Math.min(t.firstSeenBefore, j)} (1)`)
    const seen = states[found.at]
    const next = new Map(states[j])
    for (const id of new Set([...seen.keys(), ...found.after.keys()])) {
      const before = seen.get(id)
      const after = found.after.get(id)
      if (before === after) continue
      // An insert (the row is absent from the latest state) is checked against the latest rows by the key's
      // uniqueness, not against the snapshot: re-inserting a key a concurrent commit deleted is allowed.
      const inserted = !states[j].has(id) && after !== undefined
      if (!inserted && states[j].get(id) !== before) {
        fail(`T${t.id} changed id ${id} (${before} -> ${after}) after a concurrent commit changed it to ${states[j].get(id)}: a lost update (2)`)
      }
      if (after === undefined) next.delete(id)
      else next.set(id, after)
    }
    states.push(next)
  }
  for (const t of txns) {
    if (t.state !== 'committed' || t.changed) continue
    if ((await atSnapshot(db, t, states, order.length)) === undefined) fail(`read-only T${t.id}'s results match no snapshot (1)`)
  }
  const last = [...states[order.length]].sort((a, b) => a[0] - b[0])
  expect(JSON.stringify(last), `seed ${seed}: the table is the effects applied in commit order (3)`).toBe(finalTable)
}

describe('REPEATABLE READ as snapshot isolation', () => {
  it(`${SEEDS} random interleavings of reads, range reads, updates, inserts and deletes each read one snapshot and lose no update`, async () => {
    await checkSeeds({ upserts: false }, 'repeatable read', replaySnapshots, SEEDS)
  })

  it(`${SEEDS} random interleavings with upserts on shared keys each read one snapshot and lose no update`, async () => {
    await checkSeeds({ upserts: true }, 'repeatable read', replaySnapshots, SEEDS)
  })

  it(`${SEEDS} random interleavings over an indexed column each read one snapshot and lose no update`, async () => {
    await checkSeeds({ upserts: false, indexed: true }, 'repeatable read', replaySnapshots, SEEDS)
  })

  it(`${SEEDS} SERIALIZABLE interleavings are snapshot isolation too`, async () => {
    await checkSeeds({ upserts: true }, 'serializable', replaySnapshots, SEEDS)
  })
})
