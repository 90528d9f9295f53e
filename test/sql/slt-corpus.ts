/**
 * Reads the SQL of the shared sqllogictest corpus (../shared/sqllogictest, outside the repository)
 * as a `postgresql` engine would run it: records guarded by `skipif postgresql` or by `onlyif`
 * another engine are left out, and a `halt` that applies stops the file.
 * Only for parser tests; the sqllogictest runner proper lives in test/slt.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the corpus lives: next to the repository, as ARCHITECTURE.md and issue 3 describe. */
export const CORPUS_DIR = process.env.SQLLOGICTEST_DIR
  ? path.resolve(process.env.SQLLOGICTEST_DIR)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/sqllogictest')

export interface SltRecord {
  readonly file: string
  readonly line: number
  /** 'statement ok', 'statement error' or 'query'. */
  readonly type: string
  readonly sql: string
}

/**
 * True when the corpus is there. Under CI=true a missing corpus is an error (CI must have it); elsewhere the
 * tests that need it are skipped with a message saying where the corpus was looked for.
 */
export function corpusAvailable(): boolean {
  if (fs.existsSync(CORPUS_DIR)) return true
  const message = `sqllogictest corpus not found at ${CORPUS_DIR} (put it at ../shared/sqllogictest or set SQLLOGICTEST_DIR)`
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires it`)
  console.warn(`${message}: the corpus tests are skipped`)
  return false
}

function testFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(full))
    else if (entry.name.endsWith('.test')) out.push(full)
  }
  return out
}

const cache = new Map<string, readonly SltRecord[]>()

/** Every record that the engine named `engine` runs, in file order (read once per process). */
export function readCorpus(engine = 'postgresql'): readonly SltRecord[] {
  const cached = cache.get(engine)
  if (cached !== undefined) return cached
  const records = scanCorpus(engine)
  cache.set(engine, records)
  return records
}

function scanCorpus(engine: string): SltRecord[] {
  const records: SltRecord[] = []
  for (const file of testFiles(CORPUS_DIR)) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/)
    const name = path.relative(CORPUS_DIR, file)
    let conditions: [string, string][] = []
    let i = 0
    while (i < lines.length) {
      const line = lines[i]
      if (line.trim() === '') {
        conditions = []
        i++
        continue
      }
      if (line.startsWith('#')) {
        i++
        continue
      }
      const words = line.trim().split(/\s+/)
      if (words[0] === 'skipif' || words[0] === 'onlyif') {
        conditions.push([words[0], words[1]])
        i++
        continue
      }
      const skipped = conditions.some(([k, db]) => (k === 'skipif' && db === engine) || (k === 'onlyif' && db !== engine))
      if (words[0] === 'halt') {
        if (!skipped) break
        conditions = []
        i++
        continue
      }
      if (words[0] === 'statement' || words[0] === 'query') {
        const start = i + 1
        const sql: string[] = []
        i++
        while (i < lines.length && lines[i].trim() !== '' && lines[i] !== '----') {
          if (!lines[i].startsWith('#')) sql.push(lines[i])
          i++
        }
        while (i < lines.length && lines[i].trim() !== '') i++
        if (!skipped) records.push({ file: name, line: start, type: words[0] === 'query' ? 'query' : `statement ${words[1]}`, sql: sql.join('\n') })
        conditions = []
        continue
      }
      // hash-threshold and other control lines
      i++
    }
  }
  return records
}
