/**
 * Transaction benchmark (issue #4): concurrent sessions on a durable Node fs database. `BENCH_SUITE=txn`.
 * Owns: the settings, the order of the runs, medians, same-run ratios, and the printed Markdown tables.
 * Environment: BENCH_RUNS (runs per figure, default 3), BENCH_TXN_ROWS (accounts, default 10000),
 * BENCH_TXN_SESSIONS (comma-separated session counts, default "1,4,16"; ratios are against the first),
 * BENCH_TXN_READERS (reader sessions, default 4), BENCH_TXN_SECONDS (timed window per figure, default 2),
 * BENCH_TXN_WARMUP_MS (untimed start of each window, default 300), BENCH_TXN_YIELD_EVERY (reads between
 * event-loop turns per reader, default 1; workloads.ts (4)), BENCH_TXN_DIR (where the temp databases go,
 * default the OS temp dir; it must be a real disk for the sync figures to mean anything).
 * With the defaults one run takes about 22 s, so the suite takes a little over a minute at BENCH_RUNS=3.
 * Invariants:
 *   (1) Every figure is the median over BENCH_RUNS runs, with min..max beside it; each run uses fresh
 *       databases (accounts.ts (2)).
 *   (2) Ratios are taken inside one run (4 sessions / 1 session of the same run, reads with / without the
 *       writer of the same database), and the median of those per-run ratios is printed.
 *   (3) Each run measures every session count and then the read/write phases, so the machine's noise spreads
 *       over all figures instead of landing on one of them.
 * Not here: the workloads and their checks (workloads.ts), timing the syncs (sync-timing-adapter.ts).
 */
import { execFileSync } from 'node:child_process'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatRate, median } from '../support/measure.js'
import { loadRustyDb } from './accounts.js'
import { PHASES, type PhaseId, type ReadWriteRun, type ScalingRun, type TxnSettings, commitScalingRun, readWriteRun } from './workloads.js'

const HERE = new URL('.', import.meta.url).pathname

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name]
  const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`)
  return value
}

/** The settings from the environment (see the header). */
export function txnSettings(): TxnSettings {
  const sessionCounts = (process.env.BENCH_TXN_SESSIONS ?? '1,4,16')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  if (sessionCounts.length === 0 || sessionCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_TXN_SESSIONS: expected positive integers')
  return {
    rows: Math.floor(envNumber('BENCH_TXN_ROWS', 10_000)),
    sessionCounts,
    readers: Math.floor(envNumber('BENCH_TXN_READERS', 4)),
    seconds: envNumber('BENCH_TXN_SECONDS', 2),
    warmupMs: envNumber('BENCH_TXN_WARMUP_MS', 300),
    yieldEvery: Math.floor(envNumber('BENCH_TXN_YIELD_EVERY', 1)),
    rrQueries: 10,
    rangeRows: 100,
    lockedRows: 100,
    probeMs: 500,
    lockTimeoutMs: 2000,
    dir: process.env.BENCH_TXN_DIR ?? tmpdir(),
  }
}

/** The commit the figures belong to. */
function commitText(): string {
  try {
    const root = join(HERE, '../..')
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'engine', 'assembly'], { cwd: root, encoding: 'utf8' }).trim()
    return `commit ${head}${dirty ? ' with uncommitted changes in engine/ or assembly/' : ''}`
  } catch {
    return 'commit unknown (no git)'
  }
}

/** "median (min..max)" of rates. */
function rateCells(values: readonly number[]): [string, string] {
  return [formatRate(median(values)), `${formatRate(Math.min(...values))}..${formatRate(Math.max(...values))}`]
}

function ratioText(values: readonly number[]): string {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return '-'
  return `${median(values).toFixed(2)}x (${Math.min(...values).toFixed(2)}..${Math.max(...values).toFixed(2)})`
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`
}

/** Runs the txn suite and prints its tables; returns the Markdown. */
export async function runTxnBench(runs: number): Promise<string> {
  const settings = txnSettings()
  const rusty = await loadRustyDb()
  const started = performance.now()
  const loadBefore = loadavg()[0]
  const scaling: ScalingRun[][] = settings.sessionCounts.map(() => [])
  const readWrite: ReadWriteRun[] = []
  for (let run = 0; run < runs; run++) {
    for (const [i, sessions] of settings.sessionCounts.entries()) {
      console.error(`txn bench: run ${run + 1}/${runs}, ${sessions} session(s) committing (load average ${loadavg()[0].toFixed(1)})`)
      scaling[i].push(await commitScalingRun(rusty, settings, sessions, run * 100 + i + 1))
    }
    console.error(`txn bench: run ${run + 1}/${runs}, reads with a writer (load average ${loadavg()[0].toFixed(1)})`)
    readWrite.push(await readWriteRun(rusty, settings, run + 1))
  }

  const out: string[] = []
  const print = (lines: readonly string[]): void => {
    const text = lines.join('\n')
    console.log(text)
    out.push(text)
  }
  const r = settings.readers
  print([
    '## Transaction benchmark: concurrent sessions on a durable database (node fs)',
    '',
    `RustyDB from dist/ at ${commitText()}. Table \`accounts(id int PRIMARY KEY, balance bigint)\`, ` +
      `${settings.rows.toLocaleString('en')} rows, one fresh database per run in ${settings.dir}. Median of ${runs} runs (BENCH_RUNS), ` +
      `${settings.seconds} s timed windows after ${settings.warmupMs} ms of warm-up; ratios are per run, median (min..max).`,
    '',
  ])

  // 1. Commit scaling.
  const base = scaling[0]
  const scalingLines = [
    `### Commits/s: each session loops over autocommit \`${'UPDATE accounts SET balance = balance + 1 WHERE id = $1'}\` (random ids)`,
    '',
    `| sessions | commits/s | min..max | vs ${settings.sessionCounts[0]} session${settings.sessionCounts[0] === 1 ? '' : 's'}, same run | WAL groups per commit | commits per WAL group | WAL sync, mean | checkpoints per run |`,
    '|---:|---:|---|---|---:|---:|---:|---:|',
  ]
  for (const [i, sessions] of settings.sessionCounts.entries()) {
    const runsAt = scaling[i]
    const [rate, spread] = rateCells(runsAt.map((x) => x.commitsPerSecond))
    const ratio = i === 0 ? '1.00x' : ratioText(runsAt.map((x, j) => x.commitsPerSecond / base[j].commitsPerSecond))
    const groups = median(runsAt.map((x) => x.groupsPerCommit))
    scalingLines.push(
      `| ${sessions} | ${rate} | ${spread} | ${ratio} | ${groups.toFixed(3)} | ${(1 / groups).toFixed(1)} | ${ms(median(runsAt.map((x) => x.syncMs)))} | ${median(runsAt.map((x) => x.checkpoints))} |`,
    )
  }
  print([
    ...scalingLines,
    '',
    '- WAL groups per commit: `db.stats().storage.groups` over the loop divided by its commits (warm-up included); each group is',
    '  one WAL write and one fdatasync. WAL sync, mean: from a group\'s fdatasync call until the main thread sees it complete',
    '  (bench/txn/sync-timing-adapter.ts; median of the runs\' means). Checkpoints: automatic at 16 MiB of WAL.',
    '- Every run checks sum(balance) = committed updates, live and after reopening the file with `Database.open({ path })`.',
    '',
  ])

  // 2. Reads while a writer commits.
  const labels: Record<PhaseId, string> = {
    writer: 'one writer alone (autocommit UPDATE by id)',
    point: `${r} point readers alone (autocommit \`SELECT balance ... WHERE id = $1\`)`,
    pointWriter: `${r} point readers + one writer`,
    range: `${r} range readers alone (REPEATABLE READ READ ONLY, ${settings.rrQueries} queries per transaction: count + sum over ${settings.rangeRows} ids)`,
    rangeWriter: `${r} range readers + one writer`,
  }
  const phaseLines = [
    '### Reads while one writer commits',
    '',
    '| phase | reads/s | min..max | commits/s | min..max | WAL sync, mean | read latency p99 (median of runs) | read latency max (worst run) |',
    '|---|---:|---|---:|---|---:|---:|---:|',
  ]
  for (const id of PHASES) {
    const at = readWrite.map((x) => x.phases[id])
    const hasReads = id !== 'writer'
    const hasWriter = id === 'writer' || id.endsWith('Writer')
    const [reads, readSpread] = hasReads ? rateCells(at.map((x) => x.readsPerSecond)) : ['-', '']
    const [commits, commitSpread] = hasWriter ? rateCells(at.map((x) => x.commitsPerSecond)) : ['-', '']
    const p99 = hasReads ? ms(median(at.map((x) => x.readP99Ms))) : ''
    const max = hasReads ? ms(Math.max(...at.map((x) => x.readMaxMs))) : ''
    const sync = hasWriter ? ms(median(at.map((x) => x.syncMs))) : ''
    phaseLines.push(`| ${labels[id]} | ${reads} | ${readSpread} | ${commits} | ${commitSpread} | ${sync} | ${p99} | ${max} |`)
  }
  const ratio = (num: PhaseId, den: PhaseId, field: 'readsPerSecond' | 'commitsPerSecond'): string =>
    ratioText(readWrite.map((x) => x.phases[num][field] / x.phases[den][field]))
  print([
    ...phaseLines,
    '',
    `- point reads/s with the writer / without: ${ratio('pointWriter', 'point', 'readsPerSecond')}; ` +
      `range reads/s with / without: ${ratio('rangeWriter', 'range', 'readsPerSecond')}`,
    `- commits/s with ${r} point readers / writer alone: ${ratio('pointWriter', 'writer', 'commitsPerSecond')}; ` +
      `with ${r} range readers / alone: ${ratio('rangeWriter', 'writer', 'commitsPerSecond')}`,
    `- One process, one thread: readers and the writer share a core, and each reader returns to the event loop after every ` +
      `${settings.yieldEvery === 1 ? 'read' : `${settings.yieldEvery} reads`} (BENCH_TXN_YIELD_EVERY), as a server does between requests.`,
    '- Checked on every query: one row per point select and update, the range count, and the same sum for the same range inside a REPEATABLE READ transaction.',
    '',
  ])

  // 3. Nothing blocks.
  const probes = readWrite.map((x) => x.probes)
  print([
    '### Nothing blocks: readers never wait for writers, writers never wait for readers',
    '',
    '| probe | per run (median) | worst latency (median of runs) | worst latency (worst run) | checked |',
    '|---|---:|---:|---:|---|',
    `| ${r} autocommit readers read ${settings.lockedRows} rows that an open transaction has updated (row locks held) for ${settings.probeMs} ms | ` +
      `${Math.round(median(probes.map((p) => p.lockedReads)))} reads | ${ms(median(probes.map((p) => p.lockedReadMaxMs)))} | ` +
      `${ms(Math.max(...probes.map((p) => p.lockedReadMaxMs)))} | no lock wait; only committed sums seen; the lock holder commits after the readers finished |`,
    `| one writer updates, one autocommit transaction each, the ${settings.lockedRows} rows that ${r} open REPEATABLE READ transactions have read | ` +
      `${Math.round(median(probes.map((p) => p.snapshotCommits)))} commits | ${ms(median(probes.map((p) => p.snapshotCommitMaxMs)))} | ` +
      `${ms(Math.max(...probes.map((p) => p.snapshotCommitMaxMs)))} | no lock wait; the readers' snapshots unchanged; they commit after the writer finished |`,
    '',
    `- A row-lock wait fails the suite: probe sessions run with lock_timeout = ${settings.lockTimeoutMs} ms (55P03), plus a guard timer.`,
    `- 1-minute load average before..after: ${loadBefore.toFixed(1)}..${loadavg()[0].toFixed(1)}; the txn suite took ${((performance.now() - started) / 60_000).toFixed(1)} min.`,
    '',
  ])
  return out.join('\n')
}
