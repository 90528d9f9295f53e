/**
 * engine/sql/ast: the syntax tree the parser produces and the binder consumes.
 * Frozen readonly nodes with a `kind` and a source span; see node.ts for the invariants.
 */
export type * from './node.js'
export type * from './expressions.js'
export type * from './queries.js'
export type * from './statements.js'
export type * from './nodes.js'
export {
  NODE_KINDS,
  forEachChild,
  visitExpr,
  visitNode,
  visitStatement,
  walk,
  type ExprVisitor,
  type NodeVisitor,
  type StatementVisitor,
} from './visitor.js'
