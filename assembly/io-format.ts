/**
 * Batch I/O formats: the records exchanged through the input and output buffers (engine/wasm reads and
 * writes the same layouts). All integers are u32 little-endian unless noted; records are packed back to back.
 * Owns: every offset into the I/O buffers, as small @inline accessors.
 * Invariants:
 *   (1) Result records are padded to a multiple of 4 bytes, so the next record's u32 fields are aligned.
 *   (2) Nothing here checks capacity: callers check before they write (index.ts (4)).
 *
 * Input entry (bt_put_batch, bt_bulk): [keyLength][valueLength][key][value].
 * Input key (bt_get_batch, bt_delete_batch): [keyLength][key].
 *
 * Result record (bt_get_batch, old values of bt_put_batch / bt_delete_batch):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | found (1) or absent (0) |
 * | 4 | 4 | value length v (0 when absent) |
 * | 8 | v | value bytes, then zero to three padding bytes |
 *
 * Value reference (bt_get): the value stays where it is; engine/wasm copies it out before its next call.
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | found (1) or absent (0) |
 * | 4 | 4 | value length v (0 when absent) |
 * | 8 | 4 | address of the value bytes: in the leaf's frame (valid until the next call), or 12 for a value read
 * |   |   | from an overflow chain into this buffer; any alignment |
 * | 12 | v | (overflow values only) the value bytes |
 *
 * Found flags (bt_delete_batch without old values): one u32 per key, 1 = existed.
 *
 * Header (db_header): [pageSize][version][pageCount][freelistHead][freeCount][directoryRoot]
 * [lastCommitSeq u64 at offset 24].
 *
 * Page list (fl_pages): [count][pageNo x count]. Commit list (pool_prepare_commit):
 * [count][0][pageNo x count][frame offset x count]. Stats (pool_stats): f64 x 6 = frames, dirty, hits,
 * misses, evictions, spills. Created root (bt_create): [root].
 * Scan output: see btree-scan.ts. Check output: see btree-check.ts. Messages: see messages.ts.
 * Not here: what the exports do with them (index.ts).
 */

/** Key length of an input record at p. */
@inline export function inputKeyLength(p: usize): u32 {
  return load<u32>(p)
}

/** Value length of an input entry at p. */
@inline export function inputValueLength(p: usize): u32 {
  return load<u32>(p, 4)
}

/** Bytes of a result record with a value of `length` bytes (invariant 1). */
@inline export function resultSize(length: u32): usize {
  return ((<usize>length + 3) & ~(<usize>3)) + 8
}

/** Writes the header of a result record. */
@inline export function setResult(p: usize, found: bool, length: u32): void {
  store<u32>(p, found ? 1 : 0)
  store<u32>(p, length, 4)
}

/** Writes a value reference at p (absent: found 0, length 0, address 0). */
@inline export function setValueRef(p: usize, found: bool, length: u32, address: usize): void {
  store<u32>(p, found ? 1 : 0)
  store<u32>(p, length, 4)
  store<u32>(p, <u32>address, 8)
}

/** Where a value reference's value bytes go when they are copied into the buffer (overflow values). */
@inline export function valueRefData(p: usize): usize {
  return p + 12
}

/** Found flag of a result record. */
@inline export function resultFound(p: usize): u32 {
  return load<u32>(p)
}

/** Where a result record's value bytes start. */
@inline export function resultValue(p: usize): usize {
  return p + 8
}

/** Writes found flag i of a bt_delete_batch output. */
@inline export function setFoundFlag(out: usize, i: usize, found: u32): void {
  store<u32>(out + (i << 2), found)
}

/** Writes u32 field i of a fixed-layout output (db_header, bt_create, list counts). */
@inline export function setOutputWord(out: usize, i: usize, value: u32): void {
  store<u32>(out + (i << 2), value)
}

/** Writes the u64 last commit sequence of the db_header output. */
@inline export function setOutputSeq(out: usize, seq: u64): void {
  store<u64>(out, seq, 24)
}

/** Writes entry i of a page list ([count][pageNo...]). */
@inline export function setListedPage(out: usize, i: usize, pageNo: u32): void {
  store<u32>(out + 4 + (i << 2), pageNo)
}

/** Entry i of a page list. */
@inline export function listedPage(out: usize, i: usize): u32 {
  return load<u32>(out + 4 + (i << 2))
}

/** Writes entry i of a commit list holding n pages. */
@inline export function setCommitEntry(out: usize, n: usize, i: usize, pageNo: u32, frameOffset: u32): void {
  store<u32>(out + 8 + (i << 2), pageNo)
  store<u32>(out + 8 + ((n + i) << 2), frameOffset)
}

/** Writes the count word of a commit list. */
@inline export function setCommitCount(out: usize, count: u32): void {
  store<u32>(out, count)
  store<u32>(out, 0, 4)
}

/** Writes statistic i (f64) of the pool_stats output. */
@inline export function setStat(out: usize, i: usize, value: f64): void {
  store<f64>(out + (i << 3), value)
}

/** Writes u32 element i of an array at `base` (scan offset/length arrays, check page list). */
@inline export function setArrayWord(base: usize, i: usize, value: u32): void {
  store<u32>(base + (i << 2), value)
}

/** u32 element i of an array at `base`. */
@inline export function arrayWord(base: usize, i: usize): u32 {
  return load<u32>(base + (i << 2))
}
