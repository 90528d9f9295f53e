/**
 * Known failures of the shared sqllogictest corpus in `npm test` (test/slt/corpus.test.ts).
 * Owns: the list of corpus records allowed to fail, each with the reason it fails.
 * Invariants:
 *   (1) `file` is relative to the corpus folder with '/' separators (`evidence/in1.test`); `lines` are the lines
 *       of the records' `statement` / `query` lines, as `npm run slt` reports them (one reason may cover many
 *       records, e.g. every `+ textcol` of a file).
 *   (2) Every entry has a reason a reader can check (e.g. "SQLite-only syntax: INSERT OR REPLACE"). An entry
 *       whose record now passes fails the test: remove it.
 * The README lists the same failures for the whole corpus (`npm run slt`).
 */

/** Corpus records of one file that are allowed to fail, and why. */
export interface KnownFailure {
  readonly file: string
  readonly lines: readonly number[]
  readonly reason: string
}

export const KNOWN_FAILURES: readonly KnownFailure[] = []
