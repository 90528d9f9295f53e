/**
 * The WASM core's ABI: every export engine/wasm calls, in one place.
 * Owns: argument/result conventions and the batch input/output formats.
 * Invariants:
 *   (1) No export throws (status.ts (1)); a negative result is a status, anything else a count or 0.
 *   (2) Every export starts with the error registers cleared and ends with nothing pinned
 *       (buffer-pool.ts (3)); after a failure the pin stack and the rebalance work list are reset.
 *   (3) Only init, ensure_input and ensure_output grow memory (regions.ts (2)).
 *   (4) Batch exports read their input from the input buffer and write their results to the output buffer;
 *       when the output fills up they stop after the last entry that fit and return how many input entries
 *       they processed (E_OUTPUT only when not even the first fits; nothing was applied for it).
 *
 * Exports by concern (record layouts: io-format.ts, btree-scan.ts, btree-check.ts, messages.ts):
 *
 * | export | input buffer | output buffer | result |
 * |---|---|---|---|
 * | init(pageSize, frames) | - | - | 0 |
 * | in_ptr/in_cap/out_ptr/out_cap, ensure_input(n)/ensure_output(n) | - | - | address, capacity / 0 |
 * | last_error_page/detail/arg, needed_bytes | - | - | registers of the last failure |
 * | crc32c(ptr, len, seed) | bytes anywhere in memory | - | CRC |
 * | db_format, db_open, db_set_last_commit_seq(seq) | - | - | 0 |
 * | db_header | - | header fields | 0 |
 * | bt_create | - | [root] | 0 |
 * | bt_drop(root) | - | - | 0 |
 * | bt_get(root, keyLength) | key | value reference | 1 found / 0 absent |
 * | bt_get_batch(root, n) | n x [keyLength][key] | n result records | keys processed |
 * | bt_put_batch(root, n, returnOld) | n x [keyLength][valueLength][key][value] | returnOld: result records | entries applied |
 * | bt_delete_batch(root, n, returnOld) | n x [keyLength][key] | result records, or u32 found flags | keys applied |
 * | bt_scan(root, flags, lowerLength, upperLength, max) | lower bound, upper bound | scan batch | entries |
 * | bt_bulk(root, n, flags) | n x [keyLength][valueLength][key][value] | - | 0 |
 * | bt_check(root) | - | check result or message | pages |
 * | fl_pages | - | page list | free pages |
 * | pool_prepare_commit(lsn) | - | commit list | dirty pages |
 * | pool_mark_clean, pool_discard_all, pool_stats | - | (stats) | - |
 * | heap_top, pool_pinned, max_key | - | - | diagnostics, limits |
 * | bt_counters | - | u32 x 9 event counters (btree.ts) | 9 |
 *
 * Not here: the algorithms (btree*.ts, buffer-pool.ts, page-alloc.ts).
 */
import {
  discardAll,
  fetch,
  fetchUnverified,
  adoptUnverified,
  markClean,
  markDirty,
  newFrame,
  pageSize as poolPageSize,
  pinMark,
  pinnedFrames,
  poolInit,
  poolStats,
  prepareCommit,
  releaseTo,
  setSpillLsn,
} from './buffer-pool'
import { childCacheInit } from './child-cache'
import { crc32c as crc, crcInit, crcPageInit, pageChecksum } from './crc32c'
import {
  btreeInit,
  counter,
  COUNTER_COUNT,
  createTree,
  deleteOne,
  descendGroup,
  dropTree,
  getInGroupLeaf,
  getOne,
  GROUP,
  oldWritten,
  putOne,
  setGroupKey,
  workReset,
} from './btree'
import { bulkAbort, bulkAdd, bulkBegin, bulkEnd, bulkInit, BULK_BEGIN, BULK_END } from './btree-bulk'
import { checkInit, checkTree } from './btree-check'
import { scan } from './btree-scan'
import { dbHeader, FORMAT_VERSION, MAGIC_HI, MAGIC_LO, pageTrailer, PT_LEAF } from './page-layout'
import { inputKeyLength, inputValueLength, setFoundFlag, setOutputSeq, setOutputWord } from './io-format'
import { formatHeader, listFreePages } from './page-alloc'
import { MAX_KEY, nodeInit, nodeSetup } from './node'
import {
  buffersInit,
  ensureInput,
  ensureOutput,
  inCap,
  inPtr,
  outCap,
  outPtr,
  regionsReady,
  regionsStart,
  regionsTop,
} from './regions'
import {
  corrupt,
  D_CHECKSUM,
  D_NOT_DATABASE,
  D_PAGE_SIZE,
  D_VERSION,
  E_BAD_ARGUMENT,
  E_KEY_TOO_LARGE,
  E_OUTPUT,
  fail,
  failure,
  lastErrorArg,
  lastErrorDetail,
  lastErrorPage,
  lastNeededBytes,
  OK,
  resetError,
} from './status'

const MIN_INPUT: usize = 256 << 10
const MIN_OUTPUT: usize = 1 << 20

@inline function finish(st: i32): i32 {
  if (st < 0) {
    releaseTo(0)
    workReset()
  }
  return st
}

/** Carves all regions for `pageSize` (power of two 1024..65536) and `frames` frames (>= 16). 0 or E_BAD_ARGUMENT. */
export function init(pageSize: u32, frames: u32): i32 {
  resetError()
  if (regionsReady()) return fail(E_BAD_ARGUMENT)
  if (pageSize < 1024 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0) return fail(E_BAD_ARGUMENT)
  if (frames < 16 || frames > (1 << 22)) return fail(E_BAD_ARGUMENT)
  regionsStart()
  crcInit()
  crcPageInit(pageSize)
  if (!poolInit(pageSize, frames) || !childCacheInit(frames)) return fail(E_OUTPUT)
  if (!nodeInit() || !btreeInit() || !bulkInit() || !checkInit()) return fail(E_OUTPUT)
  const input = MIN_INPUT > <usize>pageSize * 4 ? MIN_INPUT : <usize>pageSize * 4
  const output = MIN_OUTPUT > <usize>pageSize * 8 ? MIN_OUTPUT : <usize>pageSize * 8
  if (!buffersInit(input, output)) return fail(E_OUTPUT)
  return OK
}

/** Address of the input buffer. */
export function in_ptr(): usize {
  return inPtr
}
/** Capacity of the input buffer. */
export function in_cap(): usize {
  return inCap
}
/** Address of the output buffer. */
export function out_ptr(): usize {
  return outPtr
}
/** Capacity of the output buffer. */
export function out_cap(): usize {
  return outCap
}
/** Grows the input buffer to at least n bytes (may grow memory; content is not kept). */
export function ensure_input(n: usize): i32 {
  resetError()
  return ensureInput(n)
}
/** Grows the output buffer to at least n bytes (may grow memory; content is not kept). */
export function ensure_output(n: usize): i32 {
  resetError()
  return ensureOutput(n)
}
/** Page of the last failure. */
export function last_error_page(): u32 {
  return lastErrorPage()
}
/** Corruption detail code of the last E_CORRUPT (status.ts D_*). */
export function last_error_detail(): i32 {
  return lastErrorDetail()
}
/** Extra argument of the last failure (found type/level/version, entry index). */
export function last_error_arg(): u32 {
  return lastErrorArg()
}
/** Output bytes needed after E_OUTPUT. */
export function needed_bytes(): u32 {
  return lastNeededBytes()
}
/** Bytes from the start of memory to the end of the last region (memory-baseline tests). */
export function heap_top(): usize {
  return regionsTop()
}
/** Frames pinned right now (0 between exports). */
export function pool_pinned(): u32 {
  return pinnedFrames()
}
/** Writes the structural event counters (btree.ts) as u32 at the output buffer; returns their number. */
export function bt_counters(): i32 {
  for (let i = 0; i < COUNTER_COUNT; i++) setOutputWord(outPtr, <usize>i, counter(i))
  return COUNTER_COUNT
}

/** Largest key (pageSize - 64) / 4. */
export function max_key(): u32 {
  return MAX_KEY
}

/** CRC32C of len bytes at ptr continuing from `seed` (a finished CRC, 0 to start). */
export function crc32c(ptr: usize, len: usize, seed: u32): u32 {
  return crc(seed, ptr, len)
}

/** Formats a new database in the pool: page 0 and an empty directory root at page 1, both dirty. */
export function db_format(): i32 {
  resetError()
  let st = formatHeader()
  if (st >= 0) {
    const mark = pinMark()
    const p = newFrame(1)
    if (!p) st = failure()
    else {
      nodeSetup(p, PT_LEAF, 0)
      releaseTo(mark)
    }
  }
  return finish(st)
}

/** Reads page 0 through the pool and validates magic, version, page size and checksum. */
export function db_open(): i32 {
  resetError()
  const p = fetchUnverified(0)
  if (!p) return finish(failure())
  const h = dbHeader(p)
  let st = OK
  if (h.magicLo != MAGIC_LO || h.magicHi != MAGIC_HI) st = corrupt(0, D_NOT_DATABASE)
  else if (h.version == 0 || h.version > FORMAT_VERSION) st = corrupt(0, D_VERSION, h.version)
  else if (h.pageSize != poolPageSize) st = corrupt(0, D_PAGE_SIZE, h.pageSize)
  else if (pageChecksum(0, p, poolPageSize) != pageTrailer(p, poolPageSize)) st = corrupt(0, D_CHECKSUM)
  else if (!adoptUnverified(0, p)) st = failure()
  else setSpillLsn(h.lastCommitSeq + 1)
  releaseTo(0)
  return finish(st)
}

/** Writes the header fields to the output buffer (see the table above). */
export function db_header(): i32 {
  resetError()
  const mark = pinMark()
  const p = fetch(0)
  if (!p) return finish(failure())
  const h = dbHeader(p)
  setOutputWord(outPtr, 0, h.pageSize)
  setOutputWord(outPtr, 1, h.version)
  setOutputWord(outPtr, 2, h.pageCount)
  setOutputWord(outPtr, 3, h.freelistHead)
  setOutputWord(outPtr, 4, h.freeCount)
  setOutputWord(outPtr, 5, h.directoryRoot)
  setOutputSeq(outPtr, h.lastCommitSeq)
  releaseTo(mark)
  return OK
}

/** Sets the header's last commit sequence number (page 0 becomes dirty). */
export function db_set_last_commit_seq(seq: u64): i32 {
  resetError()
  const mark = pinMark()
  const p = fetch(0)
  if (!p) return finish(failure())
  dbHeader(p).lastCommitSeq = seq
  markDirty(p)
  setSpillLsn(seq + 1)
  releaseTo(mark)
  return OK
}

/** Allocates an empty tree; its root page is written at output[0]. */
export function bt_create(): i32 {
  resetError()
  const root = createTree()
  if (!root) return finish(failure())
  setOutputWord(outPtr, 0, root)
  return OK
}

/** Frees every page of the tree. */
export function bt_drop(root: u32): i32 {
  resetError()
  return finish(dropTree(root))
}

/** Looks up the key at input[0..keyLength); writes a value reference (io-format.ts); returns 1 (found) or 0. */
export function bt_get(root: u32, keyLength: u32): i32 {
  resetError()
  if (keyLength > MAX_KEY) return fail(E_KEY_TOO_LARGE)
  return finish(getOne(root, inPtr, keyLength, outPtr, outCap))
}

function inputFits(pos: usize, n: usize): bool {
  return pos + n <= inCap
}

/**
 * Looks up `count` keys; returns how many were processed (invariant 4). Keys are descended in groups of
 * GROUP in lockstep (btree.ts descendGroup), then answered in order.
 */
export function bt_get_batch(root: u32, count: u32): i32 {
  resetError()
  let pos: usize = 0
  let o: usize = 0
  let i: u32 = 0
  while (i < count) {
    let g: i32 = 0
    let next = pos
    while (g < GROUP && i + <u32>g < count) {
      if (!inputFits(next, 4)) return fail(E_BAD_ARGUMENT)
      const kl = inputKeyLength(inPtr + next)
      if (!inputFits(next + 4, kl)) return fail(E_BAD_ARGUMENT)
      if (kl > MAX_KEY) return finish(fail(E_KEY_TOO_LARGE))
      setGroupKey(g, inPtr + next + 4, kl)
      next += 4 + <usize>kl
      g++
    }
    const st = descendGroup(root, g)
    if (st < 0) return finish(st)
    for (let k = 0; k < g; k++) {
      const r = getInGroupLeaf(k, outPtr, outCap, o)
      if (r < 0) {
        if (r == E_OUTPUT && i > 0) return <i32>i
        return finish(r)
      }
      o += <usize>r
      i++
    }
    pos = next
  }
  return <i32>count
}

/** Inserts or replaces `count` entries in order; returns how many were applied (invariant 4). */
export function bt_put_batch(root: u32, count: u32, returnOld: u32): i32 {
  resetError()
  let pos: usize = 0
  let o: usize = 0
  for (let i: u32 = 0; i < count; i++) {
    if (!inputFits(pos, 8)) return fail(E_BAD_ARGUMENT)
    const kl = inputKeyLength(inPtr + pos)
    const vl = inputValueLength(inPtr + pos)
    if (!inputFits(pos + 8, <usize>kl + <usize>vl)) return fail(E_BAD_ARGUMENT)
    const key = inPtr + pos + 8
    const st = putOne(root, key, kl, key + kl, vl, returnOld ? outPtr + o : 0, returnOld ? outCap - o : 0)
    if (st < 0) {
      if (st == E_OUTPUT && i > 0) return <i32>i
      return finish(st)
    }
    o += <usize>oldWritten
    pos += 8 + <usize>kl + <usize>vl
  }
  return <i32>count
}

/** Deletes `count` keys in order; returns how many were applied (invariant 4). */
export function bt_delete_batch(root: u32, count: u32, returnOld: u32): i32 {
  resetError()
  let pos: usize = 0
  let o: usize = 0
  for (let i: u32 = 0; i < count; i++) {
    if (!inputFits(pos, 4)) return fail(E_BAD_ARGUMENT)
    const kl = inputKeyLength(inPtr + pos)
    if (!inputFits(pos + 4, kl)) return fail(E_BAD_ARGUMENT)
    if (!returnOld && o + 4 > outCap) {
      if (i > 0) return <i32>i
      return fail(E_OUTPUT)
    }
    const st = deleteOne(root, inPtr + pos + 4, kl, returnOld ? outPtr + o : 0, returnOld ? outCap - o : 0)
    if (st < 0) {
      if (st == E_OUTPUT && i > 0) return <i32>i
      return finish(st)
    }
    if (returnOld) o += <usize>oldWritten
    else {
      setFoundFlag(outPtr, o >>> 2, <u32>st)
      o += 4
    }
    pos += 4 + <usize>kl
  }
  return <i32>count
}

/** One scan batch (btree-scan.ts); bounds in the input buffer. Returns the entry count. */
export function bt_scan(root: u32, flags: u32, lowerLength: u32, upperLength: u32, maxEntries: u32): i32 {
  resetError()
  if (!inputFits(0, <usize>lowerLength + <usize>upperLength)) return fail(E_BAD_ARGUMENT)
  if (lowerLength > MAX_KEY || upperLength > MAX_KEY) return fail(E_KEY_TOO_LARGE)
  const st = scan(root, flags, inPtr, lowerLength, inPtr + lowerLength, upperLength, maxEntries, outPtr, outCap)
  return finish(st)
}

/** Streams `count` bulk-load entries; flags 1 = first call (begin), 2 = last call (finish). */
export function bt_bulk(root: u32, count: u32, flags: u32): i32 {
  resetError()
  let st = OK
  if (flags & BULK_BEGIN) st = bulkBegin(root)
  let pos: usize = 0
  for (let i: u32 = 0; st >= 0 && i < count; i++) {
    if (!inputFits(pos, 8)) {
      st = fail(E_BAD_ARGUMENT)
      break
    }
    const kl = inputKeyLength(inPtr + pos)
    const vl = inputValueLength(inPtr + pos)
    if (!inputFits(pos + 8, <usize>kl + <usize>vl)) {
      st = fail(E_BAD_ARGUMENT)
      break
    }
    const key = inPtr + pos + 8
    st = bulkAdd(key, kl, key + kl, vl, i)
    pos += 8 + <usize>kl + <usize>vl
  }
  if (st >= 0 && flags & BULK_END) st = bulkEnd(root)
  if (st < 0) bulkAbort()
  return finish(st)
}

/** Verifies the tree (btree-check.ts). Returns the number of pages it uses. */
export function bt_check(root: u32): i32 {
  resetError()
  return finish(checkTree(root, outPtr, outCap))
}

/** Lists the free pages. Returns their number. */
export function fl_pages(): i32 {
  resetError()
  return finish(listFreePages(outPtr, outCap))
}

/** Seals every dirty frame with `lsn` and lists them (see the table above). */
export function pool_prepare_commit(lsn: u64): i32 {
  resetError()
  return finish(prepareCommit(lsn, outPtr, outCap))
}

/** Marks the frames sealed by the last prepare as clean. */
export function pool_mark_clean(): void {
  markClean()
}

/** Forgets every frame (clean and dirty). */
export function pool_discard_all(): void {
  discardAll()
  workReset()
  bulkAbort()
}

/** Writes the pool statistics to the output buffer. */
export function pool_stats(): void {
  poolStats(outPtr)
}
