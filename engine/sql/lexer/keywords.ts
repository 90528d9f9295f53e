/**
 * Keywords: PostgreSQL's keyword categories, for the words the grammar treats specially.
 * Owns: the table from a lower-case word to its category.
 * Invariants:
 *   (1) Categories follow PostgreSQL 16's kwlist.h: RESERVED words are never identifiers (unless
 *       double-quoted or after AS as a column label); COL_NAME words can name columns and tables
 *       but not functions; TYPE_FUNC_NAME words can name functions and types but not columns.
 *   (2) Unreserved keywords are not in the table: they are identifiers everywhere, and the parser
 *       recognises them by their text where the grammar expects them (`CONFLICT`, `NULLS`, ...).
 * Not here: the parser's use of the words. Words PostgreSQL reserves for features RustyDB lacks
 * are kept reserved (so `SELECT * FROM user` fails as it does in PostgreSQL).
 */

/** 0: not a keyword or unreserved; 1: reserved; 2: column-name keyword; 3: type/function-name keyword. */
export type KeywordCategory = 0 | 1 | 2 | 3

/** Keyword category values. */
export const Keyword = {
  NONE: 0,
  RESERVED: 1,
  COL_NAME: 2,
  TYPE_FUNC_NAME: 3,
} as const

const RESERVED = [
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
  'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role',
  'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do',
  'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in',
  'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not',
  'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select',
  'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true', 'union',
  'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
]

const COL_NAME = [
  'between', 'bigint', 'bit', 'boolean', 'char', 'character', 'coalesce', 'dec', 'decimal', 'exists',
  'extract', 'float', 'greatest', 'int', 'integer', 'interval', 'least', 'national', 'nchar', 'nullif',
  'numeric', 'overlay', 'position', 'precision', 'real', 'row', 'setof', 'smallint', 'substring', 'time',
  'timestamp', 'treat', 'trim', 'values', 'varchar',
]

const TYPE_FUNC_NAME = [
  'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full',
  'ilike', 'inner', 'is', 'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps',
  'right', 'similar', 'tablesample', 'verbose',
]

const TABLE = new Map<string, KeywordCategory>()
for (const word of RESERVED) TABLE.set(word, Keyword.RESERVED)
for (const word of COL_NAME) TABLE.set(word, Keyword.COL_NAME)
for (const word of TYPE_FUNC_NAME) TABLE.set(word, Keyword.TYPE_FUNC_NAME)

/** The category of a lower-case word (0 for identifiers and unreserved keywords). */
export function keywordCategory(word: string): KeywordCategory {
  return TABLE.get(word) ?? Keyword.NONE
}

/** True when a lower-case word must be double-quoted to be used as an identifier. */
export function isKeyword(word: string): boolean {
  return TABLE.has(word)
}
