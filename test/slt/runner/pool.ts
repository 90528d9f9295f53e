/**
 * sqllogictest worker pool: runs script files in child processes, several at a time, with a per-file timeout.
 * Owns: spawning, feeding, timing out and replacing child processes (child.ts), and collecting results.
 * Invariants:
 *   (1) Every file given yields exactly one SltFileResult, in completion order through `onResult` and in input
 *       order in the returned array.
 *   (2) A file that exceeds `timeoutMs` or kills its child (crash, out of memory) becomes a file `error`; its
 *       child is killed and replaced, and the other files go on.
 *   (3) Children run `node --import tsx` from the repository root, so they load the engine's TypeScript as is.
 * We could use worker_threads (cheaper to start), but a child process also survives an out-of-memory crash
 * of one file and its memory is returned to the system after each kill.
 */
import { type ChildProcess, fork } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type SltFileResult, type SltRunOptions, fileError } from './runner.js'

/** What the pool sends a child: one file to run. */
export interface ChildRequest {
  readonly id: number
  /** Absolute path of the script. */
  readonly path: string
  /** Display name (e.g. relative to the corpus). */
  readonly name: string
  readonly options: Pick<SltRunOptions, 'maxFailures' | 'hashThreshold'>
  /** Module exporting `openEngine: SltEngineFactory`; default: RustyDB (engine.ts `openRustyDb`). */
  readonly engineModule?: string
}

/** What a child answers. */
export interface ChildResponse {
  readonly id: number
  readonly result: SltFileResult
}

/** A script to run: where it is and what to call it in reports. */
export interface SltFile {
  readonly path: string
  readonly name: string
}

export interface PoolOptions {
  /** Child processes running at once. Default: the number of CPUs. */
  readonly jobs?: number
  /** Per-file time limit in ms. Default 600,000 (10 minutes). */
  readonly timeoutMs?: number
  readonly maxFailures?: number
  readonly hashThreshold?: number
  /** Absolute path of a module exporting `openEngine: SltEngineFactory` (tests); default RustyDB. */
  readonly engineModule?: string
  /** Extra node flags for the children (e.g. --max-old-space-size=4096). */
  readonly nodeArgs?: readonly string[]
  /** Called as each file finishes. */
  readonly onResult?: (result: SltFileResult) => void
}

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../../..')
const CHILD = path.join(HERE, 'child.ts')
const STDERR_TAIL = 4000

interface Slot {
  child: ChildProcess
  stderr: string
  busy?: { file: SltFile; index: number; id: number; start: number; timer: NodeJS.Timeout }
}

/**
 * Runs `files` in child processes and resolves with one result per file, in input order.
 *
 * @example
 * const results = await runFilesInPool([{ path: '/x/select1.test', name: 'select1.test' }], { jobs: 2 })
 */
export function runFilesInPool(files: readonly SltFile[], options: PoolOptions = {}): Promise<SltFileResult[]> {
  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), files.length))
  const timeoutMs = options.timeoutMs ?? 600_000
  const results: SltFileResult[] = new Array(files.length)
  let next = 0
  let finished = 0
  let nextId = 1

  return new Promise((resolve) => {
    if (files.length === 0) {
      resolve([])
      return
    }
    const slots: Slot[] = []

    const finish = (slot: Slot, result: SltFileResult): void => {
      const busy = slot.busy
      if (busy === undefined) return
      clearTimeout(busy.timer)
      slot.busy = undefined
      results[busy.index] = result
      finished++
      options.onResult?.(result)
      if (finished === files.length) {
        for (const s of slots) s.child.kill('SIGKILL')
        resolve(results)
        return
      }
      feed(slot)
    }

    /** Gives a slot a fresh child; events of a replaced child are ignored. */
    const start = (slot: Slot): void => {
      const child = fork(CHILD, [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      })
      slot.child = child
      slot.stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        if (slot.child === child) slot.stderr = (slot.stderr + chunk.toString()).slice(-STDERR_TAIL)
      })
      child.on('message', (message: ChildResponse) => {
        if (slot.child === child && slot.busy !== undefined && message.id === slot.busy.id) finish(slot, message.result)
      })
      child.on('exit', (code, signal) => {
        const busy = slot.busy
        if (slot.child !== child || busy === undefined) return
        const stderr = slot.stderr.trim()
        const why = `worker exited (${signal ?? `code ${code}`}) while running it${stderr === '' ? '' : `:\n${stderr}`}`
        start(slot)
        finish(slot, fileError(busy.file.name, why, performance.now() - busy.start))
      })
    }

    /** Kills a slot's child and starts another (invariant 2). */
    const restart = (slot: Slot): void => {
      const old = slot.child
      start(slot)
      old.kill('SIGKILL')
    }

    const feed = (slot: Slot): void => {
      if (next >= files.length) return
      const index = next++
      const file = files[index]
      const id = nextId++
      const start = performance.now()
      const timer = setTimeout(() => {
        restart(slot)
        finish(slot, fileError(file.name, `timed out after ${timeoutMs / 1000} s`, performance.now() - start))
      }, timeoutMs)
      slot.busy = { file, index, id, start, timer }
      const request: ChildRequest = {
        id,
        path: file.path,
        name: file.name,
        options: { maxFailures: options.maxFailures, hashThreshold: options.hashThreshold },
        ...(options.engineModule !== undefined ? { engineModule: options.engineModule } : {}),
      }
      slot.child.send(request)
    }

    for (let i = 0; i < jobs; i++) {
      const slot = { stderr: '' } as Slot
      start(slot)
      slots.push(slot)
      feed(slot)
    }
  })
}
