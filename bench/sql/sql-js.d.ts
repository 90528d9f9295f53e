/**
 * The part of sql.js's API the SQL benchmark uses (the package ships no types; @types/sql.js is not a dependency).
 */
declare module 'sql.js' {
  export type SqlValue = number | string | Uint8Array | null
  export interface Statement {
    bind(values: SqlValue[]): boolean
    step(): boolean
    get(): SqlValue[]
    reset(): void
    run(values?: SqlValue[]): void
    free(): boolean
  }
  export interface Database {
    exec(sql: string): { columns: string[]; values: SqlValue[][] }[]
    prepare(sql: string): Statement
    close(): void
  }
  export interface SqlJsStatic {
    Database: new () => Database
  }
  export default function initSqlJs(config?: { locateFile?: (file: string) => string }): Promise<SqlJsStatic>
}
