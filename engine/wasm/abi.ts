/**
 * The raw ABI of build/rustydb.wasm, as TypeScript sees it (private to engine/wasm).
 * Owns: the export signatures and the numeric constants shared with assembly/ (status codes, corruption
 * details, scan and bulk flags). Each constant mirrors the one named next to it in assembly/.
 * Invariants:
 *   (1) Results typed `number` that are unsigned in the core (pointers, capacities, page numbers, CRCs)
 *       are read with `>>> 0`.
 *   (2) u64 parameters cross as bigint.
 * Not here: the typed wrapper (wasm-core.ts).
 */

/** The exports of the core module (assembly/index.ts). */
export interface CoreExports {
  readonly memory: WebAssembly.Memory
  init(pageSize: number, frames: number): number
  in_ptr(): number
  in_cap(): number
  out_ptr(): number
  out_cap(): number
  ensure_input(n: number): number
  ensure_output(n: number): number
  last_error_page(): number
  last_error_detail(): number
  last_error_arg(): number
  needed_bytes(): number
  heap_top(): number
  pool_pinned(): number
  max_key(): number
  bt_counters(): number
  crc32c(ptr: number, len: number, seed: number): number
  db_format(): number
  db_open(): number
  db_header(): number
  db_set_last_commit_seq(seq: bigint): number
  bt_create(): number
  bt_drop(root: number): number
  bt_get(root: number, keyLength: number): number
  bt_get_batch(root: number, count: number): number
  bt_put_batch(root: number, count: number, returnOld: number): number
  bt_delete_batch(root: number, count: number, returnOld: number): number
  bt_scan(root: number, flags: number, lowerLength: number, upperLength: number, maxEntries: number): number
  bt_bulk(root: number, count: number, flags: number): number
  bt_check(root: number): number
  fl_pages(): number
  pool_prepare_commit(lsn: bigint): number
  pool_mark_clean(): void
  pool_discard_all(): void
  pool_stats(): void
}

/** Status codes (assembly/status.ts). */
export const Status = {
  IO: -1,
  CORRUPT: -2,
  OUTPUT: -3,
  KEY_TOO_LARGE: -4,
  ALL_PINNED: -5,
  BULK_NOT_EMPTY: -6,
  BULK_ORDER: -7,
  INVARIANT: -8,
  BAD_ARGUMENT: -9,
} as const

/** Corruption detail codes (assembly/status.ts D_*). */
export const Detail = {
  CHECKSUM: 1,
  PAGE_TYPE: 2,
  LAYOUT: 3,
  NOT_DATABASE: 4,
  VERSION: 5,
  PAGE_SIZE: 6,
  OVERFLOW_CHAIN: 7,
  FREELIST: 8,
  LEVEL: 9,
  PAGE_RANGE: 10,
} as const

/** bt_scan flag bits (assembly/btree-scan.ts). */
export const ScanFlag = {
  LOWER: 1,
  LOWER_INCLUSIVE: 2,
  UPPER: 4,
  UPPER_INCLUSIVE: 8,
  REVERSE: 16,
  VIEWS: 32,
} as const

/** Most entries one bt_scan call returns (assembly/btree-scan.ts MAX_SCAN_ENTRIES). */
export const MAX_SCAN_ENTRIES = 8192

/** bt_bulk flag bits (assembly/btree-bulk.ts). */
export const BulkFlag = { BEGIN: 1, END: 2 } as const

/** Largest value length (assembly/page-layout.ts MAX_VALUE_LENGTH, 1 GiB). */
export const MAX_VALUE_LENGTH = 0x4000_0000

/** The format version this build reads (assembly/page-layout.ts FORMAT_VERSION). */
export const FORMAT_VERSION = 1
