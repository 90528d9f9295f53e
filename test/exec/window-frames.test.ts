/**
 * Window frames against a naive reference: random data, every frame mode, bound kind, exclusion and sort
 * direction; sums through an aggregate with an inverse (sliding path) and one without (recompute path).
 */
import { describe, expect, it } from 'vitest'
import type { FrameBound, PlanNode, WindowCall, WindowFrame } from '../../engine/plan/plan-node.js'
import { colRef, INT, lit, movingSum, pc, plainSum, runRows, valuesNode } from './support/plan-kit.js'

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

type Row = [number, number | null, number | null, number] // p, o, v, id

function reference(rows: Row[], frame: WindowFrame, descending: boolean, nullsFirst: boolean): Map<number, number | null> {
  const result = new Map<number, number | null>()
  const parts = new Map<number, Row[]>()
  for (const r of rows) parts.set(r[0], [...(parts.get(r[0]) ?? []), r])
  const so = frame.start.offset === null ? 0 : ((frame.start.offset as { value: number }).value)
  const eo = frame.end.offset === null ? 0 : ((frame.end.offset as { value: number }).value)
  for (const part of parts.values()) {
    part.sort((a, b) => {
      if (a[1] === b[1]) return a[3] - b[3]
      if (a[1] === null) return nullsFirst ? -1 : 1
      if (b[1] === null) return nullsFirst ? 1 : -1
      return (descending ? b[1] - a[1] : a[1] - b[1]) || a[3] - b[3]
    })
    const m = part.length
    const groupOf = (i: number) => {
      let g = 0
      for (let j = 1; j <= i; j++) if (part[j][1] !== part[j - 1][1]) g++
      return g
    }
    const peers = (i: number, p: number) => part[i][1] === part[p][1]
    const dir = descending ? -1 : 1
    const inBound = (i: number, p: number, b: FrameBound, off: number, isStart: boolean): boolean => {
      if (b.type === 'UNBOUNDED PRECEDING') return isStart ? true : false
      if (b.type === 'UNBOUNDED FOLLOWING') return isStart ? false : true
      if (frame.mode === 'ROWS') {
        const t = b.type === 'CURRENT ROW' ? i : b.type === 'PRECEDING' ? i - off : i + off
        return isStart ? p >= t : p <= t
      }
      if (frame.mode === 'GROUPS') {
        const gi = groupOf(i)
        const t = b.type === 'CURRENT ROW' ? gi : b.type === 'PRECEDING' ? gi - off : gi + off
        return isStart ? groupOf(p) >= t : groupOf(p) <= t
      }
      // RANGE
      if (b.type === 'CURRENT ROW' || part[i][1] === null) {
        if (part[i][1] === null || part[p][1] === null) {
          if (peers(i, p)) return true
          // before or after the current row's peer group
          return isStart ? p > i : p < i
        }
        return isStart ? dir * (part[p][1]! - part[i][1]!) >= 0 : dir * (part[p][1]! - part[i][1]!) <= 0
      }
      // A NULL frame row sits before (NULLS FIRST) or after every value, as PostgreSQL's frame head/tail walk.
      if (part[p][1] === null) return isStart ? !nullsFirst : nullsFirst
      const target = part[i][1]! + dir * (b.type === 'PRECEDING' ? -off : off)
      return isStart ? dir * (part[p][1]! - target) >= 0 : dir * (part[p][1]! - target) <= 0
    }
    for (let i = 0; i < m; i++) {
      let sum: number | null = null
      for (let p = 0; p < m; p++) {
        if (!inBound(i, p, frame.start, so, true) || !inBound(i, p, frame.end, eo, false)) continue
        const ex = frame.exclusion
        if (ex === 'CURRENT ROW' && p === i) continue
        if (ex === 'GROUP' && peers(i, p)) continue
        if (ex === 'TIES' && p !== i && peers(i, p)) continue
        const v = part[p][2]
        if (v !== null) sum = (sum ?? 0) + v
      }
      result.set(part[i][3], sum)
    }
  }
  return result
}

const BOUND_TYPES = ['UNBOUNDED PRECEDING', 'PRECEDING', 'CURRENT ROW', 'FOLLOWING', 'UNBOUNDED FOLLOWING'] as const

describe('window frames against a reference', () => {
  it('random frames give the reference sums on both aggregate paths', () => {
    const rand = rng(20261123)
    let checked = 0
    for (let round = 0; round < 400; round++) {
      const n = 1 + Math.floor(rand() * 30)
      const rows: Row[] = Array.from({ length: n }, (_, id) => [
        Math.floor(rand() * 3),
        rand() < 0.15 ? null : Math.floor(rand() * 8),
        rand() < 0.1 ? null : Math.floor(rand() * 100),
        id,
      ])
      const mode = (['ROWS', 'RANGE', 'GROUPS'] as const)[Math.floor(rand() * 3)]
      const si = Math.floor(rand() * 4)
      const ei = si + Math.floor(rand() * (5 - si))
      if (BOUND_TYPES[ei] === 'UNBOUNDED PRECEDING' || BOUND_TYPES[si] === 'UNBOUNDED FOLLOWING') continue
      const bound = (t: (typeof BOUND_TYPES)[number]): FrameBound => ({ type: t, offset: t === 'PRECEDING' || t === 'FOLLOWING' ? lit(Math.floor(rand() * 4)) : null })
      const frame: WindowFrame = {
        mode,
        start: bound(BOUND_TYPES[si]),
        end: bound(BOUND_TYPES[ei]),
        exclusion: (['NO OTHERS', 'CURRENT ROW', 'GROUP', 'TIES'] as const)[Math.floor(rand() * 4)],
      }
      const descending = rand() < 0.5
      const nullsFirst = rand() < 0.5
      const expected = reference(rows, frame, descending, nullsFirst)
      for (const fn of [movingSum, plainSum]) {
        const inp = valuesNode(['p', 'o', 'v', 'id'], rows)
        const [p, o, v] = inp.output.map(colRef)
        const call: WindowCall = { fn, args: [v], filter: null, partitionBy: [p], orderBy: [{ expr: o, descending, nullsFirst }], frame, type: INT }
        const plan: PlanNode = { kind: 'Window', input: inp, functions: [call], output: [...inp.output, pc('w')] }
        const got = new Map(runRows(plan).map((r) => [r[3] as number, r[4] as number | null]))
        expect({ round, frame: JSON.stringify(frame), descending, nullsFirst, got: [...got].sort((a, b) => a[0] - b[0]) }).toEqual({
          round, frame: JSON.stringify(frame), descending, nullsFirst, got: [...expected].sort((a, b) => a[0] - b[0]),
        })
        checked++
      }
    }
    expect(checked).toBeGreaterThan(400)
  })
})
