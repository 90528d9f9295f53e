/**
 * The shared sqllogictest corpus in `npm test`: select1-5, evidence/ and a fixed sample of random/ and index/,
 * run in child processes (two at a time, test/slt/runner/pool.ts) on fresh in-memory databases.
 * Every record must pass except those in known-failures.ts, and every known failure must still fail.
 * `npm run slt` runs the whole corpus; this is the part that fits the CI budget.
 * Corpus location and CI rules: test/sql/slt-corpus.ts (CI=true: the corpus must exist; elsewhere skipped
 * with a warning when missing).
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { CORPUS_DIR, corpusAvailable } from '../sql/slt-corpus.js'
import { KNOWN_FAILURES } from './known-failures.js'
import { runFilesInPool } from './runner/pool.js'
import { describeFailures } from './runner/report.js'
import type { SltFileResult } from './runner/runner.js'

/** The sample of the larger folders: one file per kind of generated test (chosen for the CI time budget). */
const SAMPLE = [
  'random/aggregates/slt_good_0.test',
  'random/expr/slt_good_0.test',
  'random/groupby/slt_good_0.test',
  'random/select/slt_good_0.test',
  'index/between/10/slt_good_1.test',
  'index/commute/10/slt_good_0.test',
  'index/delete/10/slt_good_0.test',
  'index/orderby/10/slt_good_0.test',
  'index/orderby_nosort/10/slt_good_0.test',
  'index/random/10/slt_good_0.test',
  'index/view/10/slt_good_1.test',
]

/** Per-file time limit: a file slower than this fails (and is killed) rather than stalling the suite. */
const FILE_TIMEOUT_MS = 300_000

function corpusFiles(): string[] {
  const evidence = fs
    .readdirSync(path.join(CORPUS_DIR, 'evidence'))
    .filter((f) => f.endsWith('.test'))
    .sort()
    .map((f) => `evidence/${f}`)
  return ['select1.test', 'select2.test', 'select3.test', 'select4.test', 'select5.test', ...evidence, ...SAMPLE]
}

const available = corpusAvailable()

describe.skipIf(!available)('sqllogictest corpus (select1-5, evidence, sample)', () => {
  const files = available ? corpusFiles() : []
  const results = new Map<string, Promise<SltFileResult>>()

  beforeAll(() => {
    const resolvers = new Map<string, (r: SltFileResult) => void>()
    for (const f of files) results.set(f, new Promise((resolve) => resolvers.set(f, resolve)))
    // Largest first so the two children finish together; results arrive as each file ends.
    const bySize = [...files].sort((a, b) => fs.statSync(path.join(CORPUS_DIR, b)).size - fs.statSync(path.join(CORPUS_DIR, a)).size)
    void runFilesInPool(
      bySize.map((f) => ({ path: path.join(CORPUS_DIR, f), name: f })),
      { jobs: 2, timeoutMs: FILE_TIMEOUT_MS, maxFailures: 50, onResult: (r) => resolvers.get(r.file)?.(r) },
    )
  })

  for (const file of files) {
    it(`${file}: every record passes except the known failures`, { timeout: 30 * 60_000 }, async () => {
      const r = await (results.get(file) as Promise<SltFileResult>)
      expect(r.error, describeFailures(r)).toBeUndefined()
      const known = new Map(KNOWN_FAILURES.filter((k) => k.file === file).flatMap((k) => k.lines.map((line) => [line, k.reason] as const)))
      const unexpected = r.failedLines.filter((line) => !known.has(line))
      const report = describeFailures({ ...r, failures: r.failures.filter((f) => !known.has(f.line)) })
      expect(unexpected, `unexpected failures at lines ${unexpected.join(', ')}\n\n${report}`).toEqual([])
      const failing = new Set(r.failedLines)
      const nowPassing = [...known.keys()].filter((line) => !failing.has(line))
      expect(nowPassing, `known failures that now pass (remove them from test/slt/known-failures.ts)`).toEqual([])
      expect(r.passed).toBeGreaterThan(0)
    })
  }
})
