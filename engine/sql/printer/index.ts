/**
 * engine/sql/printer: AST to SQL text.
 */
export { printSql, printStatements, quoteIdentifier, quoteString } from './sql-printer.js'
