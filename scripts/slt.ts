/**
 * `npm run slt -- [options] [files or folders]`: runs sqllogictest scripts against RustyDB.
 * Owns: the command line, finding the scripts, the report (per file pass/fail/skip, the first failures with SQL,
 * expected and actual, a total) and the exit code (1 when any record fails or any file errors).
 * Invariants:
 *   (1) With no paths it runs the whole shared corpus ($SQLLOGICTEST_DIR or ../shared/sqllogictest, as
 *       test/sql/slt-corpus.ts finds it); a missing corpus is an error under CI=true, elsewhere a warning and
 *       exit 0.
 *   (2) A path that does not exist as given is looked up inside the corpus, so `npm run slt -- select1.test`
 *       and `npm run slt -- index/between` work from anywhere.
 *   (3) Files run in child processes (test/slt/runner/pool.ts), largest first, each with a fresh in-memory
 *       database and a time limit; a hang or crash fails that file only.
 * Not here: the runner proper (test/slt/runner/runner.ts).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { CORPUS_DIR } from '../test/sql/slt-corpus.js'
import { type SltFile, runFilesInPool } from '../test/slt/runner/pool.js'
import type { SltFailure, SltFileResult } from '../test/slt/runner/runner.js'

const USAGE = `Usage: npm run slt -- [options] [files or folders]

Runs sqllogictest scripts (*.test) against an in-memory RustyDB, a fresh database per file.
Without paths: the whole corpus at ${CORPUS_DIR}
(set SQLLOGICTEST_DIR to use another). Paths not found as given are looked up in the corpus.

Options:
  -j, --jobs N                  files run at once, in child processes (default: ${os.availableParallelism()})
  -t, --timeout SECONDS         time limit per file (default: 600)
  -m, --max-failures-per-file N failures shown in detail per file (default: 5)
      --hash-threshold N        override the scripts' hash-threshold (0: never hash)
      --json                    print a JSON summary instead of the text report
      --json-file FILE          also write the JSON summary to FILE
  -q, --quiet                   only failing files and the total
  -h, --help                    this text
`

/** Every *.test under `dir`, sorted by path. */
function testFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(full))
    else if (entry.name.endsWith('.test')) out.push(full)
  }
  return out
}

/** A script's report name: relative to the corpus when inside it, else to the working directory. */
function displayName(file: string): string {
  const inCorpus = path.relative(CORPUS_DIR, file)
  if (!inCorpus.startsWith('..') && !path.isAbsolute(inCorpus)) return inCorpus
  return path.relative(process.cwd(), file)
}

/** Files for the given paths (invariant 2); throws for a path found nowhere. */
function resolveFiles(paths: readonly string[]): string[] {
  const files: string[] = []
  for (const p of paths) {
    const candidates = [path.resolve(p), path.resolve(CORPUS_DIR, p)]
    const found = candidates.find((c) => fs.existsSync(c))
    if (found === undefined) throw new Error(`no such file or folder: ${p} (looked in . and ${CORPUS_DIR})`)
    if (fs.statSync(found).isDirectory()) files.push(...testFiles(found))
    else files.push(found)
  }
  return [...new Set(files)]
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n')
}

function showValues(values: readonly string[] | undefined, max = 20): string {
  if (values === undefined) return '(nothing)'
  if (values.length === 0) return '(no rows)'
  const shown = values.slice(0, max).join('\n')
  return values.length > max ? `${shown}\n... (${values.length} lines)` : shown
}

function failureText(f: SltFailure): string {
  const lines = [`  line ${f.line}: ${f.message}`]
  if (f.sql !== '') lines.push('    SQL:', indent(f.sql, '      '))
  if (f.expected !== undefined) lines.push('    expected:', indent(showValues(f.expected), '      '))
  if (f.actual !== undefined) lines.push('    actual:', indent(showValues(f.actual), '      '))
  return lines.join('\n')
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

function fileLine(r: SltFileResult): string {
  const status = r.error !== undefined ? 'ERROR' : r.failed > 0 ? 'FAIL' : 'PASS'
  const counts = `${r.records} records: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`
  const halted = r.haltedAt !== undefined ? ` (halt at line ${r.haltedAt})` : ''
  return `${status.padEnd(5)} ${r.file}  ${counts}${halted}  ${seconds(r.durationMs)}`
}

interface Totals {
  files: number
  filesFailed: number
  filesErrored: number
  records: number
  passed: number
  failed: number
  skipped: number
  /** passed / (passed + failed), in percent; 100 when nothing ran. */
  passRate: number
  durationMs: number
}

function totals(results: readonly SltFileResult[], durationMs: number): Totals {
  const sum = (f: (r: SltFileResult) => number): number => results.reduce((a, r) => a + f(r), 0)
  const passed = sum((r) => r.passed)
  const failed = sum((r) => r.failed)
  return {
    files: results.length,
    filesFailed: results.filter((r) => r.error === undefined && r.failed > 0).length,
    filesErrored: results.filter((r) => r.error !== undefined).length,
    records: sum((r) => r.records),
    passed,
    failed,
    skipped: sum((r) => r.skipped),
    passRate: passed + failed === 0 ? 100 : (100 * passed) / (passed + failed),
    durationMs,
  }
}

async function main(): Promise<number> {
  const { values: opts, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      jobs: { type: 'string', short: 'j' },
      timeout: { type: 'string', short: 't' },
      'max-failures-per-file': { type: 'string', short: 'm' },
      'hash-threshold': { type: 'string' },
      json: { type: 'boolean' },
      'json-file': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (opts.help === true) {
    process.stdout.write(USAGE)
    return 0
  }
  const jsonFile = opts['json-file']
  const jsonOnly = opts.json === true
  const int = (v: string | undefined, name: string, fallback: number): number => {
    if (v === undefined) return fallback
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a number, got ${v}`)
    return n
  }
  const jobs = int(opts.jobs, 'jobs', os.availableParallelism())
  const timeoutMs = int(opts.timeout, 'timeout', 600) * 1000
  const maxFailures = int(opts['max-failures-per-file'], 'max-failures-per-file', 5)
  const hashThreshold = opts['hash-threshold'] === undefined ? undefined : int(opts['hash-threshold'], 'hash-threshold', 8)

  if (positionals.length === 0 && !fs.existsSync(CORPUS_DIR)) {
    const message = `sqllogictest corpus not found at ${CORPUS_DIR} (put it at ../shared/sqllogictest or set SQLLOGICTEST_DIR)`
    if (process.env.CI === 'true') {
      process.stderr.write(`${message}; CI=true requires it\n`)
      return 2
    }
    process.stderr.write(`${message}: nothing to run\n`)
    return 0
  }
  const paths = resolveFiles(positionals.length === 0 ? [CORPUS_DIR] : positionals)
  if (paths.length === 0) {
    process.stderr.write('no .test files found\n')
    return 2
  }
  // Largest first: the long files start early and the short ones fill the gaps (invariant 3).
  const files: SltFile[] = paths
    .map((p) => ({ path: p, name: displayName(p), size: fs.statSync(p).size }))
    .sort((a, b) => b.size - a.size)
    .map(({ path: p, name }) => ({ path: p, name }))

  const log = (text: string): void => {
    if (!jsonOnly) process.stdout.write(`${text}\n`)
  }
  log(`Running ${files.length} file${files.length === 1 ? '' : 's'} with ${Math.min(jobs, files.length)} job(s)...`)
  const start = performance.now()
  const results = await runFilesInPool(files, {
    jobs,
    timeoutMs,
    maxFailures,
    hashThreshold,
    onResult: (r) => {
      const bad = r.error !== undefined || r.failed > 0
      if (opts.quiet === true && !bad) return
      log(fileLine(r))
      if (r.error !== undefined) log(indent(r.error, '  '))
      for (const f of r.failures) log(failureText(f))
      if (r.failed > r.failures.length) log(`  ... and ${r.failed - r.failures.length} more failing records (lines ${r.failedLines.slice(r.failures.length, r.failures.length + 20).join(', ')}${r.failed - r.failures.length > 20 ? ', ...' : ''})`)
    },
  })
  const t = totals(results, performance.now() - start)
  log(
    `\nTotal: ${t.files} files (${t.files - t.filesFailed - t.filesErrored} passed, ${t.filesFailed} failed, ${t.filesErrored} errors); ` +
      `${t.records} records: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped; ` +
      `${t.passRate.toFixed(2)}% of records run pass; ${seconds(t.durationMs)}`,
  )
  if (jsonOnly || jsonFile !== undefined) {
    const sorted = [...results].sort((a, b) => a.file.localeCompare(b.file))
    const json = `${JSON.stringify({ total: t, files: sorted }, null, 2)}\n`
    if (jsonFile !== undefined) fs.writeFileSync(jsonFile, json)
    if (jsonOnly) process.stdout.write(json)
  }
  return t.failed > 0 || t.filesErrored > 0 ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  },
)
