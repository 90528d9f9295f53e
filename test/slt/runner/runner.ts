/**
 * sqllogictest runner: runs one script's records against a fresh SltEngine and checks them, in verify mode.
 * Owns: skipif/onlyif, hash-threshold, halt, statement and query checks, sorting, hashing, labels, and the
 * per-record verdicts of one file.
 * Invariants (each as sqllogictest.c does it, unless marked "stricter"):
 *   (1) A record is skipped when a `skipif` names this engine or an `onlyif` names another (case-insensitive).
 *       A skipped query with a label still records its expected hash under that label.
 *   (2) The hash threshold starts at 8 (DEFAULT_HASH_THRESHOLD) and `hash-threshold N` changes it; 0 = never.
 *   (3) rowsort sorts rows by their formatted values, column by column, with strcmp (byte order); valuesort
 *       sorts all values independently. nosort keeps the engine's order.
 *   (4) A query with a label or with more values than the threshold is hashed: MD5 of `value\n` for every value
 *       after sorting. Labels compare those MD5s across records of the same file. Lenient where the reference
 *       fails anyway: expected results written out as values are compared as values even above the threshold
 *       (our own .test files need no `hash-threshold 0`); a `N values hashing to` line is compared as a hash.
 *   (5) Stricter: the expected values must match in number too. The reference stops comparing at the shorter
 *       of expected and actual, so a query expected to return nothing passes whatever it returns there.
 *   (6) A query must return as many columns as its type string has characters.
 *   (7) Every statement/query record gets exactly one verdict: pass, fail or skip. Records after an applying
 *       `halt` get none.
 * Not here: reading files, worker processes, reporting (pool.ts, scripts/slt.ts).
 */
import type { SltEngine, SltEngineFactory, SltQueryResult } from './engine.js'
import { formatSltValue } from './format.js'
import { hashLine, md5OfValues, parseHashLine } from './hash.js'
import { parseSlt, type SltCondition, type SltQuery, type SltRecord, type SltStatement } from './parser.js'

/** The reference's DEFAULT_HASH_THRESHOLD. */
export const DEFAULT_HASH_THRESHOLD = 8

/** One failing record, with what is needed to understand it. */
export interface SltFailure {
  readonly line: number
  readonly kind: 'statement' | 'query' | 'invalid'
  readonly sql: string
  /** What went wrong, e.g. 'wrong result', 'query failed', 'statement should have failed'. */
  readonly message: string
  /** Expected values (or hash line / error); omitted for statements expected to succeed. */
  readonly expected?: readonly string[]
  /** Actual values (sorted as the record asks), hash line, or error text. */
  readonly actual?: readonly string[]
}

/** The outcome of one script. */
export interface SltFileResult {
  readonly file: string
  /** Statement and query records that ran or were skipped (after a halt, none are counted). */
  readonly records: number
  readonly passed: number
  readonly failed: number
  readonly skipped: number
  /** Line numbers of every failing record (known-failures entries refer to these). */
  readonly failedLines: readonly number[]
  /** The first `maxFailures` failures in detail. */
  readonly failures: readonly SltFailure[]
  /** Line of the halt record that stopped the file, if any. */
  readonly haltedAt?: number
  /** A file-level problem: the engine could not open, the file timed out or crashed its worker. */
  readonly error?: string
  readonly durationMs: number
}

export interface SltRunOptions {
  /** How many failures to keep in detail. Default 10. */
  readonly maxFailures?: number
  /** Overrides every `hash-threshold` record (the reference's -ht option). */
  readonly hashThreshold?: number
  /** Called after every record with the running counts (progress reports). */
  readonly onRecord?: (done: number) => void
}

/** The text of an error thrown by the engine: `SQLSTATE: message` when it has a code. */
export function errorText(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'message' in e) {
    const code = 'code' in e && typeof e.code === 'string' ? `${e.code}: ` : ''
    return `${code}${String(e.message)}`
  }
  return String(e)
}

function skips(conditions: readonly SltCondition[], engine: string): boolean {
  const name = engine.toLowerCase()
  return conditions.some((c) => (c.kind === 'skipif') === (c.engine.toLowerCase() === name))
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Applies a sort mode to formatted values laid out row after row (invariant 3). */
export function sortValues(values: readonly string[], columns: number, mode: SltQuery['sort']): string[] {
  if (mode === 'valuesort') return [...values].sort(compareStrings)
  if (mode !== 'rowsort' || columns <= 0) return [...values]
  const rows: string[][] = []
  for (let i = 0; i < values.length; i += columns) rows.push(values.slice(i, i + columns))
  rows.sort((a, b) => {
    for (let i = 0; i < columns; i++) {
      const c = compareStrings(a[i], b[i])
      if (c !== 0) return c
    }
    return 0
  })
  return rows.flat()
}

/** Formats a result as sqllogictest values, row after row (format.ts). */
export function formatResult(result: SltQueryResult, types: string): string[] {
  const out: string[] = []
  const columnTypes = result.columns.map((c) => c.type)
  for (const row of result.rows) {
    for (let i = 0; i < types.length; i++) out.push(formatSltValue(row[i], types[i], columnTypes[i]))
  }
  return out
}

/** Expected lines of a (possibly skipped) labeled query as an MD5, for label bookkeeping. */
function expectedMd5(q: SltQuery): string {
  const hashed = q.expected.length === 1 ? parseHashLine(q.expected[0]) : undefined
  return hashed?.md5 ?? md5OfValues(q.expected)
}

/** True when an error matches a `statement error <pattern>` (SQLSTATE, else case-insensitive regex). */
export function errorMatches(pattern: string, e: unknown): boolean {
  const code = e !== null && typeof e === 'object' && 'code' in e ? String(e.code) : ''
  if (/^[0-9A-Z]{5}$/.test(pattern)) return code === pattern
  const message = e !== null && typeof e === 'object' && 'message' in e ? String(e.message) : String(e)
  try {
    return new RegExp(pattern, 'i').test(message)
  } catch {
    return message.toLowerCase().includes(pattern.toLowerCase())
  }
}

class FileRun {
  passed = 0
  failed = 0
  skipped = 0
  readonly failedLines: number[] = []
  readonly failures: SltFailure[] = []
  readonly labels = new Map<string, string>()
  threshold: number

  constructor(
    readonly engine: SltEngine,
    readonly options: SltRunOptions,
  ) {
    this.threshold = options.hashThreshold ?? DEFAULT_HASH_THRESHOLD
  }

  fail(failure: SltFailure): void {
    this.failed++
    this.failedLines.push(failure.line)
    if (this.failures.length < (this.options.maxFailures ?? 10)) this.failures.push(failure)
  }

  /** Records `md5` under `label`; false when the label already holds another hash (invariant 4). */
  label(label: string, md5: string): boolean {
    const previous = this.labels.get(label)
    if (previous === undefined) {
      this.labels.set(label, md5)
      return true
    }
    return previous === md5
  }

  async statement(s: SltStatement): Promise<void> {
    let error: unknown
    let threw = false
    try {
      await this.engine.statement(s.sql)
    } catch (e) {
      threw = true
      error = e
    }
    if (!s.expectError) {
      if (threw) this.fail({ line: s.line, kind: 'statement', sql: s.sql, message: 'statement failed', actual: [errorText(error)] })
      else this.passed++
      return
    }
    const expected = [s.expectedError === undefined ? 'an error' : `an error matching ${s.expectedError}`]
    if (!threw) {
      this.fail({ line: s.line, kind: 'statement', sql: s.sql, message: 'statement should have failed', expected, actual: ['ok'] })
    } else if (s.expectedError !== undefined && !errorMatches(s.expectedError, error)) {
      this.fail({ line: s.line, kind: 'statement', sql: s.sql, message: 'statement failed with another error', expected, actual: [errorText(error)] })
    } else {
      this.passed++
    }
  }

  async query(q: SltQuery): Promise<void> {
    let result: SltQueryResult
    try {
      result = await this.engine.query(q.sql)
    } catch (e) {
      this.fail({ line: q.line, kind: 'query', sql: q.sql, message: 'query failed', expected: q.expected, actual: [errorText(e)] })
      return
    }
    if (result.columns.length !== q.types.length) {
      this.fail({
        line: q.line,
        kind: 'query',
        sql: q.sql,
        message: `wrong number of result columns: expected ${q.types.length} but got ${result.columns.length}`,
        expected: q.expected,
        actual: result.columns.map((c) => c.name),
      })
      return
    }
    const values = sortValues(formatResult(result, q.types), q.types.length, q.sort)
    // The expected section's form decides (invariant 4): a hash line is compared as a hash, values as values.
    const expectedHash = q.expected.length === 1 ? parseHashLine(q.expected[0]) : undefined
    const hashed = expectedHash !== undefined || (q.expected.length === 0 && this.threshold > 0 && values.length > this.threshold)
    const actualHash = hashLine(values)
    const matches = hashed ? q.expected.length === 1 && q.expected[0] === actualHash : sameLines(q.expected, values)
    const labelOk = q.label === undefined || this.label(q.label, md5OfValues(values))
    if (matches && labelOk) {
      this.passed++
      return
    }
    const shown = hashed ? [actualHash, ...values.slice(0, 50), ...(values.length > 50 ? ['...'] : [])] : values
    this.fail({
      line: q.line,
      kind: 'query',
      sql: q.sql,
      message: matches ? `labeled result [${q.label}] does not agree with previous values` : hashed ? 'wrong result hash' : 'wrong result',
      expected: q.expected,
      actual: shown,
    })
  }

  skippedQueryLabel(q: SltQuery): void {
    if (q.label === undefined || !q.hasResults || q.expected.length === 0) return
    if (!this.label(q.label, expectedMd5(q))) {
      this.fail({
        line: q.line,
        kind: 'query',
        sql: q.sql,
        message: `labeled result [${q.label}] (of a skipped record) does not agree with previous values`,
        expected: q.expected,
      })
      this.skipped--
    }
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Runs parsed records on an open engine (the caller opens and closes it).
 * @returns the verdicts; `durationMs` covers the records only
 */
export async function runRecords(
  file: string,
  records: readonly SltRecord[],
  engine: SltEngine,
  options: SltRunOptions = {},
): Promise<SltFileResult> {
  const start = performance.now()
  const run = new FileRun(engine, options)
  let haltedAt: number | undefined
  let done = 0
  for (const r of records) {
    if (r.kind === 'hash-threshold') {
      if (options.hashThreshold === undefined) run.threshold = r.threshold
      continue
    }
    const skipped = skips(r.conditions, engine.name)
    if (r.kind === 'halt') {
      if (skipped) continue
      haltedAt = r.line
      break
    }
    if (r.kind === 'invalid') {
      // The reference stops at an unknown record type; we report it and go on (the file is failing anyway).
      if (skipped) run.skipped++
      else run.fail({ line: r.line, kind: 'invalid', sql: '', message: r.message })
      continue
    }
    if (skipped) {
      run.skipped++
      if (r.kind === 'query') run.skippedQueryLabel(r)
    } else if (r.kind === 'statement') {
      await run.statement(r)
    } else {
      await run.query(r)
    }
    options.onRecord?.(++done)
  }
  return {
    file,
    records: run.passed + run.failed + run.skipped,
    passed: run.passed,
    failed: run.failed,
    skipped: run.skipped,
    failedLines: run.failedLines,
    failures: run.failures,
    ...(haltedAt !== undefined ? { haltedAt } : {}),
    durationMs: performance.now() - start,
  }
}

/**
 * Runs a script's text on a fresh engine from `open` (invariant: a new database per file) and closes it.
 *
 * @example
 * const result = await runSlt('select1.test', text, openRustyDb)
 */
export async function runSlt(file: string, text: string, open: SltEngineFactory, options: SltRunOptions = {}): Promise<SltFileResult> {
  const start = performance.now()
  const records = parseSlt(text)
  let engine: SltEngine
  try {
    engine = await open()
  } catch (e) {
    return fileError(file, `cannot open the engine: ${errorText(e)}`, performance.now() - start)
  }
  try {
    const result = await runRecords(file, records, engine, options)
    return { ...result, durationMs: performance.now() - start }
  } finally {
    await engine.close().catch(() => undefined)
  }
}

/** A result for a file that could not run at all (engine missing, worker crash, timeout). */
export function fileError(file: string, error: string, durationMs: number): SltFileResult {
  return { file, records: 0, passed: 0, failed: 0, skipped: 0, failedLines: [], failures: [], error, durationMs }
}
