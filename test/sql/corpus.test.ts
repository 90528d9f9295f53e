/**
 * The shared sqllogictest corpus (../shared/sqllogictest, read in place, never copied): every
 * record that a `postgresql` engine runs must parse, including the SQLite forms the evidence
 * files run unguarded (CREATE TRIGGER ... BEGIN ... END, DROP TRIGGER, REINDEX, REPLACE INTO,
 * INSERT OR REPLACE, `x IN ()`).
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { parse } from '../../engine/sql/index.js'
import { corpusAvailable, readCorpus } from './slt-corpus.js'

describe.skipIf(!corpusAvailable())('sqllogictest corpus', () => {
  it('parses every record a postgresql engine runs', () => {
    const records = readCorpus('postgresql')
    const failures: string[] = []
    for (const r of records) {
      // `statement error` records may fail for any reason, a syntax error included
      if (r.type === 'statement error') continue
      try {
        parse(r.sql)
      } catch (e) {
        failures.push(`${r.file}:${r.line}: ${e instanceof RustyError ? `${e.code} ${e.message} at ${e.position}` : String(e)}\n    ${r.sql}`)
      }
    }
    expect(records.length).toBeGreaterThan(400_000)
    expect(failures.slice(0, 20)).toEqual([])
  })

  it('parses the SQLite statements of the evidence files that postgresql runs', () => {
    const evidence = readCorpus('postgresql').filter((r) => r.file.startsWith('evidence'))
    const kinds = new Set(evidence.flatMap((r) => parse(r.sql).map((s) => (s.kind === 'Insert' && s.orAction !== null ? 'InsertOr' : s.kind))))
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining(['CreateTrigger', 'DropTrigger', 'Reindex', 'InsertOr', 'CreateView', 'Drop', 'Update', 'Query']),
    )
  })

  it('leaves out what postgresql skips', () => {
    const sql = new Set(readCorpus('postgresql').map((r) => r.sql))
    // a MySQL-only form that the corpus guards with `onlyif mysql`
    expect([...sql].some((s) => /\bDIV\b/.test(s))).toBe(false)
  })
})
