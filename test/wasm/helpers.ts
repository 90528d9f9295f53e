/**
 * Test helpers for the WASM core: an in-memory PageHost, close/reopen, seeded randomness, byte helpers.
 * Owns: nothing in the engine; test support only.
 * Invariants:
 *   (1) MapHost keeps page images in a Map<number, Uint8Array>; spilled pages land in the same map (the tests
 *       have no WAL: "storage" is the map).
 *   (2) closeCore = prepareCommit + copy every dirty frame into the map + markClean, like a commit would.
 */
import { WasmCore, type PageHost } from '../../engine/wasm/index.js'

/** A PageHost over a Map (invariant 1), counting reads and spills, with optional fault injection. */
export class MapHost implements PageHost {
  readonly pages: Map<number, Uint8Array>
  reads = 0
  spills = 0
  failRead: ((pageNo: number) => unknown) | undefined
  failSpill: ((pageNo: number) => unknown) | undefined

  constructor(pages: Map<number, Uint8Array> = new Map()) {
    this.pages = pages
  }

  readPage(pageNo: number, dst: Uint8Array): void {
    const failure = this.failRead?.(pageNo)
    if (failure !== undefined) throw failure
    const image = this.pages.get(pageNo)
    if (image === undefined) throw new Error(`page ${pageNo} does not exist`)
    dst.set(image)
    this.reads++
  }

  spillPage(pageNo: number, src: Uint8Array): void {
    const failure = this.failSpill?.(pageNo)
    if (failure !== undefined) throw failure
    this.pages.set(pageNo, src.slice())
    this.spills++
  }
}

/** Creates a core over `host`. */
export function openCore(host: PageHost, pageSize = 4096, cachePages = 64): Promise<WasmCore> {
  return WasmCore.create({ host, pageSize, cachePages, fileName: 'test.rdb' })
}

/** A formatted database in a fresh map. */
export async function freshCore(pageSize = 4096, cachePages = 64): Promise<{ core: WasmCore; host: MapHost }> {
  const host = new MapHost()
  const core = await openCore(host, pageSize, cachePages)
  core.formatDatabase()
  return { core, host }
}

/** Writes every dirty page to the host's map and marks the pool clean (invariant 2). */
export function flush(core: WasmCore, host: MapHost, lsn = 1n): number {
  const { pages, offsets } = core.prepareCommit(lsn)
  const bytes = new Uint8Array(core.memory.buffer)
  for (let i = 0; i < pages.length; i++) {
    host.pages.set(pages[i], bytes.slice(offsets[i], offsets[i] + core.pageSize))
  }
  core.markClean()
  return pages.length
}

export { rng } from '../support/rng.js'

/** Bytes of an ASCII string. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** A big-endian 4-byte key for i (so numeric order = byte order). */
export function u32Key(i: number, width = 4): Uint8Array {
  const k = new Uint8Array(width)
  new DataView(k.buffer).setUint32(width - 4, i)
  return k
}

/** A deterministic value of `length` bytes derived from `seed`. */
export function valueOf(seed: number, length: number): Uint8Array {
  const v = new Uint8Array(length)
  let x = (seed * 2654435761) >>> 0
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    v[i] = x >>> 24
  }
  return v
}

/** True when both arrays hold the same bytes (fast, for multi-megabyte values; vitest's toEqual is slow there). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.length === b.length && Buffer.compare(a, b) === 0
}

/** memcmp order of two byte strings (shorter prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/** Every entry of a range, by scanning in batches of `batch` with the documented continuation. */
export function scanAll(
  core: WasmCore,
  root: number,
  range: { lower?: Uint8Array; lowerInclusive?: boolean; upper?: Uint8Array; upperInclusive?: boolean; reverse?: boolean },
  batch = 4096,
): [Uint8Array, Uint8Array][] {
  const out: [Uint8Array, Uint8Array][] = []
  let current = { ...range }
  for (;;) {
    const b = core.scanBatch(root, current, batch)
    for (let i = 0; i < b.count; i++) out.push([b.key(i).slice(), b.value(i).slice()])
    if (b.done) return out
    if (b.count === 0) throw new Error('scan batch returned nothing but is not done')
    const last = out[out.length - 1][0]
    current = range.reverse === true ? { ...current, upper: last, upperInclusive: false } : { ...current, lower: last, lowerInclusive: false }
  }
}

/** Recomputes the CRC trailer of a page image in the host map after a test edited it (crc32c.ts (2)). */
export function reseal(core: WasmCore, host: MapHost, pageNo: number): void {
  const image = host.pages.get(pageNo)
  if (image === undefined) throw new Error(`page ${pageNo} is not in the host map`)
  const number = new Uint8Array(4)
  new DataView(number.buffer).setUint32(0, pageNo, true)
  const crc = core.crc32c(image.subarray(0, image.length - 4), core.crc32c(number))
  new DataView(image.buffer, image.byteOffset).setUint32(image.length - 4, crc, true)
}

/** A fresh core over the same host, with page 0 read and validated. */
export async function reopen(host: PageHost, pageSize = 4096, cachePages = 64): Promise<WasmCore> {
  const core = await openCore(host, pageSize, cachePages)
  core.openDatabase()
  return core
}
