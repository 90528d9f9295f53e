/**
 * The txn suite's database: a durable Node fs database in a fresh temp directory holding
 * `accounts(id int PRIMARY KEY, balance bigint NOT NULL)` with ids 0..rows-1 and balance 0.
 * Owns: loading RustyDB from dist/, creating and filling the database, the balance checks, and removing it.
 * Invariants:
 *   (1) Every workload only adds 1 to balances, one row per committed UPDATE, so sum(balance) equals the number
 *       of committed updates; `verifyAndRemove` checks that on the open database, then closes it, reopens the
 *       file through the path API (`Database.open({ path })`) and checks it again: every acknowledged commit
 *       is on disk.
 *   (2) One database per measured run: no run inherits another's WAL, checkpoint state or version store.
 * Not here: the workloads (workloads.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SyncTimingAdapter } from './sync-timing-adapter.js'

/** RustyDB's Node entry as built in dist/. */
export type RustyDb = typeof import('../../engine/node.js')
/** An open database. */
export type Db = import('../../engine/node.js').Database
/** A session from `db.session()`. */
export type DbSession = import('../../engine/node.js').DatabaseSession

const FILE = 'accounts.rdb'

/**
 * Imports the built package (dist/, `npm run build`), as applications run it; the specifier is computed so the
 * type-checker does not need dist/ to exist (as bench/sql/engines.ts does).
 */
export async function loadRustyDb(): Promise<RustyDb> {
  const built = '../../dist/engine/node.js'
  try {
    return (await import(built)) as RustyDb
  } catch (err) {
    throw new Error(`the txn suite runs RustyDB from dist/: run \`npm run build\` first (${String((err as Error)?.message ?? err)})`)
  }
}

/** Sum of balances as a JS number (the counts stay far below 2^53). */
export function toCount(value: unknown): number {
  return Number(BigInt(String(value)))
}

/** What {@link AccountsDb.counters} reads; take differences around a measured window. */
export interface StorageCounters {
  /** WAL groups written (one write and one sync each) and checkpoints run (`db.stats().storage`). */
  readonly groups: number
  readonly checkpoints: number
  /** Group syncs the adapter timed (equal to `groups`, sync-timing-adapter.ts (2)) and their total ms. */
  readonly timedGroups: number
  readonly syncMs: number
}

/** Per-commit figures of a window from the counters before and after it; `commits` counts every commit. */
export function perCommit(before: StorageCounters, after: StorageCounters, commits: number): { groupsPerCommit: number; checkpoints: number; syncMs: number } {
  const groups = after.groups - before.groups
  const timed = after.timedGroups - before.timedGroups
  if (timed !== groups) throw new Error(`benchmark check failed: the adapter timed ${timed} group syncs, db.stats() counts ${groups} groups`)
  return { groupsPerCommit: groups / commits, checkpoints: after.checkpoints - before.checkpoints, syncMs: groups === 0 ? NaN : (after.syncMs - before.syncMs) / groups }
}

/** A fresh accounts database in its own directory. */
export class AccountsDb {
  private constructor(
    readonly rusty: RustyDb,
    readonly db: Db,
    readonly adapter: SyncTimingAdapter,
    readonly dir: string,
    readonly rows: number,
  ) {}

  /**
   * Creates the directory (under `parent`, default the OS temp dir) and the table with `rows` accounts.
   * The database goes through a SyncTimingAdapter over NodeFsAdapter, the adapter `{ path }` resolves to.
   */
  static async create(rusty: RustyDb, rows: number, parent: string = tmpdir()): Promise<AccountsDb> {
    const dir = mkdtempSync(join(parent, 'rustydb-txn-'))
    const adapter = new SyncTimingAdapter(new rusty.NodeFsAdapter({ root: dir }))
    const db = await rusty.Database.open({ adapter, name: FILE })
    await db.exec('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)')
    await db.exec(`INSERT INTO accounts SELECT g, 0 FROM generate_series(0, ${rows - 1}) AS g`)
    const out = new AccountsDb(rusty, db, adapter, dir, rows)
    const { rows: check } = await db.query<unknown[]>('SELECT count(*), CAST(sum(balance) AS bigint) FROM accounts', [], { rowMode: 'array' })
    const [count, sum] = check[0]
    if (toCount(count) !== rows || toCount(sum) !== 0) throw new Error(`benchmark check failed: loaded ${String(count)} accounts, sum ${String(sum)}`)
    return out
  }

  /** Storage counters now: groups and checkpoints from `db.stats()`, group sync time from the adapter. */
  counters(): StorageCounters {
    const { groups, checkpoints } = this.db.stats().storage
    const timed = this.adapter.totals()
    return { groups, checkpoints, timedGroups: timed.groups, syncMs: timed.ms }
  }

  /** sum(balance) on `db` (default: this database). */
  async total(db: Pick<Db, 'query'> = this.db): Promise<number> {
    const { rows } = await db.query<unknown[]>('SELECT CAST(sum(balance) AS bigint) FROM accounts', [], { rowMode: 'array' })
    return toCount(rows[0][0])
  }

  /** Closes and deletes the database without checks (after a failed workload). */
  async discard(): Promise<void> {
    await this.db.close().catch(() => undefined)
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** Invariant (1): checks the sum live and after a reopen by path, then deletes the directory. */
  async verifyAndRemove(expectedTotal: number, what: string): Promise<void> {
    try {
      const live = await this.total()
      if (live !== expectedTotal) throw new Error(`benchmark check failed: ${what}: sum(balance) ${live}, expected ${expectedTotal} committed updates`)
      await this.db.close()
      const reopened = await this.rusty.Database.open({ path: join(this.dir, FILE) })
      try {
        const durable = await this.total(reopened)
        if (durable !== expectedTotal) throw new Error(`benchmark check failed: ${what}: after reopen sum(balance) ${durable}, expected ${expectedTotal}`)
      } finally {
        await reopened.close()
      }
    } finally {
      await this.db.close()
      rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
