/**
 * Public types of engine/wasm (the contract in the storage spec).
 * Owns: the shapes engine/storage codes against.
 * Not here: behaviour (wasm-core.ts).
 */

/** Where pages come from and where spilled pages go; implemented by the pager. */
export interface PageHost {
  /** Fill `dst` (exactly pageSize bytes, a view into WASM memory) with the current image of page `pageNo`. Throw on failure. */
  readPage(pageNo: number, dst: Uint8Array): void
  /** Keep `src` (a dirty page image, LSN and CRC already set) where readPage will find it, so its frame can be reused. Throw on failure. */
  spillPage(pageNo: number, src: Uint8Array): void
}

/** Options of `WasmCore.create`. */
export interface CoreOptions {
  host: PageHost
  /** Power of two 1024..65536. */
  pageSize: number
  /** Number of frames, >= 64. */
  cachePages: number
  /** Named in corruption and I/O messages. */
  fileName: string
  /** Default: compiled once from build/rustydb.wasm and cached (compileCore()). */
  module?: WebAssembly.Module
}

/** A key range; bounds compare as raw bytes. */
export interface ScanRange {
  lower?: Uint8Array
  /** Default true. */
  lowerInclusive?: boolean
  upper?: Uint8Array
  /** Default false. */
  upperInclusive?: boolean
  /** Descending order (start at the upper end). */
  reverse?: boolean
}

/** One batch of entries, views into WASM memory valid until the next call on the core. */
export interface EntryBatch {
  readonly count: number
  /** Key i (a view). */
  key(i: number): Uint8Array
  /** Value i (a view). */
  value(i: number): Uint8Array
  /** true when the range is exhausted (no more batches). */
  readonly done: boolean
  /** The raw packed buffer and per-entry offsets/lengths, for zero-copy decoding by the SQL layer. */
  readonly data: Uint8Array
  readonly keyOffsets: Uint32Array
  readonly keyLengths: Uint32Array
  readonly valueOffsets: Uint32Array
  readonly valueLengths: Uint32Array
}

/** Result of `checkTree`. */
export interface TreeCheck {
  /** Every page the tree uses (interior, leaf, overflow), ascending. */
  pages: Uint32Array
  /** Number of entries. */
  entries: number
  /** Number of levels (1 for a tree that is a single leaf). */
  depth: number
}

/** Buffer pool counters. */
export interface PoolStats {
  frames: number
  dirty: number
  hits: number
  misses: number
  evictions: number
  spills: number
}

/** Fields of the database header (page 0). */
export interface HeaderFields {
  pageSize: number
  formatVersion: number
  pageCount: number
  freelistHead: number
  freeCount: number
  directoryRoot: number
  lastCommitSeq: bigint
}

/** Memory figures for leak tests (not in the storage spec; diagnostics only). */
export interface CoreDiagnostics {
  /** End of the last region the core carved (grows only when a buffer grows). */
  heapTop: number
  /** Size of WASM memory. */
  memoryBytes: number
  /** Frames pinned right now (0 between calls). */
  pinnedFrames: number
  /** Structural events since the core was created (tests check that every path ran). */
  events: TreeEvents
}

/** Counts of B+tree events (diagnostics: tests check that every path ran). */
export interface TreeEvents {
  leafSplits: number
  interiorSplits: number
  /** Splits that moved only the new entry (append fast path), leaf or interior. */
  appendSplits: number
  merges: number
  redistributions: number
  /** Parent splits caused by a redistribution whose new separator did not fit. */
  separatorSplits: number
  rootSplits: number
  rootCollapses: number
  /** Read-only descents (gets, scans) that went from an interior node to a child through the child-frame cache. */
  childCacheHits: number
}
