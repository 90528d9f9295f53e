/**
 * Expression nodes.
 * Owns: the Expr union and every expression node shape.
 * Invariants:
 *   (1) Operator precedence is resolved by the parser (PostgreSQL's table); parentheses leave no
 *       node behind. `a AND b AND c` is one BoolExpr with three args (left-nested chains of the
 *       same operator are flattened, as PostgreSQL does), so conjunct lists come ready for pushdown.
 *   (2) Literals keep their source text where precision matters: NumberLiteral.text is exact
 *       (the binder decides int4/int8/numeric), TypedLiteral.value is the string to be cast.
 *   (3) A leading minus is a UnaryOp('-'), never folded into the literal; the binder folds it
 *       (so -9223372036854775808 can become one BIGINT).
 *   (4) Special-syntax functions become ordinary calls with PostgreSQL's argument order:
 *       EXTRACT(f FROM x) -> extract('f', x); POSITION(a IN b) -> position(b, a);
 *       SUBSTRING(x FROM a FOR b) -> substring(x, a, b) (FOR only: substring(x, 1, b));
 *       TRIM([BOTH|LEADING|TRAILING] [c] FROM x) -> btrim/ltrim/rtrim(x[, c]);
 *       OVERLAY(x PLACING y FROM a [FOR b]) -> overlay(x, y, a[, b]);
 *       COALESCE, NULLIF, GREATEST, LEAST -> calls of those names.
 * Not here: queries (queries.ts); what names refer to (the binder).
 */
import type { NodeBase, NullsOrder, QualifiedName, SortDirection, TypeName } from './node.js'
import type { Query } from './queries.js'

/** A column reference, qualified up to catalog.schema.table.column. */
export interface ColumnRef extends NodeBase<'ColumnRef'> {
  readonly catalog: string | null
  readonly schema: string | null
  readonly table: string | null
  readonly column: string
}

/** `*` or `t.*` (select lists, RETURNING, row expansion). */
export interface Star extends NodeBase<'Star'> {
  /** The qualifier of `t.*` / `s.t.*`; null for a bare `*`. */
  readonly table: QualifiedName | null
}

/** `$n`. */
export interface Param extends NodeBase<'Param'> {
  /** 1-based parameter number. */
  readonly index: number
}

/** An unsigned numeric constant. */
export interface NumberLiteral extends NodeBase<'NumberLiteral'> {
  /** Decimal text: digits for integers (0x/0o/0b already converted), else as written. */
  readonly text: string
  /** True when written without a decimal point or exponent. */
  readonly isInteger: boolean
}

/** A string constant ('...', E'...', $$...$$), escapes already processed. */
export interface StringLiteral extends NodeBase<'StringLiteral'> {
  readonly value: string
}

/** B'0101' or X'1F' (the latter is a blob in SQLite-flavoured SQL; the binder decides). */
export interface BitStringLiteral extends NodeBase<'BitStringLiteral'> {
  readonly radix: 'binary' | 'hex'
  readonly digits: string
}

/** TRUE / FALSE. */
export interface BooleanLiteral extends NodeBase<'BooleanLiteral'> {
  readonly value: boolean
}

/** NULL. */
export interface NullLiteral extends NodeBase<'NullLiteral'> {}

/** `type 'string'`: DATE '2020-01-01', INTERVAL '1' DAY, TIMESTAMPTZ '...', uuid '...'. */
export interface TypedLiteral extends NodeBase<'TypedLiteral'> {
  readonly type: TypeName
  readonly value: string
}

/** Prefix operators: '-', '+', 'NOT', and any other operator spelling ('~', '@', '|/', ...). */
export interface UnaryOp extends NodeBase<'UnaryOp'> {
  readonly op: string
  readonly operand: Expr
}

/**
 * Binary operators: arithmetic (+ - * / % ^), comparison (= <> < > <= >=; `!=` is `<>`), and any
 * other operator as written (||, ->, ->>, #>, #>>, @>, <@, ?, &, |, #, <<, >>, ~, ...).
 */
export interface BinaryOp extends NodeBase<'BinaryOp'> {
  readonly op: string
  readonly left: Expr
  readonly right: Expr
}

/** AND / OR over two or more arguments. */
export interface BoolExpr extends NodeBase<'BoolExpr'> {
  readonly op: 'AND' | 'OR'
  readonly args: readonly Expr[]
}

/** `x IS [NOT] NULL|TRUE|FALSE|UNKNOWN` (also `x ISNULL`, `x NOTNULL`). */
export interface IsTest extends NodeBase<'IsTest'> {
  readonly expr: Expr
  readonly test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN'
  readonly negated: boolean
}

/** `a IS [NOT] DISTINCT FROM b`. */
export interface IsDistinctFrom extends NodeBase<'IsDistinctFrom'> {
  readonly left: Expr
  readonly right: Expr
  /** True for IS NOT DISTINCT FROM (null-safe equality). */
  readonly negated: boolean
}

/** `x [NOT] BETWEEN [SYMMETRIC] low AND high`. */
export interface Between extends NodeBase<'Between'> {
  readonly expr: Expr
  readonly low: Expr
  readonly high: Expr
  readonly negated: boolean
  readonly symmetric: boolean
}

/** `x [NOT] LIKE|ILIKE|SIMILAR TO pattern [ESCAPE e]`. */
export interface Like extends NodeBase<'Like'> {
  readonly op: 'LIKE' | 'ILIKE' | 'SIMILAR TO'
  readonly expr: Expr
  readonly pattern: Expr
  readonly escape: Expr | null
  readonly negated: boolean
}

/** `x [NOT] IN (a, b, ...)`; an empty list is accepted (SQLite-flavoured SQL uses it). */
export interface InList extends NodeBase<'InList'> {
  readonly expr: Expr
  readonly list: readonly Expr[]
  readonly negated: boolean
}

/** `x [NOT] IN (query)`; `x` may be a row constructor. */
export interface InSubquery extends NodeBase<'InSubquery'> {
  readonly expr: Expr
  readonly query: Query
  readonly negated: boolean
}

/** `EXISTS (query)`. */
export interface Exists extends NodeBase<'Exists'> {
  readonly query: Query
}

/** A scalar subquery `(query)`. */
export interface Subquery extends NodeBase<'Subquery'> {
  readonly query: Query
}

/** `left op ANY|ALL (query)`; SOME is ANY. `op` may be LIKE / NOT LIKE / ILIKE / NOT ILIKE. */
export interface QuantifiedSubquery extends NodeBase<'QuantifiedSubquery'> {
  readonly op: string
  readonly quantifier: 'ANY' | 'ALL'
  readonly left: Expr
  readonly query: Query
}

/** `left op ANY|ALL (array expression)`. */
export interface QuantifiedArray extends NodeBase<'QuantifiedArray'> {
  readonly op: string
  readonly quantifier: 'ANY' | 'ALL'
  readonly left: Expr
  readonly array: Expr
}

/** One `WHEN condition THEN result` arm. */
export interface CaseWhen extends NodeBase<'CaseWhen'> {
  /** The condition (searched CASE) or the value compared with the operand (simple CASE). */
  readonly condition: Expr
  readonly result: Expr
}

/** `CASE [operand] WHEN ... THEN ... [ELSE ...] END`. */
export interface Case extends NodeBase<'Case'> {
  readonly operand: Expr | null
  readonly whens: readonly CaseWhen[]
  readonly else: Expr | null
}

/** `CAST(x AS type)` or `x::type`. */
export interface Cast extends NodeBase<'Cast'> {
  readonly expr: Expr
  readonly type: TypeName
}

/** A function or aggregate call, possibly a window function. */
export interface FunctionCall extends NodeBase<'FunctionCall'> {
  readonly name: QualifiedName
  readonly args: readonly Expr[]
  /** `count(*)`. */
  readonly star: boolean
  /** `agg(DISTINCT x)`. */
  readonly distinct: boolean
  /** `string_agg(x, ',' ORDER BY y)`. */
  readonly orderBy: readonly SortItem[]
  /** `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)`; null when absent. */
  readonly withinGroup: readonly SortItem[] | null
  /** `FILTER (WHERE ...)`. */
  readonly filter: Expr | null
  /** `OVER (...)` or `OVER name`. */
  readonly over: WindowSpec | WindowRef | null
}

/** Niladic SQL functions written without parentheses (CURRENT_DATE, CURRENT_TIMESTAMP(3), USER, ...). */
export interface SqlValueFunction extends NodeBase<'SqlValueFunction'> {
  readonly name:
    | 'CURRENT_DATE'
    | 'CURRENT_TIME'
    | 'CURRENT_TIMESTAMP'
    | 'LOCALTIME'
    | 'LOCALTIMESTAMP'
    | 'CURRENT_ROLE'
    | 'CURRENT_USER'
    | 'SESSION_USER'
    | 'SYSTEM_USER'
    | 'USER'
    | 'CURRENT_CATALOG'
    | 'CURRENT_SCHEMA'
  /** Precision of CURRENT_TIME(p) and friends; null when not given. */
  readonly precision: number | null
}

/** `ARRAY[a, b]` (inner `[...]` of a multi-dimensional constructor are ArrayConstructors too). */
export interface ArrayConstructor extends NodeBase<'ArrayConstructor'> {
  readonly elements: readonly Expr[]
}

/** `ARRAY(query)`. */
export interface ArraySubquery extends NodeBase<'ArraySubquery'> {
  readonly query: Query
}

/** `x[i]` or a slice `x[lo:hi]` (either bound may be omitted in a slice). */
export interface Subscript extends NodeBase<'Subscript'> {
  readonly expr: Expr
  /** The index, or the lower bound of a slice. */
  readonly index: Expr | null
  /** The upper bound of a slice. */
  readonly upper: Expr | null
  readonly slice: boolean
}

/** `(a, b)` or `ROW(a, b)` / `ROW()`. */
export interface RowConstructor extends NodeBase<'RowConstructor'> {
  readonly fields: readonly Expr[]
  /** True when written with the ROW keyword. */
  readonly explicit: boolean
}

/** `(expr).field` or `(expr).*`. */
export interface FieldSelect extends NodeBase<'FieldSelect'> {
  readonly expr: Expr
  /** The field name, or '*' for `(expr).*`. */
  readonly field: string
}

/** `x COLLATE name`. */
export interface Collate extends NodeBase<'Collate'> {
  readonly expr: Expr
  readonly collation: QualifiedName
}

/** `x AT TIME ZONE zone`. */
export interface AtTimeZone extends NodeBase<'AtTimeZone'> {
  readonly expr: Expr
  readonly zone: Expr
}

/**
 * DEFAULT as a value: only in VALUES rows and UPDATE SET. Like PostgreSQL, the parser accepts it in
 * any VALUES list; the binder rejects it outside INSERT (42601 "DEFAULT is not allowed in this context").
 */
export interface DefaultValue extends NodeBase<'DefaultValue'> {}

/** An ORDER BY item (also used inside aggregates, windows and WITHIN GROUP). */
export interface SortItem extends NodeBase<'SortItem'> {
  readonly expr: Expr
  /** null when not written (ascending). */
  readonly direction: SortDirection | null
  /** null when not written (NULLS LAST for ASC, NULLS FIRST for DESC). */
  readonly nulls: NullsOrder | null
}

/** One end of a window frame. */
export interface FrameBound extends NodeBase<'FrameBound'> {
  readonly type: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING'
  /** The offset of `n PRECEDING` / `n FOLLOWING`. */
  readonly offset: Expr | null
}

/** `ROWS|RANGE|GROUPS [BETWEEN] start [AND end] [EXCLUDE ...]`. */
export interface WindowFrame extends NodeBase<'WindowFrame'> {
  readonly mode: 'ROWS' | 'RANGE' | 'GROUPS'
  readonly frameStart: FrameBound
  /** null when written without BETWEEN (the end is CURRENT ROW). */
  readonly frameEnd: FrameBound | null
  readonly exclusion: 'CURRENT ROW' | 'GROUP' | 'TIES' | 'NO OTHERS' | null
}

/** `(existing PARTITION BY ... ORDER BY ... frame)`. */
export interface WindowSpec extends NodeBase<'WindowSpec'> {
  /** The window this one builds on: `OVER (w ORDER BY x)`. */
  readonly existing: string | null
  readonly partitionBy: readonly Expr[]
  readonly orderBy: readonly SortItem[]
  readonly frame: WindowFrame | null
}

/** `OVER name` (a reference to a WINDOW clause entry). */
export interface WindowRef extends NodeBase<'WindowRef'> {
  readonly name: string
}

/** Every expression node. */
export type Expr =
  | ColumnRef
  | Star
  | Param
  | NumberLiteral
  | StringLiteral
  | BitStringLiteral
  | BooleanLiteral
  | NullLiteral
  | TypedLiteral
  | UnaryOp
  | BinaryOp
  | BoolExpr
  | IsTest
  | IsDistinctFrom
  | Between
  | Like
  | InList
  | InSubquery
  | Exists
  | Subquery
  | QuantifiedSubquery
  | QuantifiedArray
  | Case
  | Cast
  | FunctionCall
  | SqlValueFunction
  | ArrayConstructor
  | ArraySubquery
  | Subscript
  | RowConstructor
  | FieldSelect
  | Collate
  | AtTimeZone
  | DefaultValue

/** The `kind` of an expression node. */
export type ExprKind = Expr['kind']

/** Literal constants. */
export type Literal = NumberLiteral | StringLiteral | BitStringLiteral | BooleanLiteral | NullLiteral | TypedLiteral
