/**
 * The sqllogictest worker pool (runner/pool.ts): files run in child processes; a file that hangs is killed at its
 * time limit and one that crashes its process becomes a file error, while the other files still run. The
 * engine is the TEST-ONLY fixtures/fake-engine.ts.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runFilesInPool } from './runner/pool.js'

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/fake-engine.ts')
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'slt-pool-'))

afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }))

function script(name: string, text: string): { path: string; name: string } {
  const file = path.join(TMP, name)
  fs.writeFileSync(file, text.replace(/\n/g, '\r\n'))
  return { path: file, name }
}

describe('sqllogictest worker pool', () => {
  it('runs files in children and survives a hanging and a crashing file', { timeout: 60_000 }, async () => {
    const files = [
      script('good.test', 'query I nosort\nSELECT 7\n----\n7\n\nquery I nosort\nSELECT 8\n----\n9\n'),
      script('hang.test', 'statement ok\nHANG\n'),
      script('crash.test', 'statement ok\nCRASH\n'),
      script('after.test', 'statement error 53200\nMEMORY\n'),
    ]
    const seen: string[] = []
    const results = await runFilesInPool(files, { jobs: 2, timeoutMs: 8_000, engineModule: FAKE, onResult: (r) => seen.push(r.file) })
    expect(results.map((r) => r.file)).toEqual(['good.test', 'hang.test', 'crash.test', 'after.test'])
    expect(seen.sort()).toEqual(['after.test', 'crash.test', 'good.test', 'hang.test'])
    expect(results[0]).toMatchObject({ passed: 1, failed: 1, failedLines: [6] })
    expect(results[1].error).toMatch(/timed out after 8 s/)
    expect(results[2].error).toMatch(/worker exited \(code 3\)/)
    expect(results[3]).toMatchObject({ passed: 1, failed: 0 })
  })
})
