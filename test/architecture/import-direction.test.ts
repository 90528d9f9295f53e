/**
 * Import direction: a lower layer never imports a higher one (STYLE.md "Layout").
 * Reads every TypeScript file under engine/, web/, edge/ and demo/, resolves its relative imports and checks
 * them against the table of allowed imports. Also checks that AssemblyScript sources import only assembly/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Layer of a repository-relative path, or undefined for paths outside the layered code. */
function layerOf(path: string): string | undefined {
  const parts = path.split(sep)
  if (parts[0] === 'engine') {
    if (parts.length === 2) return 'engine/index'
    if (parts[1] === 'enterprise') return `engine/enterprise/${parts[2]}`
    return `engine/${parts[1]}`
  }
  if (['assembly', 'web', 'edge', 'demo'].includes(parts[0])) return parts[0]
  return undefined
}

/** Which layers each layer may import (itself always allowed). From STYLE.md's layout table. */
const ALLOWED: Record<string, readonly string[]> = {
  'engine/common': [],
  'engine/wasm': ['engine/common'],
  'engine/storage': ['engine/common', 'engine/wasm'],
  'engine/catalog': ['engine/common', 'engine/wasm', 'engine/storage'],
  'engine/txn': ['engine/common', 'engine/wasm', 'engine/storage', 'engine/catalog'],
  'engine/sql': ['engine/common'],
  'engine/plan': ['engine/common', 'engine/wasm', 'engine/storage', 'engine/catalog', 'engine/txn', 'engine/sql'],
  'engine/exec': ['engine/common', 'engine/wasm', 'engine/storage', 'engine/catalog', 'engine/txn', 'engine/sql', 'engine/plan'],
  'engine/index': ['*engine'],
  web: ['engine/index', 'engine/common'],
  edge: ['engine/index', 'engine/common'],
  // Until the dashboard exists, demo/ is the storage smoke page and talks to the engine's public API directly.
  demo: ['web', 'engine/index', 'engine/common'],
  assembly: [],
}

function allowed(from: string, to: string): boolean {
  if (from === to) return true
  if (from.startsWith('engine/enterprise/')) {
    return !to.startsWith('engine/enterprise/') && to.startsWith('engine/') && to !== 'engine/index'
  }
  const rule = ALLOWED[from]
  if (rule === undefined) return false
  if (rule.includes('*engine')) return to.startsWith('engine/')
  return rule.includes(to)
}

function* sourceFiles(dir: string): Generator<string> {
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const name of entries) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sourceFiles(path)
    else if (name.endsWith('.ts')) yield path
  }
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

describe('import direction', () => {
  it('every relative import goes from a layer to one it may import', () => {
    const violations: string[] = []
    let checked = 0
    for (const top of ['engine', 'web', 'edge', 'demo', 'assembly']) {
      for (const file of sourceFiles(join(ROOT, top))) {
        const from = layerOf(relative(ROOT, file))
        if (from === undefined) continue
        const text = readFileSync(file, 'utf8')
        for (const match of text.matchAll(IMPORT)) {
          const spec = match[1] ?? match[2]
          if (!spec.startsWith('.')) continue
          const to = layerOf(relative(ROOT, resolve(dirname(file), spec)))
          checked++
          if (to === undefined || !allowed(from, to)) violations.push(`${relative(ROOT, file)} imports ${spec} (${from} -> ${to})`)
        }
      }
    }
    expect(violations).toEqual([])
    expect(checked).toBeGreaterThan(0)
  })

  it('classifies layers as the style guide lays them out', () => {
    expect(allowed('engine/storage', 'engine/wasm')).toBe(true)
    expect(allowed('engine/wasm', 'engine/storage')).toBe(false)
    expect(allowed('engine/sql', 'engine/storage')).toBe(false)
    expect(allowed('engine/enterprise/audit', 'engine/enterprise/lineage')).toBe(false)
    expect(allowed('web', 'engine/storage')).toBe(false)
  })
})
