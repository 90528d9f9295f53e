/**
 * Runtime: the per-execution state of one plan run (ExecContext plus what the operators share).
 * Owns: ExecContext (what the caller passes), Runtime (outer-row bindings for correlated subqueries and
 * LATERAL, CTE buffers, subquery result caches, the deadline check) and the executor's error constructors.
 * Invariants:
 *   (1) Nothing here outlives one executePlan() call; compiled per-node state lives in node-state.ts instead,
 *       so a plan can run many times.
 *   (2) Outer bindings are set and restored around each inner run (bindOuter / restoreOuter), so nested
 *       correlated subqueries see the innermost enclosing row of each id.
 * Not here: operators (operators/), expression compilation (expr/).
 */
import type { Batch } from '../common/batch.js'
import type { SqlValue } from '../common/types.js'
import { RustyError } from '../common/index.js'
import type { TableAccess } from '../txn/table-access.js'
import type { PlanNode } from '../plan/plan-node.js'
import type { SpillFile } from '../storage/spill-file.js'

/** Per-node figures for EXPLAIN ANALYZE: rows produced, times opened, inclusive wall time. */
export interface NodeStats {
  rows: number
  loops: number
  timeMs: number
}

/** What the caller gives executePlan (spec "X API"). */
export interface ExecContext {
  /** The transaction's rows. */
  readonly access: TableAccess
  /** Parameter values, already converted to the Param types. */
  readonly params: readonly SqlValue[]
  /** Date.now() deadline or Infinity; checked per batch (57014). */
  readonly deadline: number
  /** Statement timestamp, microseconds since the epoch. */
  readonly now: number
  /** DML nodes add the rows they inserted, updated or deleted. */
  affectedRows: number
  /** When given, every node's figures are recorded here (EXPLAIN ANALYZE). */
  readonly stats?: Map<PlanNode, NodeStats>
  /** Where sorts put what exceeds `workMem` (none: everything stays in memory). */
  readonly spill?: SpillFile
  /** Memory budget of one sort, in estimated bytes (work_mem). */
  readonly workMem?: number
}

/** A CTE's rows as they are produced: readers share the buffer and pull the source lazily (LIMIT works). */
export interface CteBuffer {
  readonly batches: Batch[]
  /** The plan that fills the buffer (null for a recursive working table, which is complete). */
  readonly plan: PlanNode | null
  source: Generator<Batch, void, undefined> | null
  done: boolean
}

export type Runner = (node: PlanNode, rt: Runtime) => Generator<Batch, void, undefined>

/** One execution's shared state. */
export class Runtime {
  readonly ctx: ExecContext
  #outer: Map<number, SqlValue> | undefined
  #ctes: Map<number, CteBuffer> | undefined
  #subqueries: Map<object, Map<unknown, unknown>> | undefined

  /** Outer-row bindings (correlated subqueries, LATERAL); made on first use, as most plans have none. */
  get outer(): Map<number, SqlValue> {
    return (this.#outer ??= new Map())
  }

  get ctes(): Map<number, CteBuffer> {
    return (this.#ctes ??= new Map())
  }

  /** Results of subqueries: uncorrelated ones under the key UNCORRELATED, correlated ones per outer values. */
  get subqueries(): Map<object, Map<unknown, unknown>> {
    return (this.#subqueries ??= new Map())
  }
  readonly #runner: Runner

  constructor(ctx: ExecContext, runner: Runner) {
    this.ctx = ctx
    this.#runner = runner
  }

  /** A new execution state over the same context (re-runs that must not share caches: EPQ re-checks). */
  fresh(): Runtime {
    return new Runtime(this.ctx, this.#runner)
  }

  /** Runs a plan node inside this execution. */
  run(node: PlanNode): Generator<Batch, void, undefined> {
    return this.instrument(node, this.#runner(node, this))
  }

  /**
   * Wraps a node's batches with the deadline check and, for EXPLAIN ANALYZE, its figures (rows, loops and
   * inclusive time, children included, as PostgreSQL reports). Without stats or deadline: the generator as is.
   */
  instrument(node: PlanNode, gen: Generator<Batch, void, undefined>): Generator<Batch, void, undefined> {
    const stats = this.ctx.stats
    if (stats !== undefined) return this.#measured(node, gen, stats)
    if (this.ctx.deadline !== Infinity) return this.#guarded(gen)
    return gen
  }

  *#guarded(gen: Generator<Batch, void, undefined>): Generator<Batch, void, undefined> {
    try {
      for (;;) {
        this.checkDeadline()
        const r = gen.next()
        if (r.done === true) return
        yield r.value
      }
    } finally {
      gen.return()
    }
  }

  *#measured(node: PlanNode, gen: Generator<Batch, void, undefined>, stats: Map<PlanNode, NodeStats>): Generator<Batch, void, undefined> {
    let s = stats.get(node)
    if (s === undefined) {
      s = { rows: 0, loops: 0, timeMs: 0 }
      stats.set(node, s)
    }
    s.loops++
    try {
      for (;;) {
        this.checkDeadline()
        const t0 = performance.now()
        const r = gen.next()
        s.timeMs += performance.now() - t0
        if (r.done === true) return
        s.rows += r.value.length
        yield r.value
      }
    } finally {
      gen.return()
    }
  }

  /** 57014 when the statement's deadline has passed. */
  checkDeadline(): void {
    if (this.ctx.deadline !== Infinity && Date.now() > this.ctx.deadline) throw statementTimeout()
  }

  /** The bound value of an OuterColumn id. */
  outerValue(id: number): SqlValue {
    const v = this.outer.get(id)
    if (v === undefined) throw internal(`outer column ${id} is not bound`)
    return v
  }

  /** Binds ids to values and returns what they were (undefined: unbound), for restoreOuter. */
  bindOuter(ids: readonly number[], values: readonly SqlValue[]): (SqlValue | undefined)[] {
    const saved = new Array<SqlValue | undefined>(ids.length)
    for (let i = 0; i < ids.length; i++) {
      saved[i] = this.outer.get(ids[i])
      this.outer.set(ids[i], values[i])
    }
    return saved
  }

  restoreOuter(ids: readonly number[], saved: readonly (SqlValue | undefined)[]): void {
    for (let i = 0; i < ids.length; i++) {
      const v = saved[i]
      if (v === undefined) this.outer.delete(ids[i])
      else this.outer.set(ids[i], v)
    }
  }

  /** The cache map of one subquery expression (or other keyed per-execution memo). */
  cacheOf(owner: object): Map<unknown, unknown> {
    let m = this.subqueries.get(owner)
    if (m === undefined) {
      m = new Map()
      this.subqueries.set(owner, m)
    }
    return m
  }
}

/** 57014 */
export function statementTimeout(): RustyError {
  return new RustyError('57014', 'canceling statement due to statement timeout')
}

/** XX000 */
export function internal(message: string): RustyError {
  return new RustyError('XX000', `internal error: ${message}`)
}

/** 0A000 */
export function unsupported(feature: string): RustyError {
  return new RustyError('0A000', `${feature} is not supported`)
}
