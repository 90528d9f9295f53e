/**
 * LiveQuery (web/live-query.ts): when a live query runs again. Invariants (1) table matching, (2) one run in
 * flight and one more after a burst, (3) nothing after stop(), (4) errors reported, the query keeps listening.
 */
import { describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { LiveQuery, type LiveHost } from '../../web/live-query.js'
import type { QueryResultData, TablesRead } from '../../web/protocol.js'

/** A host whose runs finish when the test says so. */
function controlledHost(tables: TablesRead): { host: LiveHost; runs: number; finish: (failure?: RustyError) => void; pending: () => number } {
  let runs = 0
  const waiting: { resolve: (r: QueryResultData) => void; reject: (e: unknown) => void }[] = []
  return {
    host: {
      tables: async () => tables,
      run: () => {
        runs++
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
      },
    },
    get runs() {
      return runs
    },
    finish(failure) {
      const next = waiting.shift()
      if (next === undefined) throw new Error('no run in flight')
      if (failure === undefined) next.resolve({ columns: [], rows: [runs], rowCount: 1, command: 'SELECT' })
      else next.reject(failure)
    },
    pending: () => waiting.length,
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('LiveQuery', () => {
  it('runs again after a commit to a table it reads, or a commit of unknown tables, and not after others', async () => {
    const control = controlledHost(['public.todos'])
    const results: unknown[] = []
    const live = new LiveQuery(control.host, 'SELECT * FROM todos', [], (r) => results.push(r.rows[0]), {})
    const started = live.start()
    await tick()
    control.finish()
    await started
    live.onCommit(['public.users'])
    expect(control.runs).toBe(1)
    live.onCommit(['public.users', 'public.todos'])
    await tick()
    control.finish()
    await tick()
    live.onCommit('*')
    await tick()
    control.finish()
    await tick()
    expect(control.runs).toBe(3)
    expect(results).toEqual([1, 2, 3])
  })

  it('coalesces a burst of commits during a run into one more run (invariant 2)', async () => {
    const control = controlledHost('*')
    const live = new LiveQuery(control.host, 'SELECT 1', [], () => undefined, {})
    void live.start()
    await tick()
    for (let i = 0; i < 50; i++) live.onCommit(['public.t'])
    expect(control.pending()).toBe(1)
    control.finish()
    await tick()
    expect(control.runs).toBe(2)
    control.finish()
    await tick()
    expect(control.runs).toBe(2)
  })

  it('never calls back after stop(), even for a run already in flight (invariant 3)', async () => {
    const control = controlledHost('*')
    const results: unknown[] = []
    const live = new LiveQuery(control.host, 'SELECT 1', [], (r) => results.push(r), {})
    void live.start()
    await tick()
    live.stop()
    control.finish()
    await tick()
    live.onCommit('*')
    await tick()
    expect(results).toEqual([])
    expect(control.runs).toBe(1)
  })

  it('reports a failed run and keeps listening (invariant 4)', async () => {
    const control = controlledHost('*')
    const errors: string[] = []
    const results: unknown[] = []
    const live = new LiveQuery(control.host, 'SELECT 1', [], (r) => results.push(r.rows[0]), { onError: (e) => errors.push(e.code) })
    void live.start()
    await tick()
    control.finish(new RustyError('57014', 'canceling statement due to statement timeout'))
    await tick()
    live.onCommit('*')
    await tick()
    control.finish()
    await tick()
    expect(errors).toEqual(['57014'])
    expect(results).toEqual([2])
  })
})
