/**
 * engine/plan/ddl: executes DDL statements inside a transaction (engine/txn); DDL is transactional.
 */
export { DDL_KINDS, executeDdl, isDdl } from './execute-ddl.js'
export type { DdlContext, DdlResult } from './ddl-common.js'
