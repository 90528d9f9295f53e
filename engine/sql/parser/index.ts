/**
 * engine/sql/parser: tokens to AST.
 */
export { parse, parseExpression, parseOne } from './statement-parser.js'
export { MAX_DEPTH } from './cursor.js'
