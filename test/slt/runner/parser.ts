/**
 * sqllogictest parser: script text to records, as the reference program (sqllogictest.c) reads it.
 * Owns: line handling (CRLF, comment lines, blank lines), record boundaries, the record kinds and their fields.
 * Invariants:
 *   (1) A trailing '\r' is removed from every line and a line of only white space is blank (sqllogictest.c
 *       `nextLine`). Lines starting with '#' are comments: dropped everywhere, never blank, so they never end a
 *       record and never reach the SQL.
 *   (2) The first line of a record is split into at most four white-space tokens; anything after them (a
 *       trailing `# comment` on `skipif postgresql # reason`) is ignored, as the reference does.
 *   (3) `line` is the 1-based line number of the record's `statement` / `query` / control line (after any
 *       skipif/onlyif lines): the identity a known-failures entry refers to.
 * Extension (our own .test files, not the corpus): `statement error <SQLSTATE | message pattern>` keeps the
 * rest of the line as `expectedError`; the corpus only ever writes a bare `statement error`.
 * Not here: deciding which records run (runner.ts applies skipif/onlyif with the engine's name).
 */

/** A skipif / onlyif prefix of a record. */
export interface SltCondition {
  readonly kind: 'skipif' | 'onlyif'
  /** Engine name, compared case-insensitively (sqllogictest.c uses stricmp). */
  readonly engine: string
}

/** `statement ok` / `statement error [pattern]`. */
export interface SltStatement {
  readonly kind: 'statement'
  readonly line: number
  readonly conditions: readonly SltCondition[]
  readonly expectError: boolean
  /** Our extension: a 5-character SQLSTATE, or a case-insensitive regular expression on the message. */
  readonly expectedError?: string
  readonly sql: string
}

/** Sort modes of a query record; the reference's default is nosort. */
export type SltSortMode = 'nosort' | 'rowsort' | 'valuesort'

/** `query <types> [sort] [label]` with its SQL and expected lines. */
export interface SltQuery {
  readonly kind: 'query'
  readonly line: number
  readonly conditions: readonly SltCondition[]
  /** One character per result column: 'I', 'R' or 'T'. */
  readonly types: string
  readonly sort: SltSortMode
  /** Result label (first 20 characters, as the reference truncates it), or undefined. */
  readonly label?: string
  readonly sql: string
  /** The lines after `----` (one value per line, or one `N values hashing to <md5>` line). Empty when omitted. */
  readonly expected: readonly string[]
  /** True when the record had a `----` line. */
  readonly hasResults: boolean
}

/** `hash-threshold N`. */
export interface SltHashThreshold {
  readonly kind: 'hash-threshold'
  readonly line: number
  readonly threshold: number
}

/** `halt`: ignore the rest of the script (applies only when its conditions let it run). */
export interface SltHalt {
  readonly kind: 'halt'
  readonly line: number
  readonly conditions: readonly SltCondition[]
}

/** A record the parser does not understand; the runner reports it as a failure (the reference stops there). */
export interface SltInvalid {
  readonly kind: 'invalid'
  readonly line: number
  readonly conditions: readonly SltCondition[]
  readonly message: string
}

export type SltRecord = SltStatement | SltQuery | SltHashThreshold | SltHalt | SltInvalid

/** Largest label length the reference keeps (`azToken[3][20] = 0`). */
const LABEL_LENGTH = 20

interface Line {
  /** Text without '\r'; '' when the line is blank (only white space). */
  readonly text: string
  readonly number: number
}

/** The script's non-comment lines with their numbers (invariant 1). */
function scriptLines(text: string): Line[] {
  const raw = text.split('\n')
  // A final '\n' ends the last line; it does not start an empty one.
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop()
  const lines: Line[] = []
  for (let i = 0; i < raw.length; i++) {
    let t = raw[i]
    if (t.endsWith('\r')) t = t.slice(0, -1)
    if (t.trim() === '') t = ''
    if (t.startsWith('#')) continue
    lines.push({ text: t, number: i + 1 })
  }
  return lines
}

/** Up to four white-space separated tokens of a control line (invariant 2). */
function tokens(text: string): string[] {
  return text.trim().split(/\s+/).slice(0, 4)
}

/**
 * Parses a whole script (CRLF or LF line ends) into records, in file order.
 *
 * @example
 * parseSlt('statement ok\r\nCREATE TABLE t(a INTEGER)\r\n\r\nquery I nosort\r\nSELECT a FROM t\r\n----\r\n')
 */
export function parseSlt(text: string): SltRecord[] {
  const lines = scriptLines(text)
  const records: SltRecord[] = []
  let i = 0
  while (i < lines.length) {
    if (lines[i].text === '') {
      i++
      continue
    }
    // A record: conditions, then its first line.
    const conditions: SltCondition[] = []
    let words = tokens(lines[i].text)
    while ((words[0] === 'skipif' || words[0] === 'onlyif') && i + 1 < lines.length && lines[i + 1].text !== '') {
      conditions.push({ kind: words[0], engine: words[1] ?? '' })
      i++
      words = tokens(lines[i].text)
    }
    const head = lines[i]
    i++
    // The record body runs to the next blank line.
    const body: Line[] = []
    while (i < lines.length && lines[i].text !== '') body.push(lines[i++])
    records.push(parseRecord(head, words, conditions, body))
  }
  return records
}

function parseRecord(head: Line, words: string[], conditions: SltCondition[], body: Line[]): SltRecord {
  const line = head.number
  switch (words[0]) {
    case 'statement': {
      const sql = body.map((l) => l.text).join('\n')
      if (words[1] === 'ok') return { kind: 'statement', line, conditions, expectError: false, sql }
      if (words[1] === 'error') {
        const rest = head.text.trim().replace(/^statement\s+error\s*/, '')
        return rest === ''
          ? { kind: 'statement', line, conditions, expectError: true, sql }
          : { kind: 'statement', line, conditions, expectError: true, expectedError: rest, sql }
      }
      return { kind: 'invalid', line, conditions, message: `statement argument should be 'ok' or 'error': '${words[1] ?? ''}'` }
    }
    case 'query': {
      const types = words[1] ?? ''
      if (types === '') return { kind: 'invalid', line, conditions, message: 'missing type string' }
      const bad = [...types].find((c) => c !== 'I' && c !== 'R' && c !== 'T')
      if (bad !== undefined) return { kind: 'invalid', line, conditions, message: `unknown type character '${bad}' in type string` }
      const sortWord = words[2] ?? 'nosort'
      if (sortWord !== 'nosort' && sortWord !== 'rowsort' && sortWord !== 'valuesort') {
        return { kind: 'invalid', line, conditions, message: `unknown sort method: '${sortWord}'` }
      }
      const divider = body.findIndex((l) => l.text === '----')
      const sqlLines = divider < 0 ? body : body.slice(0, divider)
      const expected = divider < 0 ? [] : body.slice(divider + 1).map((l) => l.text)
      const query: SltQuery = {
        kind: 'query',
        line,
        conditions,
        types,
        sort: sortWord,
        sql: sqlLines.map((l) => l.text).join('\n'),
        expected,
        hasResults: divider >= 0,
        ...(words[3] !== undefined ? { label: words[3].slice(0, LABEL_LENGTH) } : {}),
      }
      return query
    }
    case 'hash-threshold':
      return { kind: 'hash-threshold', line, threshold: Number.parseInt(words[1] ?? '0', 10) || 0 }
    case 'halt':
      return { kind: 'halt', line, conditions }
    default:
      return { kind: 'invalid', line, conditions, message: `unknown record type: '${words[0]}'` }
  }
}
