/**
 * Benchmark measurement helpers.
 * Owns: repeated runs, medians, rates and the printed table.
 * Invariants:
 *   (1) Every figure is the median of its runs; the spread (min..max) is printed beside it.
 *   (2) Ratios compare figures measured in the same process, in the same run.
 * Not here: the workloads (bench/*.bench.ts).
 */

/** One measured figure: a rate in operations per second. */
export interface Figure {
  readonly group: string
  readonly name: string
  readonly unit: string
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: number
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Runs `body` `runs` times (after `setup` each time, untimed) and returns the median rate of
 * `operations` per second. `body` may return a promise.
 */
export async function measureRate<T>(options: {
  group: string
  name: string
  unit?: string
  runs: number
  operations: number
  setup: () => T | Promise<T>
  body: (state: T) => unknown
  teardown?: (state: T) => unknown
}): Promise<Figure> {
  const rates: number[] = []
  for (let run = 0; run < options.runs; run++) {
    const state = await options.setup()
    collectGarbage()
    const start = performance.now()
    await options.body(state)
    const seconds = (performance.now() - start) / 1000
    rates.push(options.operations / seconds)
    await options.teardown?.(state)
  }
  return {
    group: options.group,
    name: options.name,
    unit: options.unit ?? 'ops/s',
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    runs: rates.length,
  }
}

/** Asks V8 for a full collection when the process runs with --expose-gc, so one run's garbage does not bill the next. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
}

/** Human-readable rate: 1234567 -> "1.23 M". */
export function formatRate(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G`
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`
  return value.toFixed(1)
}

/** Prints figures as a Markdown table (pasted into the README as is). */
export function printTable(title: string, figures: readonly Figure[], notes: Readonly<Record<string, string>> = {}): string {
  const lines = [
    `### ${title}`,
    '',
    '| workload | median | unit | min..max | runs | note |',
    '|---|---:|---|---|---:|---|',
    ...figures.map(
      (f) =>
        `| ${f.name} | ${formatRate(f.median)} | ${f.unit} | ${formatRate(f.min)}..${formatRate(f.max)} | ${f.runs} | ${notes[f.name] ?? ''} |`,
    ),
    '',
  ]
  const text = lines.join('\n')
  console.log(text)
  return text
}
