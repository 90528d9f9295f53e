/**
 * Visitors: exhaustive dispatch over node kinds, and a generic child walk.
 * Owns: ExprVisitor / StatementVisitor / NodeVisitor (a `Record<Kind, handler>` each, so a new
 * kind breaks the build until every visitor handles it), and forEachChild / walk, driven by one
 * table that names the children of every node kind.
 * Invariants:
 *   (1) forEachChild visits every direct child node of a node exactly once, in field order (which is
 *       source order, except where the AST reorders arguments, e.g. position(b, a)).
 *   (2) walk recurses at most as deep as the AST is high, which the parser bounds (MAX_DEPTH).
 * Not here: rewriting (the binder builds its own bound trees; the AST stays immutable).
 */
import type { Expr, ExprKind } from './expressions.js'
import type { Node, NodeKind, NodeOfKind } from './nodes.js'
import type { Statement, StatementKind } from './statements.js'

/** One handler per expression kind. */
export type ExprVisitor<R, C = void> = {
  readonly [K in ExprKind]: (node: Extract<Expr, { kind: K }>, context: C) => R
}

/** One handler per statement kind. */
export type StatementVisitor<R, C = void> = {
  readonly [K in StatementKind]: (node: Extract<Statement, { kind: K }>, context: C) => R
}

/** One handler per node kind. */
export type NodeVisitor<R, C = void> = {
  readonly [K in NodeKind]: (node: NodeOfKind<K>, context: C) => R
}

/**
 * Calls the handler of `expr.kind`.
 *
 * @example
 * const columns = visitExpr(expr, { ColumnRef: (c) => [c.column], ... }, undefined)
 */
export function visitExpr<R, C>(expr: Expr, visitor: ExprVisitor<R, C>, context: C): R {
  return (visitor[expr.kind] as (node: Expr, context: C) => R)(expr, context)
}

/** Calls the handler of `statement.kind`. */
export function visitStatement<R, C>(statement: Statement, visitor: StatementVisitor<R, C>, context: C): R {
  return (visitor[statement.kind] as (node: Statement, context: C) => R)(statement, context)
}

/** Calls the handler of `node.kind`. */
export function visitNode<R, C>(node: Node, visitor: NodeVisitor<R, C>, context: C): R {
  return (visitor[node.kind] as (node: Node, context: C) => R)(node, context)
}

type Emit = (child: Node) => void
type ChildTable = { readonly [K in NodeKind]: (node: NodeOfKind<K>, emit: Emit) => void }

function each(nodes: readonly Node[], emit: Emit): void {
  for (const node of nodes) emit(node)
}

function maybe(node: Node | null, emit: Emit): void {
  if (node !== null) emit(node)
}

const none = (): void => {}

/** The children of every kind, in source order. */
const CHILDREN: ChildTable = {
  // expressions
  ColumnRef: none,
  Star: (n, e) => maybe(n.table, e),
  Param: none,
  NumberLiteral: none,
  StringLiteral: none,
  BitStringLiteral: none,
  BooleanLiteral: none,
  NullLiteral: none,
  TypedLiteral: (n, e) => e(n.type),
  UnaryOp: (n, e) => e(n.operand),
  BinaryOp: (n, e) => {
    e(n.left)
    e(n.right)
  },
  BoolExpr: (n, e) => each(n.args, e),
  IsTest: (n, e) => e(n.expr),
  IsDistinctFrom: (n, e) => {
    e(n.left)
    e(n.right)
  },
  Between: (n, e) => {
    e(n.expr)
    e(n.low)
    e(n.high)
  },
  Like: (n, e) => {
    e(n.expr)
    e(n.pattern)
    maybe(n.escape, e)
  },
  InList: (n, e) => {
    e(n.expr)
    each(n.list, e)
  },
  InSubquery: (n, e) => {
    e(n.expr)
    e(n.query)
  },
  Exists: (n, e) => e(n.query),
  Subquery: (n, e) => e(n.query),
  QuantifiedSubquery: (n, e) => {
    e(n.left)
    e(n.query)
  },
  QuantifiedArray: (n, e) => {
    e(n.left)
    e(n.array)
  },
  Case: (n, e) => {
    maybe(n.operand, e)
    each(n.whens, e)
    maybe(n.else, e)
  },
  CaseWhen: (n, e) => {
    e(n.condition)
    e(n.result)
  },
  Cast: (n, e) => {
    e(n.expr)
    e(n.type)
  },
  FunctionCall: (n, e) => {
    e(n.name)
    each(n.args, e)
    each(n.orderBy, e)
    if (n.withinGroup !== null) each(n.withinGroup, e)
    maybe(n.filter, e)
    maybe(n.over, e)
  },
  SqlValueFunction: none,
  ArrayConstructor: (n, e) => each(n.elements, e),
  ArraySubquery: (n, e) => e(n.query),
  Subscript: (n, e) => {
    e(n.expr)
    maybe(n.index, e)
    maybe(n.upper, e)
  },
  RowConstructor: (n, e) => each(n.fields, e),
  FieldSelect: (n, e) => e(n.expr),
  Collate: (n, e) => {
    e(n.expr)
    e(n.collation)
  },
  AtTimeZone: (n, e) => {
    e(n.expr)
    e(n.zone)
  },
  DefaultValue: none,
  SortItem: (n, e) => e(n.expr),
  FrameBound: (n, e) => maybe(n.offset, e),
  WindowFrame: (n, e) => {
    e(n.frameStart)
    maybe(n.frameEnd, e)
  },
  WindowSpec: (n, e) => {
    each(n.partitionBy, e)
    each(n.orderBy, e)
    maybe(n.frame, e)
  },
  WindowRef: none,
  // shared leaves
  QualifiedName: none,
  TypeName: none,
  Alias: none,
  // queries
  Query: (n, e) => {
    maybe(n.with, e)
    e(n.body)
    each(n.orderBy, e)
    maybe(n.limit, e)
    maybe(n.offset, e)
    each(n.locking, e)
  },
  Select: (n, e) => {
    if (n.distinctOn !== null) each(n.distinctOn, e)
    each(n.targets, e)
    each(n.from, e)
    maybe(n.where, e)
    each(n.groupBy, e)
    maybe(n.having, e)
    each(n.windows, e)
  },
  SelectItem: (n, e) => e(n.expr),
  Values: (n, e) => {
    for (const row of n.rows) each(row, e)
  },
  SetOperation: (n, e) => {
    e(n.left)
    e(n.right)
  },
  WithClause: (n, e) => each(n.ctes, e),
  CommonTableExpr: (n, e) => e(n.statement),
  LockingClause: (n, e) => each(n.of, e),
  NamedWindow: (n, e) => e(n.spec),
  GroupingSet: (n, e) => each(n.items, e),
  TableRef: (n, e) => {
    e(n.name)
    maybe(n.alias, e)
  },
  SubqueryRef: (n, e) => {
    e(n.query)
    maybe(n.alias, e)
  },
  FunctionRef: (n, e) => {
    e(n.call)
    maybe(n.alias, e)
  },
  JoinRef: (n, e) => {
    e(n.left)
    e(n.right)
    maybe(n.on, e)
    maybe(n.alias, e)
  },
  // DML
  Insert: (n, e) => {
    maybe(n.with, e)
    e(n.table)
    maybe(n.source, e)
    maybe(n.onConflict, e)
    each(n.returning, e)
  },
  OnConflict: (n, e) => {
    maybe(n.target, e)
    each(n.assignments, e)
    maybe(n.where, e)
  },
  ConflictTarget: (n, e) => {
    each(n.elements, e)
    maybe(n.where, e)
  },
  Assignment: (n, e) => e(n.value),
  MultiAssignment: (n, e) => e(n.value),
  Update: (n, e) => {
    maybe(n.with, e)
    e(n.table)
    each(n.assignments, e)
    each(n.from, e)
    maybe(n.where, e)
    each(n.returning, e)
  },
  Delete: (n, e) => {
    maybe(n.with, e)
    e(n.table)
    each(n.using, e)
    maybe(n.where, e)
    each(n.returning, e)
  },
  // DDL
  NotNullConstraint: none,
  NullConstraint: none,
  DefaultConstraint: (n, e) => e(n.expr),
  CheckConstraint: (n, e) => e(n.expr),
  PrimaryKeyConstraint: none,
  UniqueConstraint: none,
  ForeignKeyConstraint: (n, e) => e(n.table),
  IdentityConstraint: (n, e) => each(n.options, e),
  GeneratedConstraint: (n, e) => e(n.expr),
  ColumnDef: (n, e) => {
    maybe(n.type, e)
    maybe(n.collation, e)
    each(n.constraints, e)
  },
  CreateTable: (n, e) => {
    e(n.name)
    each(n.columns, e)
    each(n.constraints, e)
  },
  CreateTableAs: (n, e) => {
    e(n.name)
    e(n.query)
  },
  IndexElement: (n, e) => {
    e(n.expr)
    maybe(n.collation, e)
  },
  CreateIndex: (n, e) => {
    e(n.table)
    each(n.elements, e)
    maybe(n.where, e)
  },
  CreateView: (n, e) => {
    e(n.name)
    e(n.query)
  },
  SequenceOption: (n, e) => {
    if (n.option === 'as') e(n.type)
  },
  CreateSequence: (n, e) => {
    e(n.name)
    each(n.options, e)
  },
  AlterSequence: (n, e) => {
    e(n.name)
    each(n.options, e)
  },
  AddColumn: (n, e) => e(n.column),
  DropColumn: none,
  RenameColumn: none,
  RenameTable: none,
  RenameConstraint: none,
  AddConstraint: (n, e) => e(n.constraint),
  DropConstraint: none,
  AlterColumnDefault: (n, e) => maybe(n.default, e),
  AlterColumnNotNull: none,
  AlterColumnType: (n, e) => {
    e(n.type)
    maybe(n.using, e)
  },
  AlterTable: (n, e) => {
    e(n.name)
    each(n.actions, e)
  },
  Drop: (n, e) => each(n.names, e),
  CreateSchema: none,
  TriggerEvent: none,
  CreateTrigger: (n, e) => {
    e(n.name)
    each(n.events, e)
    e(n.table)
    maybe(n.when, e)
    each(n.body, e)
    maybe(n.function, e)
  },
  DropTrigger: (n, e) => {
    e(n.name)
    maybe(n.table, e)
  },
  Reindex: (n, e) => maybe(n.name, e),
  CommentOn: (n, e) => e(n.name),
  Truncate: (n, e) => each(n.tables, e),
  // transactions, session, utility
  Begin: none,
  Commit: none,
  Rollback: none,
  Savepoint: none,
  ReleaseSavepoint: none,
  SetTransaction: none,
  SetVariable: none,
  Show: none,
  Reset: none,
  UtilityOption: none,
  Explain: (n, e) => {
    each(n.options, e)
    e(n.statement)
  },
  AnalyzeTarget: (n, e) => e(n.table),
  Analyze: (n, e) => {
    each(n.options, e)
    each(n.targets, e)
  },
  Vacuum: (n, e) => {
    each(n.options, e)
    each(n.targets, e)
  },
}

/** Every node kind, once (the keys of the child table, which the type system keeps complete). */
export const NODE_KINDS: readonly NodeKind[] = Object.freeze(Object.keys(CHILDREN) as NodeKind[])

/** Calls `fn` on each direct child node of `node`, in source order. */
export function forEachChild(node: Node, fn: (child: Node) => void): void {
  ;(CHILDREN[node.kind] as (node: Node, emit: Emit) => void)(node, fn)
}

/**
 * Pre-order walk of `node` and its descendants. Return false from `fn` to skip a node's children.
 *
 * @example
 * walk(statement, (n) => { if (n.kind === 'Param') params.add(n.index) })
 */
export function walk(node: Node, fn: (node: Node, parent: Node | null) => boolean | void): void {
  const visit = (current: Node, parent: Node | null): void => {
    if (fn(current, parent) === false) return
    forEachChild(current, (child) => visit(child, current))
  }
  visit(node, null)
}
