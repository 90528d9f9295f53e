/**
 * engine/sql: the SQL front end, text to AST (PostgreSQL-flavoured).
 *
 * parse(sql) -> Statement[]: tokenize (lexer/) then recursive descent with Pratt expressions
 * (parser/), producing frozen AST nodes (ast/) that carry their source span. Every failure is a
 * RustyError: 42601 syntax errors with a 1-based position, 0A000 for known but unsupported
 * syntax, 54001 for statements nested too deeply.
 *
 * Imports only engine/common. The binder (engine/plan) consumes the AST.
 */
export { parse, parseExpression, parseOne, MAX_DEPTH } from './parser/index.js'
export { tokenize, TokenType, isKeyword, keywordCategory, type Token, type TokenTypeCode } from './lexer/index.js'
export { positionOf, STATEMENT_TOO_COMPLEX } from './errors.js'
export * from './ast/index.js'
export { printSql, printStatements, quoteIdentifier, quoteString } from './printer/index.js'
