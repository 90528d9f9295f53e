/**
 * engine/sql/lexer: SQL text to tokens.
 */
export { tokenize } from './lexer.js'
export { TokenType, type Token, type TokenTypeCode } from './token.js'
export { Keyword, isKeyword, keywordCategory, type KeywordCategory } from './keywords.js'
