/**
 * Binder context: the state shared by everything that binds one statement.
 * Owns: PlanContext (fresh column ids, parameter types, the catalog, error positions), Scope (the relations
 * a query level sees) and QueryLevel (correlation tracking).
 * Invariants:
 *   (1) Every PlanColumn id comes from PlanContext.newId, so ids are unique in the statement (plan-node (1)).
 *   (2) A column found in an enclosing level becomes an OuterColumn, and its id is recorded in `outerRefs` of
 *       every level between the reference and the level that defines it (the executor binds it for each).
 *   (3) A parameter of unknown type takes the first type it is coerced to; one that never is becomes text.
 * Not here: expression binding (expr-binder.ts), query shapes (query-binder.ts).
 */
import { RustyError, type SqlType, typeOf } from '../../common/index.js'
import { positionOf } from '../../sql/index.js'
import type { CatalogReader, TableAccess } from '../../txn/table-access.js'
import type { TableDef } from '../../catalog/schema.js'

/** One column visible in a scope. `hidden` columns (row keys) are not expanded by `*`. */
export interface ScopeColumn {
  readonly name: string
  readonly id: number
  readonly type: SqlType
  readonly hidden?: boolean
  /** Reachable only qualified by its relation's alias (the right side's columns of JOIN ... USING). */
  readonly qualifiedOnly?: boolean
}

/** A FROM item as seen by name resolution. */
export interface ScopeRelation {
  readonly alias: string
  readonly columns: readonly ScopeColumn[]
  readonly table?: TableDef
}

/** One level of query nesting (a SELECT, a subquery, a lateral right side). */
export class QueryLevel {
  readonly outerRefs = new Set<number>()
  constructor(
    readonly parent: QueryLevel | null,
    public relations: ScopeRelation[] = [],
  ) {}
}

/** Options that shape binding of a statement. */
export interface PlanOptions {
  readonly defaultSchema: string
  /** Types of $1..$n known from the values passed (unknown: adopt from context, invariant (3)). */
  readonly paramTypes: readonly SqlType[]
  /** Plan naively (no pushdown, no access paths, nested loops in FROM order): the optimizer's reference. */
  readonly naive?: boolean
}

export class PlanContext {
  #ids: { next: number } = { next: 1 }
  readonly paramTypes: SqlType[]
  /** CTEs visible by name, innermost last. */
  readonly ctes: Map<string, CteBinding>[] = []
  /** Set when the plan holds on to this transaction (sequence calls): such a plan must not be cached. */
  usesTransaction = false
  /** Views being expanded (to report recursion). */
  expanding = new Set<string>()

  constructor(
    readonly sql: string,
    readonly catalog: CatalogReader,
    readonly options: PlanOptions,
    readonly access?: TableAccess,
  ) {
    this.paramTypes = [...options.paramTypes]
  }

  newId(): number {
    return this.#ids.next++
  }

  /** A context for binding other SQL text (a view's) in the same statement: shared ids and parameters. */
  withSql(sql: string): PlanContext {
    const child = new PlanContext(sql, this.catalog, this.options, this.access)
    child.#ids = this.#ids
    child.expanding = this.expanding
    child.#parent = this
    return child
  }

  #parent: PlanContext | null = null

  /** Marks this context and the ones it was derived from (a default's nextval taints the whole statement). */
  markUsesTransaction(): void {
    this.usesTransaction = true
    this.#parent?.markUsesTransaction()
  }

  /** A RustyError positioned at `offset` in the statement text. */
  error(code: string, message: string, offset: number | undefined, fields: Record<string, unknown> = {}): RustyError {
    const position = offset === undefined || offset < 0 ? undefined : positionOf(this.sql, offset)
    return new RustyError(code, message, position === undefined ? fields : { ...fields, position })
  }

  paramType(index: number): SqlType {
    return this.paramTypes[index] ?? typeOf('unknown')
  }

  findCte(name: string): CteBinding | undefined {
    for (let i = this.ctes.length - 1; i >= 0; i--) {
      const found = this.ctes[i].get(name)
      if (found !== undefined) return found
    }
    return undefined
  }
}

/** A CTE in scope: its id, column names and types; `recursiveWorking` while binding its recursive term. */
export interface CteBinding {
  readonly id: number
  readonly names: readonly string[]
  readonly types: readonly SqlType[]
}
