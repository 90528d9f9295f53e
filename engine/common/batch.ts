/**
 * Batch: the unit of data that flows between storage, operators and the public API.
 * Owns: the Batch shape and BATCH_SIZE.
 * Invariants:
 *   (1) Column-major: `columns[c][r]` is row r of column c; every column array has exactly `length` entries.
 *   (2) SQL NULL is `null` in a column array; every other entry is in its type's internal representation (types.ts).
 *   (3) A producer never mutates a batch after handing it out; a consumer never mutates a batch it received.
 * Not here: selection vectors and typed-array vectors; operators may use them internally (engine/exec).
 */
import type { SqlValue } from './types.js'

/** Rows per batch that operators aim for (ARCHITECTURE.md "Execution"). */
export const BATCH_SIZE = 1024

/** A batch of rows, column-major. */
export interface Batch {
  readonly length: number
  readonly columns: readonly (readonly SqlValue[])[]
}
