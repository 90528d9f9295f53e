/**
 * Statement nodes: DML, DDL, transaction control and utility statements.
 * Owns: the Statement union and the shapes of every statement and its parts.
 * Invariants:
 *   (1) One kind per statement, except Drop, which covers DROP TABLE / VIEW / INDEX / SEQUENCE /
 *       SCHEMA through `objectType` (they share every option).
 *   (2) Column-level and table-level constraints share node kinds: a column-level PRIMARY KEY,
 *       UNIQUE or REFERENCES has an empty `columns` list (it means the column it is attached to).
 *   (3) Utility options (EXPLAIN, VACUUM, ANALYZE) are name/value lists, lower-case names; the
 *       keyword forms (EXPLAIN ANALYZE VERBOSE) are normalised to the same list.
 *   (4) SQLite forms that the sqllogictest corpus runs are represented, not dropped: INSERT OR
 *       REPLACE / REPLACE INTO (Insert.orAction), CREATE TRIGGER ... BEGIN ... END, DROP TRIGGER
 *       without ON, REINDEX name. The binder decides what to do with them.
 * Not here: queries (queries.ts), expressions (expressions.ts).
 */
import type { Expr } from './expressions.js'
import type { NodeBase, NullsOrder, QualifiedName, SortDirection, TypeName } from './node.js'
import type { FromItem, Query, SelectItem, WithClause } from './queries.js'

// ---------------------------------------------------------------------------------------------
// DML

/** `INSERT INTO t [AS a] [(cols)] {query | DEFAULT VALUES} [ON CONFLICT ...] [RETURNING ...]`. */
export interface Insert extends NodeBase<'Insert'> {
  readonly with: WithClause | null
  readonly table: QualifiedName
  readonly alias: string | null
  readonly columns: readonly string[]
  /** OVERRIDING SYSTEM VALUE / OVERRIDING USER VALUE. */
  readonly overriding: 'SYSTEM' | 'USER' | null
  /** The rows: a VALUES query or any query; null means DEFAULT VALUES. */
  readonly source: Query | null
  readonly onConflict: OnConflict | null
  readonly returning: readonly SelectItem[]
  /** SQLite's INSERT OR <action> (REPLACE INTO is INSERT OR REPLACE); null for plain INSERT. */
  readonly orAction: 'REPLACE' | 'IGNORE' | 'ABORT' | 'FAIL' | 'ROLLBACK' | null
}

/** `ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE ...]`. */
export interface OnConflict extends NodeBase<'OnConflict'> {
  /** `(cols) [WHERE pred]` or `ON CONSTRAINT name`; null when omitted (DO NOTHING only). */
  readonly target: ConflictTarget | null
  readonly action: 'NOTHING' | 'UPDATE'
  readonly assignments: readonly SetClause[]
  readonly where: Expr | null
}

/** The conflict arbiter: index columns/expressions with an optional predicate, or a constraint. */
export interface ConflictTarget extends NodeBase<'ConflictTarget'> {
  readonly elements: readonly IndexElement[]
  readonly where: Expr | null
  /** ON CONSTRAINT name (then `elements` is empty). */
  readonly constraint: string | null
}

/** `col = value` in UPDATE SET / DO UPDATE SET. */
export interface Assignment extends NodeBase<'Assignment'> {
  readonly column: string
  /** May be DefaultValue. */
  readonly value: Expr
}

/** `(a, b) = (x, y)` / `(a, b) = ROW(...)` / `(a, b) = (SELECT ...)`. */
export interface MultiAssignment extends NodeBase<'MultiAssignment'> {
  readonly columns: readonly string[]
  /** A RowConstructor (fields may be DefaultValue) or a Subquery. */
  readonly value: Expr
}

/** One entry of a SET list. */
export type SetClause = Assignment | MultiAssignment

/** `UPDATE [ONLY] t [AS a] SET ... [FROM ...] [WHERE ...] [RETURNING ...]`. */
export interface Update extends NodeBase<'Update'> {
  readonly with: WithClause | null
  readonly table: QualifiedName
  readonly only: boolean
  readonly alias: string | null
  readonly assignments: readonly SetClause[]
  readonly from: readonly FromItem[]
  readonly where: Expr | null
  readonly returning: readonly SelectItem[]
}

/** `DELETE FROM [ONLY] t [AS a] [USING ...] [WHERE ...] [RETURNING ...]`. */
export interface Delete extends NodeBase<'Delete'> {
  readonly with: WithClause | null
  readonly table: QualifiedName
  readonly only: boolean
  readonly alias: string | null
  readonly using: readonly FromItem[]
  readonly where: Expr | null
  readonly returning: readonly SelectItem[]
}

// ---------------------------------------------------------------------------------------------
// Constraints

/** Referential actions of ON DELETE / ON UPDATE. */
export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT'

/** `NOT NULL` (column only). */
export interface NotNullConstraint extends NodeBase<'NotNullConstraint'> {
  readonly name: string | null
}

/** `NULL` (column only; the explicit opposite of NOT NULL). */
export interface NullConstraint extends NodeBase<'NullConstraint'> {
  readonly name: string | null
}

/** `DEFAULT expr` (column only). */
export interface DefaultConstraint extends NodeBase<'DefaultConstraint'> {
  readonly name: string | null
  readonly expr: Expr
}

/** `CHECK (expr) [NO INHERIT]`. */
export interface CheckConstraint extends NodeBase<'CheckConstraint'> {
  readonly name: string | null
  readonly expr: Expr
  readonly noInherit: boolean
}

/** `PRIMARY KEY [(cols)] [INCLUDE (cols)]`; SQLite's `PRIMARY KEY ASC|DESC` sets `direction`. */
export interface PrimaryKeyConstraint extends NodeBase<'PrimaryKeyConstraint'> {
  readonly name: string | null
  /** Empty on a column constraint. */
  readonly columns: readonly string[]
  readonly include: readonly string[]
  readonly direction: SortDirection | null
  /** SQLite's AUTOINCREMENT after PRIMARY KEY. */
  readonly autoincrement: boolean
}

/** `UNIQUE [NULLS [NOT] DISTINCT] [(cols)] [INCLUDE (cols)]`. */
export interface UniqueConstraint extends NodeBase<'UniqueConstraint'> {
  readonly name: string | null
  readonly columns: readonly string[]
  readonly include: readonly string[]
  readonly nullsNotDistinct: boolean
}

/** `[FOREIGN KEY (cols)] REFERENCES t [(cols)] [MATCH ...] [ON DELETE a] [ON UPDATE a]`. */
export interface ForeignKeyConstraint extends NodeBase<'ForeignKeyConstraint'> {
  readonly name: string | null
  /** Referencing columns; empty on a column constraint. */
  readonly columns: readonly string[]
  readonly table: QualifiedName
  /** Referenced columns; empty means the referenced table's primary key. */
  readonly refColumns: readonly string[]
  readonly match: 'FULL' | 'PARTIAL' | 'SIMPLE' | null
  readonly onDelete: ReferentialAction | null
  readonly onUpdate: ReferentialAction | null
}

/** `GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(sequence options)]` (column only). */
export interface IdentityConstraint extends NodeBase<'IdentityConstraint'> {
  readonly name: string | null
  readonly always: boolean
  readonly options: readonly SequenceOption[]
}

/** `GENERATED ALWAYS AS (expr) STORED` (column only). */
export interface GeneratedConstraint extends NodeBase<'GeneratedConstraint'> {
  readonly name: string | null
  readonly expr: Expr
}

/** Constraints allowed on a column. */
export type ColumnConstraint =
  | NotNullConstraint
  | NullConstraint
  | DefaultConstraint
  | CheckConstraint
  | PrimaryKeyConstraint
  | UniqueConstraint
  | ForeignKeyConstraint
  | IdentityConstraint
  | GeneratedConstraint

/** Constraints allowed at table level (and in ALTER TABLE ADD CONSTRAINT). */
export type TableConstraint = CheckConstraint | PrimaryKeyConstraint | UniqueConstraint | ForeignKeyConstraint

// ---------------------------------------------------------------------------------------------
// DDL

/** A column of CREATE TABLE / ALTER TABLE ADD COLUMN. SERIAL/BIGSERIAL stay type names. */
export interface ColumnDef extends NodeBase<'ColumnDef'> {
  readonly name: string
  /** null only for SQLite-style untyped columns (`CREATE TABLE t(a, b)`). */
  readonly type: TypeName | null
  readonly collation: QualifiedName | null
  readonly constraints: readonly ColumnConstraint[]
}

/** `CREATE [TEMP] TABLE [IF NOT EXISTS] t (columns and constraints)`. */
export interface CreateTable extends NodeBase<'CreateTable'> {
  readonly name: QualifiedName
  readonly ifNotExists: boolean
  readonly temporary: boolean
  readonly columns: readonly ColumnDef[]
  readonly constraints: readonly TableConstraint[]
}

/** `CREATE [TEMP] TABLE [IF NOT EXISTS] t [(cols)] AS query [WITH [NO] DATA]`. */
export interface CreateTableAs extends NodeBase<'CreateTableAs'> {
  readonly name: QualifiedName
  readonly ifNotExists: boolean
  readonly temporary: boolean
  readonly columns: readonly string[]
  readonly query: Query
  readonly withData: boolean
}

/** One key of an index (also ON CONFLICT targets): a column (a ColumnRef) or an expression. */
export interface IndexElement extends NodeBase<'IndexElement'> {
  readonly expr: Expr
  readonly collation: QualifiedName | null
  readonly direction: SortDirection | null
  readonly nulls: NullsOrder | null
}

/** `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t [USING m] (...) ...`. */
export interface CreateIndex extends NodeBase<'CreateIndex'> {
  readonly unique: boolean
  readonly concurrently: boolean
  readonly ifNotExists: boolean
  /** null when the name is omitted (the catalog generates one). */
  readonly name: string | null
  readonly table: QualifiedName
  /** USING btree / hash / ...; null when not given. */
  readonly method: string | null
  readonly elements: readonly IndexElement[]
  readonly include: readonly string[]
  readonly nullsNotDistinct: boolean
  /** Partial index predicate. */
  readonly where: Expr | null
}

/** `CREATE [OR REPLACE] [TEMP] VIEW [IF NOT EXISTS] v [(cols)] AS query`. */
export interface CreateView extends NodeBase<'CreateView'> {
  readonly orReplace: boolean
  readonly temporary: boolean
  /** SQLite's CREATE VIEW IF NOT EXISTS. */
  readonly ifNotExists: boolean
  readonly name: QualifiedName
  readonly columns: readonly string[]
  readonly query: Query
}

/** A sequence option of CREATE/ALTER SEQUENCE and identity columns. */
export type SequenceOption =
  | SequenceNumberOption
  | SequenceCycleOption
  | SequenceTypeOption
  | SequenceOwnedByOption

/** INCREMENT [BY] n, START [WITH] n, RESTART [[WITH] n], CACHE n, [NO] MINVALUE n, [NO] MAXVALUE n. */
export interface SequenceNumberOption extends NodeBase<'SequenceOption'> {
  readonly option: 'increment' | 'start' | 'restart' | 'cache' | 'minvalue' | 'maxvalue'
  /** Signed decimal text; null for NO MINVALUE / NO MAXVALUE / RESTART without a value. */
  readonly value: string | null
}

/** [NO] CYCLE. */
export interface SequenceCycleOption extends NodeBase<'SequenceOption'> {
  readonly option: 'cycle'
  readonly value: boolean
}

/** AS type. */
export interface SequenceTypeOption extends NodeBase<'SequenceOption'> {
  readonly option: 'as'
  readonly type: TypeName
}

/** OWNED BY table.column | OWNED BY NONE. */
export interface SequenceOwnedByOption extends NodeBase<'SequenceOption'> {
  readonly option: 'owned_by'
  /** null for NONE; else the column as table.column (schema-qualified allowed). */
  readonly column: readonly string[] | null
}

/** `CREATE [TEMP] SEQUENCE [IF NOT EXISTS] s [options]`. */
export interface CreateSequence extends NodeBase<'CreateSequence'> {
  readonly name: QualifiedName
  readonly ifNotExists: boolean
  readonly temporary: boolean
  readonly options: readonly SequenceOption[]
}

/** `ALTER SEQUENCE [IF EXISTS] s options`. */
export interface AlterSequence extends NodeBase<'AlterSequence'> {
  readonly name: QualifiedName
  readonly ifExists: boolean
  readonly options: readonly SequenceOption[]
}

/** `ADD [COLUMN] [IF NOT EXISTS] coldef`. */
export interface AddColumn extends NodeBase<'AddColumn'> {
  readonly column: ColumnDef
  readonly ifNotExists: boolean
}

/** `DROP [COLUMN] [IF EXISTS] col [CASCADE|RESTRICT]`. */
export interface DropColumn extends NodeBase<'DropColumn'> {
  readonly name: string
  readonly ifExists: boolean
  readonly behavior: DropBehavior | null
}

/** `RENAME [COLUMN] a TO b`. */
export interface RenameColumn extends NodeBase<'RenameColumn'> {
  readonly from: string
  readonly to: string
}

/** `RENAME TO name`. */
export interface RenameTable extends NodeBase<'RenameTable'> {
  readonly to: string
}

/** `RENAME CONSTRAINT a TO b`. */
export interface RenameConstraint extends NodeBase<'RenameConstraint'> {
  readonly from: string
  readonly to: string
}

/** `ADD [CONSTRAINT name] table_constraint`. */
export interface AddConstraint extends NodeBase<'AddConstraint'> {
  readonly constraint: TableConstraint
}

/** `DROP CONSTRAINT [IF EXISTS] name [CASCADE|RESTRICT]`. */
export interface DropConstraint extends NodeBase<'DropConstraint'> {
  readonly name: string
  readonly ifExists: boolean
  readonly behavior: DropBehavior | null
}

/** `ALTER [COLUMN] c SET DEFAULT expr | DROP DEFAULT`. */
export interface AlterColumnDefault extends NodeBase<'AlterColumnDefault'> {
  readonly column: string
  /** null for DROP DEFAULT. */
  readonly default: Expr | null
}

/** `ALTER [COLUMN] c SET NOT NULL | DROP NOT NULL`. */
export interface AlterColumnNotNull extends NodeBase<'AlterColumnNotNull'> {
  readonly column: string
  readonly notNull: boolean
}

/** `ALTER [COLUMN] c [SET DATA] TYPE t [USING expr]`. */
export interface AlterColumnType extends NodeBase<'AlterColumnType'> {
  readonly column: string
  readonly type: TypeName
  readonly using: Expr | null
}

/** One action of ALTER TABLE. */
export type AlterTableAction =
  | AddColumn
  | DropColumn
  | RenameColumn
  | RenameTable
  | RenameConstraint
  | AddConstraint
  | DropConstraint
  | AlterColumnDefault
  | AlterColumnNotNull
  | AlterColumnType

/** `ALTER TABLE [IF EXISTS] [ONLY] t action, ...` (RENAME forms are single actions). */
export interface AlterTable extends NodeBase<'AlterTable'> {
  readonly name: QualifiedName
  readonly ifExists: boolean
  readonly only: boolean
  readonly actions: readonly AlterTableAction[]
}

/** CASCADE / RESTRICT. */
export type DropBehavior = 'CASCADE' | 'RESTRICT'

/** `DROP TABLE|VIEW|INDEX|SEQUENCE|SCHEMA [CONCURRENTLY] [IF EXISTS] name, ... [CASCADE|RESTRICT]`. */
export interface Drop extends NodeBase<'Drop'> {
  readonly objectType: 'TABLE' | 'VIEW' | 'INDEX' | 'SEQUENCE' | 'SCHEMA'
  readonly ifExists: boolean
  readonly names: readonly QualifiedName[]
  readonly behavior: DropBehavior | null
  readonly concurrently: boolean
}

/** `CREATE SCHEMA [IF NOT EXISTS] name`. */
export interface CreateSchema extends NodeBase<'CreateSchema'> {
  readonly name: string
  readonly ifNotExists: boolean
}

/** One triggering event: INSERT, DELETE, TRUNCATE, or UPDATE [OF cols]. */
export interface TriggerEvent extends NodeBase<'TriggerEvent'> {
  readonly event: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE'
  readonly columns: readonly string[]
}

/**
 * CREATE TRIGGER in either dialect:
 * - SQLite: `CREATE [TEMP] TRIGGER [IF NOT EXISTS] n [BEFORE|AFTER|INSTEAD OF] event ON t
 *   [FOR EACH ROW] [WHEN expr] BEGIN stmt; ... END`
 * - PostgreSQL: `CREATE [OR REPLACE] TRIGGER n {BEFORE|AFTER|INSTEAD OF} event [OR event ...] ON t
 *   [FOR [EACH] ROW|STATEMENT] [WHEN (expr)] EXECUTE FUNCTION f()`
 */
export interface CreateTrigger extends NodeBase<'CreateTrigger'> {
  readonly name: QualifiedName
  readonly orReplace: boolean
  readonly temporary: boolean
  readonly ifNotExists: boolean
  /** null when not written (SQLite's default is BEFORE). */
  readonly timing: 'BEFORE' | 'AFTER' | 'INSTEAD OF' | null
  readonly events: readonly TriggerEvent[]
  readonly table: QualifiedName
  readonly forEach: 'ROW' | 'STATEMENT' | null
  readonly when: Expr | null
  /** The SQLite body (INSERT/UPDATE/DELETE/SELECT statements); empty with EXECUTE FUNCTION. */
  readonly body: readonly Statement[]
  /** EXECUTE FUNCTION name (arguments are string constants); null with a BEGIN ... END body. */
  readonly function: QualifiedName | null
  readonly functionArgs: readonly string[]
}

/** `DROP TRIGGER [IF EXISTS] name [ON table] [CASCADE|RESTRICT]` (SQLite omits ON). */
export interface DropTrigger extends NodeBase<'DropTrigger'> {
  readonly name: QualifiedName
  readonly ifExists: boolean
  readonly table: QualifiedName | null
  readonly behavior: DropBehavior | null
}

/** `REINDEX [INDEX|TABLE|SCHEMA|DATABASE|SYSTEM] [CONCURRENTLY] name` (SQLite: `REINDEX name`). */
export interface Reindex extends NodeBase<'Reindex'> {
  /** null for SQLite's untyped form (an index or a table). */
  readonly target: 'INDEX' | 'TABLE' | 'SCHEMA' | 'DATABASE' | 'SYSTEM' | null
  readonly name: QualifiedName | null
  readonly concurrently: boolean
}

/**
 * `COMMENT ON { TABLE | VIEW } name IS 'text' | NULL` and `COMMENT ON COLUMN [schema.]table.column IS ...`.
 * Other object kinds are refused by the parser (0A000).
 */
export interface CommentOn extends NodeBase<'CommentOn'> {
  readonly target: 'TABLE' | 'VIEW' | 'COLUMN'
  /** The relation (for COLUMN: the column's table or view). */
  readonly name: QualifiedName
  /** The column for COLUMN, else null. */
  readonly column: string | null
  /** The comment; null (IS NULL) removes it. */
  readonly comment: string | null
}

/** `TRUNCATE [TABLE] [ONLY] t, ... [RESTART|CONTINUE IDENTITY] [CASCADE|RESTRICT]`. */
export interface Truncate extends NodeBase<'Truncate'> {
  readonly tables: readonly QualifiedName[]
  readonly restartIdentity: boolean
  readonly behavior: DropBehavior | null
}

// ---------------------------------------------------------------------------------------------
// Transactions and session

/** Isolation levels as written. */
export type IsolationLevel = 'SERIALIZABLE' | 'REPEATABLE READ' | 'READ COMMITTED' | 'READ UNCOMMITTED'

/** Transaction characteristics of BEGIN / START TRANSACTION / SET TRANSACTION (null: not given). */
export interface TransactionModes {
  readonly isolationLevel: IsolationLevel | null
  readonly readOnly: boolean | null
  readonly deferrable: boolean | null
}

/** `BEGIN [WORK|TRANSACTION] [modes]` / `START TRANSACTION [modes]`. */
export interface Begin extends NodeBase<'Begin'>, TransactionModes {}

/** `COMMIT [WORK|TRANSACTION]` / `END`. */
export interface Commit extends NodeBase<'Commit'> {}

/** `ROLLBACK [WORK|TRANSACTION] [TO [SAVEPOINT] name]` / `ABORT`. */
export interface Rollback extends NodeBase<'Rollback'> {
  /** The savepoint of ROLLBACK TO; null rolls back the transaction. */
  readonly savepoint: string | null
}

/** `SAVEPOINT name`. */
export interface Savepoint extends NodeBase<'Savepoint'> {
  readonly name: string
}

/** `RELEASE [SAVEPOINT] name`. */
export interface ReleaseSavepoint extends NodeBase<'ReleaseSavepoint'> {
  readonly name: string
}

/** `SET TRANSACTION modes` / `SET SESSION CHARACTERISTICS AS TRANSACTION modes`. */
export interface SetTransaction extends NodeBase<'SetTransaction'>, TransactionModes {
  /** True for SET SESSION CHARACTERISTICS (the session default). */
  readonly session: boolean
}

/** `SET [SESSION|LOCAL] name {=|TO} value, ... | DEFAULT`; `SET TIME ZONE v` sets `timezone`. */
export interface SetVariable extends NodeBase<'SetVariable'> {
  readonly scope: 'SESSION' | 'LOCAL' | null
  /** Lower-case, dotted names allowed (`app.user_id`). */
  readonly name: string
  /**
   * The values as text: strings unquoted, numbers with their sign, bare words folded
   * (`SET x TO on` sets 'on'), as PostgreSQL hands them to a setting. null for DEFAULT (and
   * TIME ZONE LOCAL / DEFAULT).
   */
  readonly values: readonly string[] | null
}

/** `SHOW name` / `SHOW ALL` (name 'all'). */
export interface Show extends NodeBase<'Show'> {
  readonly name: string
}

/** `RESET name` / `RESET ALL` (name 'all'). */
export interface Reset extends NodeBase<'Reset'> {
  readonly name: string
}

// ---------------------------------------------------------------------------------------------
// Utility

/** An option of EXPLAIN / VACUUM / ANALYZE: `name [value]`, name in lower case. */
export interface UtilityOption extends NodeBase<'UtilityOption'> {
  readonly name: string
  /** The value as text ('true', 'false', 'json', '10'); null when only the name is given. */
  readonly value: string | null
}

/** `EXPLAIN [ANALYZE] [VERBOSE] stmt` / `EXPLAIN (option, ...) stmt`. */
export interface Explain extends NodeBase<'Explain'> {
  readonly options: readonly UtilityOption[]
  readonly statement: Statement
}

/** A table (and optional columns) for ANALYZE / VACUUM. */
export interface AnalyzeTarget extends NodeBase<'AnalyzeTarget'> {
  readonly table: QualifiedName
  readonly columns: readonly string[]
}

/** `ANALYZE [VERBOSE] [(options)] [table [(cols)], ...]`. */
export interface Analyze extends NodeBase<'Analyze'> {
  readonly options: readonly UtilityOption[]
  readonly targets: readonly AnalyzeTarget[]
}

/** `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [table, ...]`. */
export interface Vacuum extends NodeBase<'Vacuum'> {
  readonly options: readonly UtilityOption[]
  readonly targets: readonly AnalyzeTarget[]
}

/** Every statement. */
export type Statement =
  | Query
  | Insert
  | Update
  | Delete
  | CreateTable
  | CreateTableAs
  | CreateIndex
  | CreateView
  | CreateSequence
  | AlterSequence
  | AlterTable
  | Drop
  | CreateSchema
  | CreateTrigger
  | DropTrigger
  | Reindex
  | CommentOn
  | Truncate
  | Begin
  | Commit
  | Rollback
  | Savepoint
  | ReleaseSavepoint
  | SetTransaction
  | SetVariable
  | Show
  | Reset
  | Explain
  | Analyze
  | Vacuum

/** The `kind` of a statement node. */
export type StatementKind = Statement['kind']
