/**
 * SqlPrinter: AST back to SQL text (for EXPLAIN, view definitions, error details, tests).
 * Owns: one printer per node kind (a `Record<NodeKind, ...>`, so a new kind breaks the build until
 * it can be printed), minimal parenthesisation by the parser's precedence table, identifier
 * quoting.
 * Invariants:
 *   (1) Round trip: for every AST `a` the parser produces, parse(printSql(a)) equals `a` up to
 *       source spans (start/end). test/sql/printer.test.ts checks this over hand-written
 *       statements and the sqllogictest corpus.
 *   (2) An identifier is printed bare only when it is lower case, made of [a-z0-9_$], and not a
 *       keyword of any category; otherwise it is double-quoted.
 *   (3) Casts print as CAST(x AS t), which needs no parentheses in any context.
 * Not here: pretty layout (one line, single spaces), comments (the AST keeps none).
 */
import type {
  Alias,
  ColumnConstraint,
  Expr,
  FromItem,
  FunctionCall,
  IsolationLevel,
  Node,
  NodeKind,
  NodeOfKind,
  QualifiedName,
  QueryBody,
  SelectItem,
  SequenceOption,
  SetClause,
  SortItem,
  Statement,
  TableConstraint,
  TransactionModes,
  TypeName,
  UtilityOption,
  WindowSpec,
} from '../ast/index.js'
import { Keyword, isKeyword, keywordCategory } from '../lexer/index.js'
import {
  P_ADD,
  P_AND,
  P_AT,
  P_CMP,
  P_COLLATE,
  P_IS,
  P_LIKE,
  P_NOT,
  P_OP,
  P_OR,
  P_POSTFIX,
  P_UNARY,
  operatorPrecedence,
} from '../parser/expression-parser.js'

const P_ATOM = 100

const SIMPLE_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/

/** An identifier as SQL: bare when that reads back the same, else double-quoted. */
export function quoteIdentifier(name: string): string {
  if (SIMPLE_IDENTIFIER.test(name) && !isKeyword(name)) return name
  return `"${name.replace(/"/g, '""')}"`
}

/** A string constant as SQL (standard_conforming_strings: only quotes are doubled). */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

function qualifiedName(n: QualifiedName): string {
  let out = ''
  if (n.catalog !== null) out += quoteIdentifier(n.catalog) + '.'
  if (n.schema !== null) out += quoteIdentifier(n.schema) + '.'
  return out + quoteIdentifier(n.name)
}

function nameList(names: readonly string[]): string {
  return `(${names.map(quoteIdentifier).join(', ')})`
}

// ---------------------------------------------------------------------------------------------
// expressions

/** How tightly an expression binds when printed (P_ATOM: never needs parentheses). */
function precedence(e: Expr): number {
  switch (e.kind) {
    case 'BoolExpr':
      return e.op === 'OR' ? P_OR : P_AND
    case 'UnaryOp':
      return e.op === 'NOT' ? P_NOT : e.op === '-' || e.op === '+' ? P_UNARY : P_OP
    case 'IsTest':
    case 'IsDistinctFrom':
      return P_IS
    case 'BinaryOp':
      return operatorPrecedence(e.op)
    case 'Between':
    case 'Like':
    case 'InList':
    case 'InSubquery':
      return P_LIKE
    case 'QuantifiedSubquery':
    case 'QuantifiedArray':
      return quantifiedPrecedence(e.op)
    case 'AtTimeZone':
      return P_AT
    case 'Collate':
      return P_COLLATE
    case 'Subscript':
      return P_POSTFIX
    default:
      return P_ATOM
  }
}

function quantifiedPrecedence(op: string): number {
  return op === 'LIKE' || op === 'ILIKE' || op === 'NOT LIKE' || op === 'NOT ILIKE' ? P_LIKE : operatorPrecedence(op)
}

/** Prints `e`, parenthesised when it binds looser than `min`. */
function sub(e: Expr, min: number): string {
  const text = print(e)
  return precedence(e) < min ? `(${text})` : text
}

/** Left and right operand minimums of a binary level (non-associative levels bind both sides tighter). */
function binary(left: Expr, op: string, right: Expr, prec: number): string {
  const nonassoc = prec === P_CMP || prec === P_LIKE
  return `${sub(left, nonassoc ? prec + 1 : prec)} ${op} ${sub(right, prec + 1)}`
}

const OP_CHARS = '+-*/<>=~!@#%^&|`?'

/** The loosest operator a prefix operator's operand absorbs is the one just above this level. */
function operandLevel(op: string): number {
  return op === 'NOT' ? P_NOT : op === '-' || op === '+' ? P_UNARY : P_OP
}

function unary(op: string, operand: Expr): string {
  const level = operandLevel(op)
  // A prefix operand needs no parentheses when it absorbs no more than this operator would: the
  // parent already keeps looser operators from following (so NOT NOT a, - -a, NOT -a stay flat).
  const flat = operand.kind === 'UnaryOp' && operandLevel(operand.op) >= level
  const text = flat ? print(operand) : sub(operand, level + 1)
  if (op === 'NOT') return `NOT ${text}`
  const space = op !== '-' && op !== '+' ? ' ' : OP_CHARS.includes(text[0]) ? ' ' : ''
  return `${op}${space}${text}`
}

/** `[a, b]` inside an ARRAY constructor (nested levels need no ARRAY keyword). */
function arrayElements(elements: readonly Expr[]): string {
  return '[' + elements.map((e) => (e.kind === 'ArrayConstructor' ? arrayElements(e.elements) : print(e))).join(', ') + ']'
}

function typeName(t: TypeName): string {
  const mods = t.modifiers.length > 0 ? `(${t.modifiers.join(', ')})` : ''
  let base: string
  switch (t.schema === null ? t.name : '') {
    case 'timestamptz':
      base = `timestamp${mods} with time zone`
      break
    case 'timetz':
      base = `time${mods} with time zone`
      break
    case 'varbit':
      base = `bit varying${mods}`
      break
    case 'interval':
      if (t.intervalFields === null) base = `interval${mods}`
      else base = `interval ${t.intervalFields.toLowerCase()}${mods}`
      break
    case 'double precision':
    case 'integer':
    case 'smallint':
    case 'bigint':
    case 'real':
    case 'boolean':
    case 'float':
    case 'numeric':
    case 'char':
    case 'varchar':
    case 'bit':
    case 'time':
    case 'timestamp':
      base = t.name + mods
      break
    default:
      base = (t.schema !== null ? quoteIdentifier(t.schema) + '.' : '') + quoteIdentifier(t.name) + mods
  }
  for (const bound of t.arrayBounds) base += bound < 0 ? '[]' : `[${bound}]`
  return base
}

function typedLiteral(t: TypeName, value: string): string {
  if (t.schema === null && t.name === 'interval' && t.arrayBounds.length === 0) {
    // INTERVAL 'v' fields(p) or INTERVAL(p) 'v'
    if (t.intervalFields === null) {
      const mods = t.modifiers.length > 0 ? `(${t.modifiers.join(', ')})` : ''
      return `interval${mods} ${quoteString(value)}`
    }
    const mods = t.modifiers.length > 0 ? `(${t.modifiers.join(', ')})` : ''
    return `interval ${quoteString(value)} ${t.intervalFields.toLowerCase()}${mods}`
  }
  return `${typeName(t)} ${quoteString(value)}`
}

/** Functions whose names are column-name keywords with a syntax of their own. */
const KEYWORD_FUNCTIONS = new Set(['coalesce', 'nullif', 'greatest', 'least', 'extract', 'position', 'substring', 'overlay'])

function plainCall(f: FunctionCall): boolean {
  return (
    !f.star &&
    !f.distinct &&
    f.orderBy.length === 0 &&
    f.withinGroup === null &&
    f.filter === null &&
    f.over === null &&
    f.name.schema === null &&
    f.name.catalog === null
  )
}

/** The special syntax of a keyword function, or null when the call must print as a quoted name. */
function keywordCall(f: FunctionCall): string | null {
  const name = f.name.name
  const args = f.args
  if (!KEYWORD_FUNCTIONS.has(name) || !plainCall(f)) return null
  switch (name) {
    case 'extract':
      return args.length === 2 && args[0].kind === 'StringLiteral' ? `extract(${quoteString(args[0].value)} FROM ${print(args[1])})` : null
    case 'position':
      return args.length === 2 ? `position(${sub(args[1], P_LIKE + 1)} IN ${sub(args[0], P_LIKE + 1)})` : null
    case 'substring':
      return `substring(${args.map(print).join(', ')})`
    default:
      // coalesce, nullif, greatest, least, overlay take one or more plain arguments
      return args.length > 0 ? `${name}(${args.map(print).join(', ')})` : null
  }
}

function functionCall(f: FunctionCall): string {
  const special = keywordCall(f)
  if (special !== null) return special
  const name = f.name.name
  let out: string
  if (f.name.schema === null && f.name.catalog === null && keywordCategory(name) === Keyword.TYPE_FUNC_NAME) {
    out = name
  } else {
    out = qualifiedName(f.name)
  }
  out += '('
  if (f.star) out += '*'
  else {
    if (f.distinct) out += 'DISTINCT '
    out += f.args.map(print).join(', ')
    if (f.orderBy.length > 0) out += ' ' + orderBy(f.orderBy)
  }
  out += ')'
  if (f.withinGroup !== null) out += ` WITHIN GROUP (${orderBy(f.withinGroup)})`
  if (f.filter !== null) out += ` FILTER (WHERE ${print(f.filter)})`
  if (f.over !== null) out += ' OVER ' + (f.over.kind === 'WindowRef' ? quoteIdentifier(f.over.name) : print(f.over))
  return out
}

function sortItem(s: SortItem): string {
  let out = print(s.expr)
  if (s.direction !== null) out += ' ' + s.direction
  if (s.nulls !== null) out += ' NULLS ' + s.nulls
  return out
}

function orderBy(items: readonly SortItem[]): string {
  return 'ORDER BY ' + items.map(sortItem).join(', ')
}

/** Window names that would read as the start of a clause inside OVER (...). */
const WINDOW_WORDS = new Set(['partition', 'rows', 'range', 'groups'])

function windowSpec(w: WindowSpec): string {
  const parts: string[] = []
  if (w.existing !== null) parts.push(WINDOW_WORDS.has(w.existing) ? `"${w.existing}"` : quoteIdentifier(w.existing))
  if (w.partitionBy.length > 0) parts.push('PARTITION BY ' + w.partitionBy.map(print).join(', '))
  if (w.orderBy.length > 0) parts.push(orderBy(w.orderBy))
  if (w.frame !== null) parts.push(print(w.frame))
  return `(${parts.join(' ')})`
}

// ---------------------------------------------------------------------------------------------
// queries

function setOperationPrecedence(b: QueryBody): number {
  if (b.kind !== 'SetOperation') return 3
  return b.op === 'INTERSECT' ? 2 : 1
}

function setOperand(b: QueryBody, min: number): string {
  const text = print(b)
  return b.kind === 'Query' || setOperationPrecedence(b) < min ? `(${text})` : text
}

function selectItem(item: SelectItem): string {
  const text = print(item.expr)
  return item.alias === null ? text : `${text} AS ${quoteIdentifier(item.alias)}`
}

function alias(a: Alias | null): string {
  if (a === null) return ''
  return ` AS ${quoteIdentifier(a.name)}${a.columns.length > 0 ? nameList(a.columns) : ''}`
}

function fromItem(item: FromItem, right: boolean): string {
  const text = print(item)
  if (item.kind === 'JoinRef' && (right || item.alias !== null)) {
    // a parenthesised join keeps its alias outside the parentheses
    if (item.alias === null) return `(${text})`
    return text
  }
  return text
}

function joinRef(j: NodeOfKind<'JoinRef'>): string {
  let keyword: string
  switch (j.joinType) {
    case 'INNER':
      keyword = 'JOIN'
      break
    case 'CROSS':
      keyword = 'CROSS JOIN'
      break
    default:
      keyword = `${j.joinType} JOIN`
  }
  if (j.natural) keyword = 'NATURAL ' + keyword
  let out = `${fromItem(j.left, false)} ${keyword} ${fromItem(j.right, true)}`
  if (j.on !== null) out += ` ON ${print(j.on)}`
  if (j.using !== null) out += ` USING ${nameList(j.using)}`
  if (j.alias !== null) out = `(${out})${alias(j.alias)}`
  return out
}

function returning(items: readonly SelectItem[]): string {
  return items.length > 0 ? ' RETURNING ' + items.map(selectItem).join(', ') : ''
}

function withPrefix(w: NodeOfKind<'WithClause'> | null): string {
  return w === null ? '' : print(w) + ' '
}

function setClause(c: SetClause): string {
  if (c.kind === 'Assignment') return `${quoteIdentifier(c.column)} = ${print(c.value)}`
  const v = c.value
  const value = v.kind === 'RowConstructor' && !v.explicit ? `(${v.fields.map(print).join(', ')})` : print(v)
  return `${nameList(c.columns)} = ${value}`
}

// ---------------------------------------------------------------------------------------------
// DDL

function constraintName(name: string | null): string {
  return name === null ? '' : `CONSTRAINT ${quoteIdentifier(name)} `
}

function columnConstraint(c: ColumnConstraint): string {
  return print(c)
}

function sequenceOption(o: SequenceOption): string {
  switch (o.option) {
    case 'as':
      return `AS ${typeName(o.type)}`
    case 'increment':
      return `INCREMENT BY ${o.value}`
    case 'start':
      return `START WITH ${o.value}`
    case 'restart':
      return o.value === null ? 'RESTART' : `RESTART WITH ${o.value}`
    case 'cache':
      return `CACHE ${o.value}`
    case 'minvalue':
    case 'maxvalue':
      return o.value === null ? `NO ${o.option.toUpperCase()}` : `${o.option.toUpperCase()} ${o.value}`
    case 'cycle':
      return o.value ? 'CYCLE' : 'NO CYCLE'
    case 'owned_by':
      return o.column === null ? 'OWNED BY NONE' : `OWNED BY ${o.column.map(quoteIdentifier).join('.')}`
  }
}

function sequenceOptions(options: readonly SequenceOption[]): string {
  return options.map((o) => ' ' + sequenceOption(o)).join('')
}

function tableConstraint(c: TableConstraint): string {
  return print(c)
}

function transactionModes(m: TransactionModes): string {
  const parts: string[] = []
  if (m.isolationLevel !== null) parts.push(`ISOLATION LEVEL ${m.isolationLevel satisfies IsolationLevel}`)
  if (m.readOnly !== null) parts.push(m.readOnly ? 'READ ONLY' : 'READ WRITE')
  if (m.deferrable !== null) parts.push(m.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE')
  return parts.join(', ')
}

function variableName(name: string): string {
  return name
    .split('.')
    .map((part) => (SIMPLE_IDENTIFIER.test(part) ? part : quoteIdentifier(part)))
    .join('.')
}

function utilityOptions(options: readonly UtilityOption[]): string {
  if (options.length === 0) return ''
  return ' (' + options.map(print).join(', ') + ')'
}

/** REINDEX object types: a bare name equal to one of these would be read as the type. */
const REINDEX_WORDS = new Set(['index', 'table', 'schema', 'database', 'system', 'concurrently'])

type PrinterTable = { readonly [K in NodeKind]: (node: NodeOfKind<K>) => string }

const PRINTERS: PrinterTable = {
  // expressions
  ColumnRef: (n) =>
    [n.catalog, n.schema, n.table, n.column]
      .filter((part): part is string => part !== null)
      .map(quoteIdentifier)
      .join('.'),
  Star: (n) => (n.table === null ? '*' : `${qualifiedName(n.table)}.*`),
  Param: (n) => `$${n.index}`,
  NumberLiteral: (n) => n.text,
  StringLiteral: (n) => quoteString(n.value),
  BitStringLiteral: (n) => `${n.radix === 'binary' ? 'B' : 'X'}'${n.digits}'`,
  BooleanLiteral: (n) => (n.value ? 'TRUE' : 'FALSE'),
  NullLiteral: () => 'NULL',
  TypedLiteral: (n) => typedLiteral(n.type, n.value),
  UnaryOp: (n) => unary(n.op, n.operand),
  BinaryOp: (n) => binary(n.left, n.op, n.right, operatorPrecedence(n.op)),
  BoolExpr: (n) => n.args.map((a) => sub(a, (n.op === 'OR' ? P_OR : P_AND) + 1)).join(` ${n.op} `),
  IsTest: (n) => `${sub(n.expr, P_IS)} IS ${n.negated ? 'NOT ' : ''}${n.test}`,
  IsDistinctFrom: (n) => `${sub(n.left, P_IS)} IS ${n.negated ? 'NOT ' : ''}DISTINCT FROM ${sub(n.right, P_IS + 1)}`,
  Between: (n) =>
    `${sub(n.expr, P_LIKE + 1)} ${n.negated ? 'NOT ' : ''}BETWEEN ${n.symmetric ? 'SYMMETRIC ' : ''}${sub(n.low, P_LIKE + 1)} AND ${sub(n.high, P_LIKE + 1)}`,
  Like: (n) =>
    `${sub(n.expr, P_LIKE + 1)} ${n.negated ? 'NOT ' : ''}${n.op} ${sub(n.pattern, P_LIKE + 1)}` +
    (n.escape === null ? '' : ` ESCAPE ${sub(n.escape, P_LIKE + 1)}`),
  InList: (n) => `${sub(n.expr, P_LIKE + 1)} ${n.negated ? 'NOT ' : ''}IN (${n.list.map(print).join(', ')})`,
  InSubquery: (n) => `${sub(n.expr, P_LIKE + 1)} ${n.negated ? 'NOT ' : ''}IN (${print(n.query)})`,
  Exists: (n) => `EXISTS (${print(n.query)})`,
  Subquery: (n) => `(${print(n.query)})`,
  QuantifiedSubquery: (n) => {
    const prec = quantifiedPrecedence(n.op)
    return `${sub(n.left, prec === P_CMP || prec === P_LIKE ? prec + 1 : prec)} ${n.op} ${n.quantifier} (${print(n.query)})`
  },
  QuantifiedArray: (n) => {
    const prec = quantifiedPrecedence(n.op)
    return `${sub(n.left, prec === P_CMP || prec === P_LIKE ? prec + 1 : prec)} ${n.op} ${n.quantifier} (${print(n.array)})`
  },
  Case: (n) =>
    'CASE' +
    (n.operand === null ? '' : ' ' + print(n.operand)) +
    n.whens.map((w) => ' ' + print(w)).join('') +
    (n.else === null ? '' : ' ELSE ' + print(n.else)) +
    ' END',
  CaseWhen: (n) => `WHEN ${print(n.condition)} THEN ${print(n.result)}`,
  Cast: (n) => `CAST(${print(n.expr)} AS ${typeName(n.type)})`,
  FunctionCall: functionCall,
  SqlValueFunction: (n) => (n.precision === null ? n.name : `${n.name}(${n.precision})`),
  ArrayConstructor: (n) => 'ARRAY' + arrayElements(n.elements),
  ArraySubquery: (n) => `ARRAY(${print(n.query)})`,
  Subscript: (n) => {
    const base = sub(n.expr, P_POSTFIX)
    const index = n.index === null ? '' : print(n.index)
    return n.slice ? `${base}[${index}:${n.upper === null ? '' : print(n.upper)}]` : `${base}[${index}]`
  },
  RowConstructor: (n) => (n.explicit || n.fields.length < 2 ? `ROW(${n.fields.map(print).join(', ')})` : `(${n.fields.map(print).join(', ')})`),
  FieldSelect: (n) => `(${print(n.expr)}).${n.field === '*' ? '*' : quoteIdentifier(n.field)}`,
  Collate: (n) => `${sub(n.expr, P_COLLATE)} COLLATE ${qualifiedName(n.collation)}`,
  AtTimeZone: (n) => `${sub(n.expr, P_AT)} AT TIME ZONE ${sub(n.zone, P_AT + 1)}`,
  DefaultValue: () => 'DEFAULT',
  SortItem: sortItem,
  FrameBound: (n) => (n.offset === null ? n.type : `${print(n.offset)} ${n.type}`),
  WindowFrame: (n) =>
    n.mode +
    (n.frameEnd === null ? ` ${print(n.frameStart)}` : ` BETWEEN ${print(n.frameStart)} AND ${print(n.frameEnd)}`) +
    (n.exclusion === null ? '' : ` EXCLUDE ${n.exclusion}`),
  WindowSpec: windowSpec,
  WindowRef: (n) => quoteIdentifier(n.name),
  // shared leaves
  QualifiedName: qualifiedName,
  TypeName: typeName,
  Alias: (n) => alias(n).slice(1),
  // queries
  Query: (n) => {
    let out = withPrefix(n.with) + (n.body.kind === 'Query' ? `(${print(n.body)})` : print(n.body))
    if (n.orderBy.length > 0) out += ' ' + orderBy(n.orderBy)
    if (n.limit !== null && !n.withTies) out += ` LIMIT ${print(n.limit)}`
    if (n.offset !== null) out += ` OFFSET ${print(n.offset)}`
    if (n.limit !== null && n.withTies) out += ` FETCH FIRST ${sub(n.limit, P_ATOM)} ROWS WITH TIES`
    for (const l of n.locking) out += ' ' + print(l)
    return out
  },
  Select: (n) => {
    let out = 'SELECT'
    if (n.distinctOn !== null) out += ` DISTINCT ON (${n.distinctOn.map(print).join(', ')})`
    else if (n.distinct) out += ' DISTINCT'
    if (n.targets.length > 0) out += ' ' + n.targets.map(selectItem).join(', ')
    if (n.from.length > 0) out += ' FROM ' + n.from.map((f) => fromItem(f, false)).join(', ')
    if (n.where !== null) out += ' WHERE ' + print(n.where)
    if (n.groupBy.length > 0) out += ' GROUP BY ' + n.groupBy.map(print).join(', ')
    if (n.having !== null) out += ' HAVING ' + print(n.having)
    if (n.windows.length > 0) out += ' WINDOW ' + n.windows.map(print).join(', ')
    return out
  },
  SelectItem: selectItem,
  Values: (n) => 'VALUES ' + n.rows.map((row) => `(${row.map(print).join(', ')})`).join(', '),
  SetOperation: (n) => {
    const prec = setOperationPrecedence(n)
    return `${setOperand(n.left, prec)} ${n.op}${n.all ? ' ALL' : ''} ${setOperand(n.right, prec + 1)}`
  },
  WithClause: (n) => `WITH ${n.recursive ? 'RECURSIVE ' : ''}${n.ctes.map(print).join(', ')}`,
  CommonTableExpr: (n) =>
    quoteIdentifier(n.name) +
    (n.columns.length > 0 ? nameList(n.columns) : '') +
    ' AS ' +
    (n.materialized === null ? '' : n.materialized ? 'MATERIALIZED ' : 'NOT MATERIALIZED ') +
    `(${print(n.statement)})`,
  LockingClause: (n) =>
    `FOR ${n.strength}` + (n.of.length > 0 ? ' OF ' + n.of.map(qualifiedName).join(', ') : '') + (n.wait === null ? '' : ' ' + n.wait),
  NamedWindow: (n) => `${quoteIdentifier(n.name)} AS ${windowSpec(n.spec)}`,
  GroupingSet: (n) => {
    const items = n.items.map(print).join(', ')
    switch (n.type) {
      case 'EMPTY':
        return '()'
      case 'SETS':
        return `GROUPING SETS (${items})`
      default:
        return `${n.type} (${items})`
    }
  },
  TableRef: (n) => `${n.only ? 'ONLY ' : ''}${qualifiedName(n.name)}${alias(n.alias)}`,
  SubqueryRef: (n) => `${n.lateral ? 'LATERAL ' : ''}(${print(n.query)})${alias(n.alias)}`,
  FunctionRef: (n) => `${n.lateral ? 'LATERAL ' : ''}${print(n.call)}${n.withOrdinality ? ' WITH ORDINALITY' : ''}${alias(n.alias)}`,
  JoinRef: joinRef,
  // DML
  Insert: (n) => {
    let out = withPrefix(n.with) + 'INSERT '
    if (n.orAction !== null) out += `OR ${n.orAction} `
    out += 'INTO ' + qualifiedName(n.table)
    if (n.alias !== null) out += ' AS ' + quoteIdentifier(n.alias)
    if (n.columns.length > 0) out += ' ' + nameList(n.columns)
    if (n.overriding !== null) out += ` OVERRIDING ${n.overriding} VALUE`
    out += n.source === null ? ' DEFAULT VALUES' : ' ' + print(n.source)
    if (n.onConflict !== null) out += ' ' + print(n.onConflict)
    return out + returning(n.returning)
  },
  OnConflict: (n) => {
    let out = 'ON CONFLICT'
    if (n.target !== null) out += ' ' + print(n.target)
    if (n.action === 'NOTHING') return out + ' DO NOTHING'
    out += ' DO UPDATE SET ' + n.assignments.map(setClause).join(', ')
    if (n.where !== null) out += ' WHERE ' + print(n.where)
    return out
  },
  ConflictTarget: (n) => {
    if (n.constraint !== null) return `ON CONSTRAINT ${quoteIdentifier(n.constraint)}`
    return `(${n.elements.map(print).join(', ')})` + (n.where === null ? '' : ' WHERE ' + print(n.where))
  },
  Assignment: setClause,
  MultiAssignment: setClause,
  Update: (n) =>
    withPrefix(n.with) +
    `UPDATE ${n.only ? 'ONLY ' : ''}${qualifiedName(n.table)}` +
    (n.alias === null ? '' : ' AS ' + quoteIdentifier(n.alias)) +
    ' SET ' +
    n.assignments.map(setClause).join(', ') +
    (n.from.length > 0 ? ' FROM ' + n.from.map((f) => fromItem(f, false)).join(', ') : '') +
    (n.where === null ? '' : ' WHERE ' + print(n.where)) +
    returning(n.returning),
  Delete: (n) =>
    withPrefix(n.with) +
    `DELETE FROM ${n.only ? 'ONLY ' : ''}${qualifiedName(n.table)}` +
    (n.alias === null ? '' : ' AS ' + quoteIdentifier(n.alias)) +
    (n.using.length > 0 ? ' USING ' + n.using.map((f) => fromItem(f, false)).join(', ') : '') +
    (n.where === null ? '' : ' WHERE ' + print(n.where)) +
    returning(n.returning),
  // constraints
  NotNullConstraint: (n) => constraintName(n.name) + 'NOT NULL',
  NullConstraint: (n) => constraintName(n.name) + 'NULL',
  DefaultConstraint: (n) =>
    constraintName(n.name) + 'DEFAULT ' + (n.expr.kind === 'Collate' ? `(${print(n.expr)})` : sub(n.expr, P_IS + 1)),
  CheckConstraint: (n) => constraintName(n.name) + `CHECK (${print(n.expr)})` + (n.noInherit ? ' NO INHERIT' : ''),
  PrimaryKeyConstraint: (n) =>
    constraintName(n.name) +
    'PRIMARY KEY' +
    (n.columns.length > 0 ? ' ' + nameList(n.columns) : '') +
    (n.include.length > 0 ? ' INCLUDE ' + nameList(n.include) : '') +
    (n.direction === null ? '' : ' ' + n.direction) +
    (n.autoincrement ? ' AUTOINCREMENT' : ''),
  UniqueConstraint: (n) =>
    constraintName(n.name) +
    'UNIQUE' +
    (n.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '') +
    (n.columns.length > 0 ? ' ' + nameList(n.columns) : '') +
    (n.include.length > 0 ? ' INCLUDE ' + nameList(n.include) : ''),
  ForeignKeyConstraint: (n) =>
    constraintName(n.name) +
    (n.columns.length > 0 ? `FOREIGN KEY ${nameList(n.columns)} ` : '') +
    'REFERENCES ' +
    qualifiedName(n.table) +
    (n.refColumns.length > 0 ? ' ' + nameList(n.refColumns) : '') +
    (n.match === null ? '' : ' MATCH ' + n.match) +
    (n.onDelete === null ? '' : ' ON DELETE ' + n.onDelete) +
    (n.onUpdate === null ? '' : ' ON UPDATE ' + n.onUpdate),
  IdentityConstraint: (n) =>
    constraintName(n.name) +
    `GENERATED ${n.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY` +
    (n.options.length > 0 ? ` (${n.options.map(sequenceOption).join(' ')})` : ''),
  GeneratedConstraint: (n) => constraintName(n.name) + `GENERATED ALWAYS AS (${print(n.expr)}) STORED`,
  // DDL
  ColumnDef: (n) =>
    quoteIdentifier(n.name) +
    (n.type === null ? '' : ' ' + typeName(n.type)) +
    (n.collation === null ? '' : ' COLLATE ' + qualifiedName(n.collation)) +
    n.constraints.map((c) => ' ' + columnConstraint(c)).join(''),
  CreateTable: (n) =>
    `CREATE ${n.temporary ? 'TEMPORARY ' : ''}TABLE ${n.ifNotExists ? 'IF NOT EXISTS ' : ''}${qualifiedName(n.name)} (` +
    [...n.columns.map(print), ...n.constraints.map(tableConstraint)].join(', ') +
    ')',
  CreateTableAs: (n) =>
    `CREATE ${n.temporary ? 'TEMPORARY ' : ''}TABLE ${n.ifNotExists ? 'IF NOT EXISTS ' : ''}${qualifiedName(n.name)}` +
    (n.columns.length > 0 ? ' ' + nameList(n.columns) : '') +
    ` AS ${print(n.query)}` +
    (n.withData ? '' : ' WITH NO DATA'),
  IndexElement: (n) => {
    const e = n.expr
    let out = e.kind === 'ColumnRef' || e.kind === 'FunctionCall' ? print(e) : `(${print(e)})`
    if (n.collation !== null) out += ' COLLATE ' + qualifiedName(n.collation)
    if (n.direction !== null) out += ' ' + n.direction
    if (n.nulls !== null) out += ' NULLS ' + n.nulls
    return out
  },
  CreateIndex: (n) =>
    `CREATE ${n.unique ? 'UNIQUE ' : ''}INDEX ${n.concurrently ? 'CONCURRENTLY ' : ''}${n.ifNotExists ? 'IF NOT EXISTS ' : ''}` +
    (n.name === null ? '' : quoteIdentifier(n.name) + ' ') +
    `ON ${qualifiedName(n.table)}` +
    (n.method === null ? '' : ' USING ' + quoteIdentifier(n.method)) +
    ` (${n.elements.map(print).join(', ')})` +
    (n.include.length > 0 ? ' INCLUDE ' + nameList(n.include) : '') +
    (n.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '') +
    (n.where === null ? '' : ' WHERE ' + print(n.where)),
  CreateView: (n) =>
    `CREATE ${n.orReplace ? 'OR REPLACE ' : ''}${n.temporary ? 'TEMPORARY ' : ''}VIEW ${n.ifNotExists ? 'IF NOT EXISTS ' : ''}` +
    qualifiedName(n.name) +
    (n.columns.length > 0 ? ' ' + nameList(n.columns) : '') +
    ` AS ${print(n.query)}`,
  SequenceOption: sequenceOption,
  CreateSequence: (n) =>
    `CREATE ${n.temporary ? 'TEMPORARY ' : ''}SEQUENCE ${n.ifNotExists ? 'IF NOT EXISTS ' : ''}${qualifiedName(n.name)}` +
    sequenceOptions(n.options),
  AlterSequence: (n) => `ALTER SEQUENCE ${n.ifExists ? 'IF EXISTS ' : ''}${qualifiedName(n.name)}` + sequenceOptions(n.options),
  AddColumn: (n) => `ADD COLUMN ${n.ifNotExists ? 'IF NOT EXISTS ' : ''}${print(n.column)}`,
  DropColumn: (n) => `DROP COLUMN ${n.ifExists ? 'IF EXISTS ' : ''}${quoteIdentifier(n.name)}${n.behavior === null ? '' : ' ' + n.behavior}`,
  RenameColumn: (n) => `RENAME COLUMN ${quoteIdentifier(n.from)} TO ${quoteIdentifier(n.to)}`,
  RenameTable: (n) => `RENAME TO ${quoteIdentifier(n.to)}`,
  RenameConstraint: (n) => `RENAME CONSTRAINT ${quoteIdentifier(n.from)} TO ${quoteIdentifier(n.to)}`,
  AddConstraint: (n) => `ADD ${tableConstraint(n.constraint)}`,
  DropConstraint: (n) =>
    `DROP CONSTRAINT ${n.ifExists ? 'IF EXISTS ' : ''}${quoteIdentifier(n.name)}${n.behavior === null ? '' : ' ' + n.behavior}`,
  AlterColumnDefault: (n) =>
    `ALTER COLUMN ${quoteIdentifier(n.column)} ` + (n.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${print(n.default)}`),
  AlterColumnNotNull: (n) => `ALTER COLUMN ${quoteIdentifier(n.column)} ${n.notNull ? 'SET' : 'DROP'} NOT NULL`,
  AlterColumnType: (n) =>
    `ALTER COLUMN ${quoteIdentifier(n.column)} TYPE ${typeName(n.type)}` + (n.using === null ? '' : ` USING ${print(n.using)}`),
  AlterTable: (n) =>
    `ALTER TABLE ${n.ifExists ? 'IF EXISTS ' : ''}${n.only ? 'ONLY ' : ''}${qualifiedName(n.name)} ` + n.actions.map(print).join(', '),
  Drop: (n) =>
    `DROP ${n.objectType} ${n.concurrently ? 'CONCURRENTLY ' : ''}${n.ifExists ? 'IF EXISTS ' : ''}` +
    n.names.map(qualifiedName).join(', ') +
    (n.behavior === null ? '' : ' ' + n.behavior),
  CreateSchema: (n) => `CREATE SCHEMA ${n.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteIdentifier(n.name)}`,
  TriggerEvent: (n) => n.event + (n.columns.length > 0 ? ' OF ' + n.columns.map(quoteIdentifier).join(', ') : ''),
  CreateTrigger: (n) => {
    let out = `CREATE ${n.orReplace ? 'OR REPLACE ' : ''}${n.temporary ? 'TEMPORARY ' : ''}TRIGGER `
    out += (n.ifNotExists ? 'IF NOT EXISTS ' : '') + qualifiedName(n.name)
    if (n.timing !== null) out += ' ' + n.timing
    out += ' ' + n.events.map(print).join(' OR ') + ' ON ' + qualifiedName(n.table)
    if (n.forEach !== null) out += ` FOR EACH ${n.forEach}`
    if (n.when !== null) out += ` WHEN (${print(n.when)})`
    if (n.function !== null) {
      return out + ` EXECUTE FUNCTION ${qualifiedName(n.function)}(${n.functionArgs.map(quoteString).join(', ')})`
    }
    return out + ' BEGIN ' + n.body.map((s) => print(s) + '; ').join('') + 'END'
  },
  DropTrigger: (n) =>
    `DROP TRIGGER ${n.ifExists ? 'IF EXISTS ' : ''}${qualifiedName(n.name)}` +
    (n.table === null ? '' : ' ON ' + qualifiedName(n.table)) +
    (n.behavior === null ? '' : ' ' + n.behavior),
  Reindex: (n) => {
    let out = 'REINDEX'
    if (n.target !== null) out += ' ' + n.target
    if (n.concurrently) out += ' CONCURRENTLY'
    if (n.name !== null) {
      const bare = n.target === null && n.name.schema === null && REINDEX_WORDS.has(n.name.name)
      out += ' ' + (bare ? `"${n.name.name}"` : qualifiedName(n.name))
    }
    return out
  },
  CommentOn: (n) =>
    `COMMENT ON ${n.target} ${qualifiedName(n.name)}${n.column === null ? '' : '.' + quoteIdentifier(n.column)} IS ` +
    (n.comment === null ? 'NULL' : quoteString(n.comment)),
  Truncate: (n) =>
    'TRUNCATE ' +
    n.tables.map(qualifiedName).join(', ') +
    (n.restartIdentity ? ' RESTART IDENTITY' : '') +
    (n.behavior === null ? '' : ' ' + n.behavior),
  // transactions, session, utility
  Begin: (n) => {
    const modes = transactionModes(n)
    return modes === '' ? 'BEGIN' : `BEGIN ${modes}`
  },
  Commit: () => 'COMMIT',
  Rollback: (n) => (n.savepoint === null ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${quoteIdentifier(n.savepoint)}`),
  Savepoint: (n) => `SAVEPOINT ${quoteIdentifier(n.name)}`,
  ReleaseSavepoint: (n) => `RELEASE SAVEPOINT ${quoteIdentifier(n.name)}`,
  SetTransaction: (n) => `SET ${n.session ? 'SESSION CHARACTERISTICS AS ' : ''}TRANSACTION ${transactionModes(n)}`,
  SetVariable: (n) =>
    `SET ${n.scope === null ? '' : n.scope + ' '}${variableName(n.name)} TO ` +
    (n.values === null ? 'DEFAULT' : n.values.map(quoteString).join(', ')),
  Show: (n) => `SHOW ${variableName(n.name)}`,
  Reset: (n) => `RESET ${variableName(n.name)}`,
  UtilityOption: (n) => (n.value === null ? n.name : `${n.name} ${quoteString(n.value)}`),
  Explain: (n) => `EXPLAIN${utilityOptions(n.options)} ${print(n.statement)}`,
  AnalyzeTarget: (n) => qualifiedName(n.table) + (n.columns.length > 0 ? ' ' + nameList(n.columns) : ''),
  Analyze: (n) => 'ANALYZE' + utilityOptions(n.options) + (n.targets.length > 0 ? ' ' + n.targets.map(print).join(', ') : ''),
  Vacuum: (n) => 'VACUUM' + utilityOptions(n.options) + (n.targets.length > 0 ? ' ' + n.targets.map(print).join(', ') : ''),
}

function print(node: Node): string {
  return (PRINTERS[node.kind] as (node: Node) => string)(node)
}

/**
 * SQL text for any node: a statement, an expression, a FROM item, a type name.
 *
 * @example
 * printSql(parseOne('select a+b*2 from t where x in (1,2)'))
 * // 'SELECT a + b * 2 FROM t WHERE x IN (1, 2)'
 */
export function printSql(node: Node): string {
  return print(node)
}

/** SQL text for a list of statements, separated by `;\n`. */
export function printStatements(statements: readonly Statement[]): string {
  return statements.map(print).join(';\n')
}
