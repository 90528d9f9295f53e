/**
 * Range scans: stateless, batched, forward or backward, with inclusive/exclusive bounds.
 * Owns: the scan output format.
 * Invariants:
 *   (1) Stateless: every call seeks from the root; the caller continues with the bound set exclusive to the
 *       last key returned (the tree may change between calls).
 *   (2) One call returns up to min(maxEntries, MAX_SCAN_ENTRIES) entries in key order (descending when
 *       reversed), and as many as fit in the output buffer, but at least one when the range is not empty
 *       (E_OUTPUT with the needed size when even the first does not fit).
 *   (3) done = 1 exactly when no entry of the range follows the last one returned.
 *   (4) Only the current leaf is pinned; it is released before the walk moves to a sibling.
 *   (5) Read-ahead touches only pages already in the pool (no I/O, no pin, no reference bit) and never
 *       changes what is returned: it loads bytes so that cache misses overlap (WASM has no prefetch).
 *   (6) Views mode (flag 32): inline keys and values are not copied; their offsets are absolute addresses
 *       in memory (the caller views the whole memory), pointing into the leaf frames. Every leaf the batch
 *       points into stays pinned until the call returns, so no fetch during the call can evict it; the batch
 *       stops after viewLeafLimit() leaves so the pool keeps unpinned frames. Between calls nothing is
 *       pinned and nothing evicts, so the frames hold the entries until the caller's next call on the core.
 *       Overflow values are copied into the data area (absolute offsets too). The copy mode is unchanged.
 *
 * Input (input buffer): lower bound bytes [0, lowerLength), then upper bound bytes.
 * Flags: 1 has lower, 2 lower inclusive, 4 has upper, 8 upper inclusive, 16 reverse, 32 views (invariant 6).
 *
 * Output (output buffer), m = the entry capacity of this call:
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | count n |
 * | 4 | 4 | done (1 = range exhausted) |
 * | 8 | 4 | m (array capacity) |
 * | 12 | 4 | data offset D = 16 + 16*m (from the start of the output buffer) |
 * | 16 | 4*m | key offsets (relative to D; views mode: absolute addresses) |
 * | 16+4m | 4*m | key lengths |
 * | 16+8m | 4*m | value offsets (relative to D; views mode: absolute addresses) |
 * | 16+12m | 4*m | value lengths |
 * | D | .. | packed bytes: key i then value i, for i = 0..n-1 |
 *
 * Not here: seeking and leaf search (btree.ts).
 */
import { cachedImage, fetch, pinImage, pinMark, poolFrames, releaseTo } from './buffer-pool'
import { CELL_KEY, cellAt, cellKey, cellKeyLength, leafOverflowPage, leafValue, leafValueWord, node, nodeCount, VALUE_OVERFLOW } from './page-layout'
import { checkNode, findLeaf, leafSearch, searchFound } from './btree'
import { compareKeys, copyBytes } from './keys'
import { readChain } from './overflow'
import { failure, needOutput } from './status'
import { CONTENT_END } from './node'

/** Scan flag bits. */
export const SCAN_LOWER: u32 = 1
export const SCAN_LOWER_INCLUSIVE: u32 = 2
export const SCAN_UPPER: u32 = 4
export const SCAN_UPPER_INCLUSIVE: u32 = 8
export const SCAN_REVERSE: u32 = 16
export const SCAN_VIEWS: u32 = 32
/** Most entries one scan call returns. */
export const MAX_SCAN_ENTRIES: u32 = 8192

/** Sink of the touch-ahead loads (keeps them alive through the optimizer). */
let touchSink: u32 = 0

/** Loads the byte at p + offset only to bring its cache line in. */
@inline function touch(p: usize, offset: usize): u32 {
  return <u32>load<u8>(p + offset)
}

/** Writes scan entry i: key at data offset `at` (length kl), its value right after (length vl). */
@inline function setEntry(arrays: usize, max: u32, i: u32, at: usize, kl: u32, vl: u32): void {
  const stride = <usize>max << 2
  const e = arrays + (<usize>i << 2)
  store<u32>(e, <u32>at)
  store<u32>(e + stride, kl)
  store<u32>(e + 2 * stride, <u32>at + kl)
  store<u32>(e + 3 * stride, vl)
}

/** Writes scan entry i with separate key and value offsets (views mode, or an overflow value copied). */
@inline function setEntryAt(arrays: usize, max: u32, i: u32, keyAt: usize, kl: u32, valueAt: usize, vl: u32): void {
  const stride = <usize>max << 2
  const e = arrays + (<usize>i << 2)
  store<u32>(e, <u32>keyAt)
  store<u32>(e + stride, kl)
  store<u32>(e + 2 * stride, <u32>valueAt)
  store<u32>(e + 3 * stride, vl)
}

/** Most leaves one views-mode batch keeps pinned (invariant 6): an eighth of the pool, at least 1, at most 512. */
function viewLeafLimit(): u32 {
  const limit = poolFrames() >>> 3
  return limit < 1 ? 1 : limit > 512 ? 512 : limit
}

/** Writes the scan output header. */
@inline function setScanHeader(out: usize, count: u32, done: u32, max: u32, dataOffset: usize): void {
  store<u32>(out, count)
  store<u32>(out, done, 4)
  store<u32>(out, max, 8)
  store<u32>(out, <u32>dataOffset, 12)
}

/**
 * Loads one byte of the first two cache lines of every cell in [from, to) of leaf p before the copy loop
 * needs them. WASM has no prefetch instruction; these independent loads let the CPU overlap the misses of a
 * whole leaf (cells sit in random order inside the page) instead of stalling cell by cell.
 */
function touchCells(p: usize, from: i32, to: i32): void {
  let sink: u32 = 0
  const end = p + CONTENT_END
  for (let i = from; i < to; i++) {
    const c = cellAt(p, i)
    sink += touch(c, 0)
    if (c + 64 < end) sink += touch(c, 64)
  }
  touchSink += sink
}

/**
 * Read-ahead for a walk entering leaf p (a software pipeline over the sibling chain, cached pages only,
 * never I/O): the cells of the leaf two steps ahead (its header lines were touched one leaf earlier) and the
 * header and slot lines of the leaf three steps ahead. The cells of the next leaf were touched one leaf ago.
 */
function touchAhead(p: usize, reverse: bool): void {
  let q = p
  for (let step = 0; step < 3; step++) {
    const next = reverse ? node(q).prev : node(q).link
    if (next == 0) return
    const r = cachedImage(next)
    if (!r) return
    if (step == 1) touchCells(r, 0, nodeCount(r))
    if (step == 2) touchSink += touch(r, 0) + touch(r, 64) + touch(r, 128)
    q = r
  }
}

/** Runs one scan batch (see the header). Returns the entry count or a status. */
export function scan(
  root: u32,
  flags: u32,
  lower: usize,
  lowerLength: u32,
  upper: usize,
  upperLength: u32,
  maxEntries: u32,
  out: usize,
  cap: usize,
): i32 {
  const max: u32 = maxEntries == 0 ? 1 : maxEntries > MAX_SCAN_ENTRIES ? MAX_SCAN_ENTRIES : maxEntries
  const meta: usize = (<usize>max << 4) + 16
  if (meta + 64 > cap) return needOutput(<u32>(meta + 64))
  const arrays = out + 16
  const data = out + meta
  const dataCap = cap - meta
  const hasLower = (flags & SCAN_LOWER) != 0
  const hasUpper = (flags & SCAN_UPPER) != 0
  const lowerInclusive = (flags & SCAN_LOWER_INCLUSIVE) != 0
  const upperInclusive = (flags & SCAN_UPPER_INCLUSIVE) != 0
  const reverse = (flags & SCAN_REVERSE) != 0
  const views = (flags & SCAN_VIEWS) != 0
  const leafLimit = views ? viewLeafLimit() : 0
  let leaves: u32 = 1

  const mark = pinMark()
  let p: usize = 0
  let idx: i32 = 0
  if (!reverse) {
    p = hasLower ? findLeaf(root, lower, lowerLength, 0) : findLeaf(root, 0, 0, -1)
    if (!p) return failure()
    if (hasLower) {
      idx = leafSearch(p, lower, lowerLength)
      if (searchFound && !lowerInclusive) idx++
    }
  } else {
    p = hasUpper ? findLeaf(root, upper, upperLength, 0) : findLeaf(root, 0, 0, 1)
    if (!p) return failure()
    if (hasUpper) {
      idx = leafSearch(p, upper, upperLength)
      if (!(searchFound && upperInclusive)) idx--
    } else {
      idx = nodeCount(p) - 1
    }
  }
  if (!pinImage(p)) return failure()

  let n: u32 = 0
  let pos: usize = 0
  let done: u32 = 0
  if (!reverse) touchCells(p, idx, nodeCount(p))
  else touchCells(p, 0, idx + 1)
  const following = cachedImage(reverse ? node(p).prev : node(p).link)
  if (following) touchCells(following, 0, nodeCount(following))
  // Whether every key of the current leaf is inside the far bound (then no per-entry compare is needed).
  let inside = false
  let entered = true
  while (true) {
    // Move to the leaf holding the next entry.
    if (!reverse) {
      while (idx >= nodeCount(p)) {
        const next = node(p).link
        if (!next) {
          done = 1
          break
        }
        if (!views || n == 0) {
          // Nothing of this batch points into the leaves left behind.
          releaseTo(mark)
          leaves = 1
        } else if (leaves == leafLimit) break
        else leaves++
        p = fetch(next)
        if (!p) return failure()
        const st = checkNode(p, next, 0)
        if (st < 0) {
          releaseTo(mark)
          return st
        }
        idx = 0
        entered = true
      }
    } else {
      while (idx < 0) {
        const prev = node(p).prev
        if (!prev) {
          done = 1
          break
        }
        if (!views || n == 0) {
          // Nothing of this batch points into the leaves left behind.
          releaseTo(mark)
          leaves = 1
        } else if (leaves == leafLimit) break
        else leaves++
        p = fetch(prev)
        if (!p) return failure()
        const st = checkNode(p, prev, 0)
        if (st < 0) {
          releaseTo(mark)
          return st
        }
        idx = nodeCount(p) - 1
        entered = true
      }
    }
    if (done) break
    // Views mode at its leaf limit: the batch ends before the next leaf (done stays 0).
    if (!reverse ? idx >= nodeCount(p) : idx < 0) break
    if (entered) {
      entered = false
      touchAhead(p, reverse)
      const count = nodeCount(p)
      if (!reverse) {
        const lastCell = cellAt(p, count - 1)
        inside = !hasUpper || compareKeys(cellKey(lastCell), cellKeyLength(lastCell), upper, upperLength) < 0
      } else {
        const firstCell = cellAt(p, 0)
        inside = !hasLower || compareKeys(cellKey(firstCell), cellKeyLength(firstCell), lower, lowerLength) > 0
      }
    }
    if (inside) {
      // Fast path: the rest of the leaf is in range. Copy inline entries until the leaf, the entry limit or
      // the output buffer ends; an overflow value, a full batch or a full buffer falls through to the
      // general path below, which handles exactly one entry.
      const left = reverse ? idx + 1 : nodeCount(p) - idx
      const room = <i32>(max - n)
      const k = left < room ? left : room
      const step: i32 = reverse ? -1 : 1
      let copied: i32 = 0
      if (views) {
        while (copied < k) {
          const c = cellAt(p, idx)
          const w = leafValueWord(c)
          if (w & VALUE_OVERFLOW) break
          setEntryAt(arrays, max, n, c + CELL_KEY, cellKeyLength(c), leafValue(c), w)
          n++
          idx += step
          copied++
        }
      } else {
        while (copied < k) {
          const c = cellAt(p, idx)
          const w = leafValueWord(c)
          if (w & VALUE_OVERFLOW) break
          const keyLength = cellKeyLength(c)
          const need = <usize>keyLength + <usize>w
          if (pos + need > dataCap) break
          setEntry(arrays, max, n, pos, keyLength, w)
          copyBytes(data + pos, c + CELL_KEY, need)
          pos += need
          n++
          idx += step
          copied++
        }
      }
      if (copied == left) continue
    }
    // General path: one entry, with the far bound checked when the leaf is not entirely inside it.
    const c = cellAt(p, idx)
    const keyLength = cellKeyLength(c)
    if (!inside) {
      if (!reverse) {
        const r = compareKeys(cellKey(c), keyLength, upper, upperLength)
        if (r > 0 || (r == 0 && !upperInclusive)) {
          done = 1
          break
        }
      } else {
        const r = compareKeys(cellKey(c), keyLength, lower, lowerLength)
        if (r < 0 || (r == 0 && !lowerInclusive)) {
          done = 1
          break
        }
      }
    }
    if (n == max) break
    const w = leafValueWord(c)
    const valueLength = w & ~VALUE_OVERFLOW
    if (views) {
      // Inline: both point into the pinned leaf. Overflow: the value is copied into the data area.
      if (w & VALUE_OVERFLOW) {
        if (pos + <usize>valueLength > dataCap) {
          if (n == 0) {
            releaseTo(mark)
            return needOutput(<u32>(meta + <usize>valueLength + 64))
          }
          break
        }
        const st = readChain(leafOverflowPage(c), valueLength, data + pos)
        if (st < 0) {
          releaseTo(mark)
          return st
        }
        setEntryAt(arrays, max, n, cellKey(c), keyLength, data + pos, valueLength)
        pos += <usize>valueLength
      } else {
        setEntryAt(arrays, max, n, cellKey(c), keyLength, leafValue(c), valueLength)
      }
      n++
      if (!reverse) idx++
      else idx--
      continue
    }
    const need = <usize>keyLength + <usize>valueLength
    if (pos + need > dataCap) {
      if (n == 0) {
        releaseTo(mark)
        return needOutput(<u32>(meta + need + 64))
      }
      break
    }
    setEntry(arrays, max, n, pos, keyLength, valueLength)
    if (w & VALUE_OVERFLOW) {
      copyBytes(data + pos, cellKey(c), keyLength)
      const st = readChain(leafOverflowPage(c), valueLength, data + pos + keyLength)
      if (st < 0) {
        releaseTo(mark)
        return st
      }
    } else {
      copyBytes(data + pos, cellKey(c), need)
    }
    pos += need
    n++
    if (!reverse) idx++
    else idx--
  }
  releaseTo(mark)
  setScanHeader(out, n, done, max, meta)
  return <i32>n
}
