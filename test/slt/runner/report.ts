/**
 * Text of a file's failures for test assertion messages: each failing record with its SQL, expected and actual.
 * Owns: nothing else; scripts/slt.ts has its own, longer report.
 */
import type { SltFileResult } from './runner.js'

/** A failing file's report for an assertion message. */
export function describeFailures(r: SltFileResult): string {
  const parts = r.error !== undefined ? [`file error: ${r.error}`] : []
  for (const f of r.failures) {
    parts.push(
      [`${r.file}:${f.line}: ${f.message}`, f.sql, `expected: ${JSON.stringify(f.expected ?? [])}`, `actual: ${JSON.stringify(f.actual ?? [])}`].join('\n'),
    )
  }
  return parts.join('\n\n')
}
