/**
 * The tables a live query reads, so it re-runs only after commits that touch them.
 * Owns: finding table names in a query's syntax tree and resolving them against the catalog.
 * Invariants:
 *   (1) Conservative: the answer is a superset of the tables whose changes can change the result, or '*'
 *       (re-run after every commit) when that cannot be told: a name that is a view, or that is not a base
 *       table at all (a catalog view such as information_schema.tables).
 *   (2) Every TableRef anywhere in the tree counts (FROM, JOIN, subqueries in WHERE/SELECT, CTE bodies,
 *       LATERAL), except CTE names the query itself defines. An unqualified name counts in every schema that
 *       has a table of that name, so search_path never makes us miss one.
 *   (3) Only one read-only query is accepted: a statement list, or any INSERT/UPDATE/DELETE (also inside a
 *       CTE), is 0A000: a live query that writes would wake itself up forever.
 * Path not taken: we could read the tables from EXPLAIN, but its text names tables unqualified and leaves
 * out subplans (`x IN (SELECT ...)`), so it would miss tables; the syntax tree has them all.
 * Not here: running and re-running the query (live-query.ts, on the page).
 */
import { RustyError, SqlState, parse } from '../engine/index.js'
import type { TablesRead } from './protocol.js'

/** A table name as written in the query. */
interface NameRef {
  readonly schema: string | null
  readonly name: string
}

/** One row of information_schema.tables. */
export interface CatalogTable {
  readonly table_schema: string
  readonly table_name: string
  readonly table_type: string
}

/**
 * The tables `sql` reads (invariants 1..3); `catalog` lists the database's tables and views.
 *
 * @example
 * await tablesRead('SELECT * FROM todos WHERE done', listTables)   // ['public.todos']
 */
export async function tablesRead(sql: string, catalog: () => Promise<readonly CatalogTable[]>): Promise<TablesRead> {
  const statements = parse(sql)
  if (statements.length !== 1 || statements[0].kind !== 'Query') {
    throw new RustyError(SqlState.FEATURE_NOT_SUPPORTED, 'a live query must be exactly one SELECT (or VALUES/WITH) statement')
  }
  const refs: NameRef[] = []
  const ctes = new Set<string>()
  let writes = false
  visit(statements[0], (node) => {
    switch (node.kind) {
      case 'TableRef': {
        const name = node.name as { schema: string | null; name: string }
        refs.push({ schema: name.schema, name: name.name })
        break
      }
      case 'CommonTableExpr':
        ctes.add(node.name as string)
        break
      case 'Insert':
      case 'Update':
      case 'Delete':
        writes = true
        break
    }
  })
  if (writes) throw new RustyError(SqlState.FEATURE_NOT_SUPPORTED, 'a live query cannot write (INSERT, UPDATE or DELETE)')
  const wanted = refs.filter((ref) => !(ref.schema === null && ctes.has(ref.name)))
  if (wanted.length === 0) return []
  const tables = await catalog()
  const read = new Set<string>()
  for (const ref of wanted) {
    const matches = tables.filter((t) => t.table_name === ref.name && (ref.schema === null || t.table_schema === ref.schema))
    if (matches.length === 0 || matches.some((t) => t.table_type !== 'BASE TABLE')) return '*'
    for (const t of matches) read.add(`${t.table_schema}.${t.table_name}`)
  }
  return [...read].sort()
}

/** A syntax tree node, as far as this walk needs it. */
interface AnyNode {
  readonly kind: string
  readonly [field: string]: unknown
}

/**
 * Calls `fn` on every node under `root` (objects with a string `kind`), through every field. Generic on
 * purpose: a new kind of subquery in the AST is walked without a change here (invariant 2).
 */
function visit(root: unknown, fn: (node: AnyNode) => void): void {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (value === null || typeof value !== 'object') continue
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item)
      continue
    }
    const node = value as AnyNode
    if (typeof node.kind === 'string') fn(node)
    for (const key in node) stack.push(node[key])
  }
}
