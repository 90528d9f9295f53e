/**
 * Our own sqllogictest files (test/slt/<topic>/<behaviour>.test) on RustyDB, in process: every record passes.
 * Each file starts with a `# description:` line saying the behaviour it pins down (STYLE.md "Tests").
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openRustyDb } from './runner/engine.js'
import { describeFailures } from './runner/report.js'
import { runSlt } from './runner/runner.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))

function ownFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'runner') out.push(...ownFiles(full))
    else if (entry.isFile() && entry.name.endsWith('.test')) out.push(full)
  }
  return out
}

describe('our sqllogictest files', () => {
  for (const file of ownFiles(HERE)) {
    const name = path.relative(HERE, file).split(path.sep).join('/')
    const text = fs.readFileSync(file, 'utf8')

    it(`${name} starts with a # description line`, () => {
      expect(text.split('\n')[0]).toMatch(/^# description: \S/)
    })

    it(`${name} passes on RustyDB`, async () => {
      const r = await runSlt(name, text, openRustyDb, { maxFailures: 20 })
      expect(r.failed === 0 && r.error === undefined, describeFailures(r)).toBe(true)
      expect(r.passed).toBeGreaterThan(0)
    })
  }
})
