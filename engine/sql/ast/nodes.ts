/**
 * The union of every AST node.
 * Owns: Node, NodeKind and NodeOfKind, the types that the visitor tables are keyed by.
 * Invariants:
 *   (1) Every interface with a `kind` in ast/ is a member of Node; NodeKind lists each kind once.
 *       Adding a node kind here breaks the build of every `Record<NodeKind, ...>` table
 *       (children.ts, the printer) until the new kind is handled.
 * Not here: the shapes (node.ts, expressions.ts, queries.ts, statements.ts).
 */
import type { CaseWhen, Expr, FrameBound, SortItem, WindowFrame, WindowRef, WindowSpec } from './expressions.js'
import type { Alias, QualifiedName, TypeName } from './node.js'
import type {
  CommonTableExpr,
  GroupingSet,
  LockingClause,
  NamedWindow,
  Select,
  SelectItem,
  SetOperation,
  FunctionRef,
  JoinRef,
  SubqueryRef,
  TableRef,
  Values,
  WithClause,
} from './queries.js'
import type {
  AlterTableAction,
  AnalyzeTarget,
  Assignment,
  ColumnConstraint,
  ColumnDef,
  ConflictTarget,
  IndexElement,
  MultiAssignment,
  OnConflict,
  SequenceOption,
  Statement,
  TriggerEvent,
  UtilityOption,
} from './statements.js'

/** Every AST node. */
export type Node =
  | Statement
  | Expr
  | QualifiedName
  | TypeName
  | Alias
  | CaseWhen
  | SortItem
  | FrameBound
  | WindowFrame
  | WindowSpec
  | WindowRef
  | Select
  | SelectItem
  | Values
  | SetOperation
  | WithClause
  | CommonTableExpr
  | LockingClause
  | NamedWindow
  | GroupingSet
  | TableRef
  | SubqueryRef
  | FunctionRef
  | JoinRef
  | OnConflict
  | ConflictTarget
  | Assignment
  | MultiAssignment
  | ColumnConstraint
  | ColumnDef
  | IndexElement
  | SequenceOption
  | AlterTableAction
  | TriggerEvent
  | UtilityOption
  | AnalyzeTarget

/** The `kind` of any node. */
export type NodeKind = Node['kind']

/** The node type of a kind: `NodeOfKind<'ColumnRef'>` is ColumnRef. */
export type NodeOfKind<K extends NodeKind> = Extract<Node, { kind: K }>
