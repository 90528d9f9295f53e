/**
 * WriteSet against a model: a sorted map of key -> value | tombstone. Random sequences of puts, deletes,
 * savepoints and rollbacks must leave sorted() equal to the model, and range bounds must select exactly the
 * model's keys in range (write-set.ts invariants 1-3).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareKeys } from '../../engine/storage/index.js'
import { WriteSet, lowerIndex, upperIndex } from '../../engine/txn/write-set.js'

type Op =
  | { kind: 'put'; key: number[]; value: number }
  | { kind: 'del'; key: number[] }
  | { kind: 'savepoint' }
  | { kind: 'rollback' }
  | { kind: 'release' }
  | { kind: 'read' }

const key = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 })
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('del' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'savepoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'release' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'read' as const }) },
)

function str(k: Uint8Array | number[]): string {
  return Array.from(k).join(',')
}

function modelSorted(model: Map<string, { key: Uint8Array; value: number | null }>): [string, number | null][] {
  return [...model.values()].sort((a, b) => compareKeys(a.key, b.key)).map((e) => [str(e.key), e.value])
}

describe('WriteSet model', () => {
  it('matches a sorted map under random puts, deletes and savepoint rollbacks', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80, size: 'max' }), (ops) => {
        const ws = new WriteSet()
        const tree = ws.touch('t', true)
        let model = new Map<string, { key: Uint8Array; value: number | null }>()
        const saves: { undo: number; model: Map<string, { key: Uint8Array; value: number | null }> }[] = []
        for (const o of ops) {
          if (o.kind === 'put' || o.kind === 'del') {
            const k = Uint8Array.from(o.key)
            const value = o.kind === 'put' ? o.value : null
            ws.set(tree, k, value === null ? null : Uint8Array.of(value))
            model.set(str(k), { key: k, value })
          } else if (o.kind === 'savepoint') {
            saves.push({ undo: ws.undoLength, model: new Map([...model].map(([k, v]) => [k, { ...v }])) })
            ws.logging++
          } else if (o.kind === 'rollback') {
            const s = saves.at(-1)
            if (s === undefined) continue
            ws.undoTo(s.undo)
            model = new Map([...s.model].map(([k, v]) => [k, { ...v }]))
          } else if (o.kind === 'release') {
            if (saves.pop() === undefined) continue
            ws.logging--
            ws.trimUndo()
          } else {
            const got = tree.sorted().map((e) => [str(e.key), e.value === null ? null : e.value[0]])
            expect(got).toEqual(modelSorted(model))
          }
        }
        const got = tree.sorted().map((e) => [str(e.key), e.value === null ? null : e.value[0]] as [string, number | null])
        expect(got).toEqual(modelSorted(model))
        expect(tree.size).toBe(model.size)
        for (const [k, v] of model) expect(tree.get(Uint8Array.from(k === '' ? [] : k.split(',').map(Number)))?.value?.[0] ?? null).toBe(v.value)
      }),
      { numRuns: 300 },
    )
  })

  it('selects exactly the entries inside a range with lowerIndex/upperIndex', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { selector: str, maxLength: 30 }), key, key, fc.boolean(), fc.boolean(), (ks, lo, hi, li, hiInc) => {
        const ws = new WriteSet()
        const tree = ws.touch('t', false)
        for (const k of ks) ws.set(tree, Uint8Array.from(k), Uint8Array.of(1))
        const all = tree.sorted()
        const l = Uint8Array.from(lo)
        const h = Uint8Array.from(hi)
        const got = all.slice(lowerIndex(all, l, li), Math.max(lowerIndex(all, l, li), upperIndex(all, h, hiInc))).map((e) => str(e.key))
        const want = all
          .filter((e) => {
            const a = compareKeys(e.key, l)
            const b = compareKeys(e.key, h)
            return (li ? a >= 0 : a > 0) && (hiInc ? b <= 0 : b < 0)
          })
          .map((e) => str(e.key))
        expect(got).toEqual(want)
      }),
      { numRuns: 300 },
    )
  })
})
