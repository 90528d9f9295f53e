/**
 * Spill file: scratch storage for operators whose data outgrows their memory budget (the external sort).
 * Owns: SpillFile (one per database, next to it on the same adapter: `<name>.spill`), its runs (byte ranges
 * written once and read back any number of times) and reclaiming the space once no run is alive.
 * Invariants:
 *   (1) A run is written whole in one call, so its bytes are contiguous even while other statements spill too.
 *   (2) The file is opened (created, emptied) on first need, never at database open, and removed at close;
 *       its contents never matter after a crash (nothing refers to them), so it is never synced.
 *   (3) When the last live run is released the file is truncated to zero: a sort that finished gives its
 *       space back before the next one starts.
 * Not here: what the bytes mean (the operator that wrote them: exec/operators/sort.ts).
 */
import { internalError, wrongState } from '../common/index.js'
import type { StorageAdapter, StorageFile } from './storage-adapter.js'

/**
 * Thrown (not an error, like txn's LockWait) by an operator that needs to spill while the file is not open yet:
 * the session undoes the statement, awaits `ready` and runs it again (session.ts).
 */
export class SpillNotReady {
  constructor(readonly ready: Promise<void>) {}
}

/** A byte range of the spill file (SpillFile.write). */
export interface SpillRun {
  readonly offset: number
  readonly length: number
}

export interface SpillStats {
  /** Runs written since the database opened, and their bytes. */
  readonly runsWritten: number
  readonly bytesWritten: number
  /** Runs not yet released, and the file's current size. */
  readonly liveRuns: number
  readonly fileBytes: number
}

export class SpillFile {
  readonly name: string
  readonly #adapter: StorageAdapter
  #file: StorageFile | undefined
  #opening: Promise<void> | undefined
  #closed = false
  #end = 0
  #live = new Set<SpillRun>()
  #runsWritten = 0
  #bytesWritten = 0

  constructor(adapter: StorageAdapter, name: string) {
    this.#adapter = adapter
    this.name = name
  }

  /** True once open() finished: operators spill only then. */
  get isOpen(): boolean {
    return this.#file !== undefined
  }

  /** Opens (creating, emptying) the file; later calls share the pending open; a failed one is tried again next time. */
  open(): Promise<void> {
    if (this.#closed) return Promise.reject(wrongState(`spill file "${this.name}" is closed`))
    if (this.#opening === undefined) {
      const opening = (async () => {
        const file = await this.#adapter.open(this.name, { create: true })
        file.truncate(0)
        if (this.#closed) {
          await file.close()
          return
        }
        this.#file = file
      })()
      this.#opening = opening
      opening.catch(() => {
        if (this.#opening === opening) this.#opening = undefined
      })
    }
    return this.#opening
  }

  /** Throws SpillNotReady (opening the file) unless the file is open. */
  need(): void {
    if (this.#file === undefined) throw new SpillNotReady(this.open())
  }

  /** Appends one run made of `chunks` (invariant 1). */
  write(chunks: readonly Uint8Array[]): SpillRun {
    const file = this.#need()
    const offset = this.#end
    let at = offset
    for (const c of chunks) {
      file.write(at, c)
      at += c.length
    }
    this.#end = at
    const run = { offset, length: at - offset }
    this.#live.add(run)
    this.#runsWritten++
    this.#bytesWritten += run.length
    return run
  }

  /** Reads bytes of `run` from `position` (relative to the run) into `dst`; returns the count read. */
  read(run: SpillRun, position: number, dst: Uint8Array): number {
    const file = this.#need()
    if (!this.#live.has(run)) throw internalError('read of a released spill run')
    const want = Math.min(dst.length, run.length - position)
    if (want <= 0) return 0
    const got = file.read(run.offset + position, want === dst.length ? dst : dst.subarray(0, want))
    if (got !== want) throw internalError(`spill file "${this.name}" returned ${got} of ${want} bytes`)
    return got
  }

  /** Frees a run; the last one out empties the file (invariant 3). */
  release(run: SpillRun): void {
    if (!this.#live.delete(run) || this.#live.size > 0 || this.#file === undefined) return
    this.#end = 0
    this.#file.truncate(0)
  }

  stats(): SpillStats {
    return { runsWritten: this.#runsWritten, bytesWritten: this.#bytesWritten, liveRuns: this.#live.size, fileBytes: this.#end }
  }

  /** Closes and removes the file (invariant 2). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#opening?.catch(() => undefined)
    const file = this.#file
    this.#file = undefined
    this.#live.clear()
    if (file === undefined) return
    await file.close()
    await this.#adapter.remove(this.name)
  }

  #need(): StorageFile {
    if (this.#file === undefined) throw wrongState(`spill file "${this.name}" is not open`)
    return this.#file
  }
}
