/**
 * B+tree: search, get, insert/replace, delete, splits, merges, redistribution, root handling, drop.
 * Owns: the structure of a tree (nodes in page-layout.ts format) and every algorithm that changes it.
 * Invariants (bt_check verifies them, btree-check.ts):
 *   (1) Keys are strictly ascending within a node and across leaves; every key of child i of an interior
 *       node lies in [key i-1, key i) (the rightmost child: [last key, upper bound)).
 *   (2) All leaves are at level 0 and at the same depth; an interior node's level is its children's + 1.
 *   (3) Leaves form a doubly linked list in key order (right = offset 16, left = offset 20).
 *   (4) Roots never move: a root split moves the root's content down into a new page (pushRootDown); when
 *       an interior root is left with a single child, that child's content moves up (collapseRoot).
 *   (5) Fill: a non-root node below MIN_FILL cannot be merged with an adjacent sibling (the merge would not
 *       fit). Every operation that shrinks a node, or splits one (its outer neighbours change), schedules a
 *       fill check of the affected nodes on the work list; `runFix` processes it until empty. Merging or
 *       redistributing two interior nodes makes the children on both sides of their old separator siblings,
 *       so it also schedules a check one level down at that junction.
 *   (6) An interior root has at least one key; a non-root interior node may be left with none only when it
 *       cannot merge (it still has one child).
 *   (7) Pins: an operation pins the path it descends (pin stack, buffer-pool.ts (3)) and releases it before
 *       it returns; the work list re-descends by key, so no pointer survives a structural change.
 *   (8) After a failed operation (status < 0 other than E_KEY_TOO_LARGE / E_OUTPUT, which are detected
 *       before any change) the pool may hold a half-applied change: the caller must `discardAll`.
 *
 * Splits: a full node and the pending cell are divided where the larger half is smallest (node.ts (2)),
 * except the append fast path: inserting past the last key of the rightmost leaf moves only the new entry
 * to the new right page (and the same at interior levels along the right edge), so ascending inserts fill
 * pages nearly full. The new separator goes into the parent, which may split in turn (up to the root).
 * Redistribution replaces a separator; when the new one does not fit, the parent splits the same way.
 * Separators between leaves are suffix-truncated (prefix B-trees, Bayer & Unterauer 1977): the shortest
 * prefix of the right leaf's first key that is greater than the left leaf's last key, so interior nodes hold
 * short keys, fan out wider and the tree is shallower. Interior splits move an existing separator up as is.
 *
 * Reads: `findLeaf` (gets and scans, read-only exports) descends by peeking, without pins, and goes from an
 * interior node to its child through the child-frame cache when it knows the child's frame (child-cache.ts);
 * nodes of more than HINT_SCAN_MAX slots are searched by interpolation over the slot hints. Modifying
 * operations descend with `descend` (pins, the path kept for splits and merges) and never use the cache.
 *
 * Work list item: [level u32 | flags][key length u32][key bytes]; the key routes a descent to the node to
 * check at that level (a key inside the node's range). Flag REDISTRIBUTE allows moving cells between
 * siblings (set after shrinking operations; not after splits, so append splits keep their full left page).
 *
 * Not here: scans (btree-scan.ts), bulk load (btree-bulk.ts), verification (btree-check.ts).
 */
import {
  fetch,
  frameData as frameImage,
  frameDirty,
  frameOf,
  framePage,
  markDirty,
  newFrame,
  pageSize,
  peek,
  pinMark,
  releaseTo,
  touchFrame,
} from './buffer-pool'
import { childCacheEntry, childCacheEpoch, childCacheMake, childCacheOf, childCacheSet } from './child-cache'
import { cellPrefix, commonPrefix, compareKeys, compareWithPrefix, copyBytes, keyPrefix } from './keys'
import {
  CELL_KEY,
  cellAt,
  cellChild,
  cellKey,
  cellKeyLength,
  interiorCellSize,
  keyHint,
  leafCellSize,
  leafValue,
  leafOverflowPage,
  leafValueWord,
  MAX_VALUE_LENGTH,
  setLeafOverflowPage,
  setLeafValueWord,
  node,
  NODE_SLOTS,
  nodeCount,
  pageType,
  PT_INTERIOR,
  PT_LEAF,
  SLOT_SIZE,
  slotHint,
  VALUE_OVERFLOW,
  writeInteriorCell,
  writeLeafCellHead,
} from './page-layout'
import { allocPage, freePage } from './page-alloc'
import {
  childAt,
  chooseInteriorPivot,
  chooseLeafSplit,
  clCost,
  clCount,
  clKeyLength,
  clPtr,
  clPush,
  clPushNode,
  clReset,
  CONTENT_END,
  leafCellBytes,
  MAX_KEY,
  MIN_FILL,
  nodeAppendList,
  nodeClearCells,
  nodeKeyAdded,
  nodeRehint,
  nodeRemove,
  nodeReserve,
  nodeSetup,
  nodeUsed,
  scratchA,
  scratchB,
  scratchCell,
  sepBuffer0,
  sepBuffer1,
  sepNew,
  sepOld,
  setChildAt,
  USABLE,
  valueInline,
} from './node'
import { freeChain, readChain, writeChain } from './overflow'
import {
  corrupt,
  D_LAYOUT,
  D_LEVEL,
  D_PAGE_TYPE,
  E_BAD_ARGUMENT,
  E_KEY_TOO_LARGE,
  fail,
  failure,
  needOutput,
  OK,
} from './status'
import { regionAlloc } from './regions'
import { invariant, invariantAt } from './messages'
import { resultSize, resultValue, setResult, setValueRef, valueRefData } from './io-format'

/**
 * Structural event counters (diagnostics: tests check that every path ran).
 * Order: leaf splits, interior splits, append splits, merges, redistributions, parent splits caused by a
 * grown separator, root splits, root collapses, read descents to a child through the child-frame cache.
 */
const COUNTERS: usize = memory.data(9 * 4)
export const C_LEAF_SPLIT: i32 = 0
export const C_INTERIOR_SPLIT: i32 = 1
export const C_APPEND_SPLIT: i32 = 2
export const C_MERGE: i32 = 3
export const C_REDISTRIBUTE: i32 = 4
export const C_SEPARATOR_SPLIT: i32 = 5
export const C_ROOT_SPLIT: i32 = 6
export const C_ROOT_COLLAPSE: i32 = 7
export const C_CHILD_CACHE_HIT: i32 = 8
export const COUNTER_COUNT: i32 = 9

@inline function count(i: i32): void {
  store<u32>(COUNTERS + (<usize>i << 2), load<u32>(COUNTERS + (<usize>i << 2)) + 1)
}

/** Counter i. */
@inline export function counter(i: i32): u32 {
  return load<u32>(COUNTERS + (<usize>i << 2))
}

/** Deepest tree accepted (a deeper descent is reported as corruption). */
export const MAX_DEPTH: i32 = 48

const PATH_PAGES: usize = memory.data(MAX_DEPTH * 4)
const PATH_PTRS: usize = memory.data(MAX_DEPTH * 4)
const PATH_IDX: usize = memory.data(MAX_DEPTH * 4)
/** Index of the deepest entry of the current path. */
let pathDepth: i32 = 0

@inline function pathPage(d: i32): u32 {
  return load<u32>(PATH_PAGES + (<usize>d << 2))
}
@inline function pathPtr(d: i32): usize {
  return <usize>load<u32>(PATH_PTRS + (<usize>d << 2))
}
@inline function pathIdx(d: i32): i32 {
  return load<i32>(PATH_IDX + (<usize>d << 2))
}
@inline function setPath(d: i32, pg: u32, p: usize): void {
  store<u32>(PATH_PAGES + (<usize>d << 2), pg)
  store<u32>(PATH_PTRS + (<usize>d << 2), <u32>p)
  store<i32>(PATH_IDX + (<usize>d << 2), 0)
}
@inline function setPathIdx(d: i32, idx: i32): void {
  store<i32>(PATH_IDX + (<usize>d << 2), idx)
}

// ---- searching -----------------------------------------------------------------------------------

/** Sink of `touchCell`'s loads (kept so the optimizer cannot drop them). */
let touched: u32 = 0

/** Loads one byte of each of the two cache lines after cell c's first (clamped to page p). */
@inline function touchCell(p: usize, c: usize): void {
  const end = p + pageSize - 1
  touched += <u32>load<u8>(min(c + 64, end)) + <u32>load<u8>(min(c + 127, end))
}

/** Set by `leafSearch`: whether the key was found. */
export let searchFound: bool = false

/**
 * Order of `key` against the shared prefix of node p (its first P bytes, read from cell i): negative when the
 * key sorts before every key of the node, positive after every key, 0 when it starts with the prefix.
 */
@inline function prefixOrder(p: usize, i: i32, key: usize, keyLength: u32, prefix: u32): i32 {
  const c = cellAt(p, i)
  return compareKeys(key, keyLength < prefix ? keyLength : prefix, c + CELL_KEY, prefix)
}

/** Compares the key of cell c with `key` from byte P on (both are known to share their first P bytes). */
@inline function compareSuffix(c: usize, key: usize, keyLength: u32, prefix: u32): i32 {
  const k = c + CELL_KEY + prefix
  const kl = cellKeyLength(c) - prefix
  return compareWithPrefix(k, kl, cellPrefix(k, kl), key + prefix, keyLength - prefix, keyPrefix(key + prefix, keyLength - prefix))
}

/** Set by `hintRange`: the number of slots whose hint is <= the key's hint. */
let hintsAtMost: i32 = 0

/** Nodes with more slots than this are searched by interpolation over the hints, smaller ones by a SIMD scan. */
const HINT_SCAN_MAX: i32 = 64

/** Hint of slot i as stored: the high half of the slot word. */
@inline function hintAt(base: usize, i: i32): u32 {
  return load<u32>(base + (<usize>i << 2)) >>> 16
}

/** Number of the 32 slots at `at` whose hint is < kh (eight v128 loads over two cache lines, issued together). */
@inline function countBelow32(at: usize, kh: u32): i32 {
  const key = i32x4.splat(<i32>kh)
  let below = i32x4.lt_u(i32x4.shr_u(v128.load(at), 16), key)
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 16), 16), key))
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 32), 16), key))
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 48), 16), key))
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 64), 16), key))
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 80), 16), key))
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 96), 16), key))
  below = i32x4.add(below, i32x4.lt_u(i32x4.shr_u(v128.load(at, 112), 16), key))
  return -(i32x4.extract_lane(below, 0) + i32x4.extract_lane(below, 1) + i32x4.extract_lane(below, 2) + i32x4.extract_lane(below, 3))
}

/**
 * Number of hints < kh among slots [b, b+len) of the slot array at base, all hints before b being < kh:
 * a branch-free binary search (Khuong & Morin, "Array layouts for comparison-based searching", 2017).
 */
function hintBinarySearch(base: usize, b: i32, len: i32, kh: u32): i32 {
  if (len <= 0) return b
  while (len > 1) {
    const half = len >>> 1
    b = select<i32>(b + half, b, hintAt(base, b + half) < kh)
    len -= half
  }
  return b + <i32>(hintAt(base, b) < kh)
}

/** Slots per interpolation window (two cache lines of slot entries). */
const WINDOW: i32 = 32

/**
 * Number of the n (> WINDOW) slots at base whose hint is < kh. Interpolation first: the slot where kh would
 * sit if the hints between the first and the last were evenly spread, then a SIMD count over the two cache
 * lines of slots around it; when the boundary is not there, one more window in its direction, then a binary
 * search of the rest. Random keys (and dense integers) give nearly evenly spread hints, so the search of a
 * large node reads the header line, the last slot's line and one window (fetched in parallel) instead of a
 * binary search's chain of log2(n) dependent probes over as many lines.
 */
function hintLowerBound(base: usize, n: i32, kh: u32): i32 {
  const first = hintAt(base, 0)
  if (kh <= first) return 0
  const last = hintAt(base, n - 1)
  if (kh > last) return n
  // first < kh <= last: the boundary is in [1, n-1].
  const guess = <i32>(((kh - first) * <u32>(n - 1)) / (last - first))
  // Window start: guess - 16 rounded to the nearest start of a cache line of slots (slot 16k + 8 starts a line,
  // NODE_SLOTS = 32), so the window holds the guess with at least 8 slots on either side.
  let a = ((guess - 16) & ~15) + 8
  if (a < 0) a = 0
  if (a > n - WINDOW) a = n - WINDOW
  for (let step = 0; step < 2; step++) {
    const c = countBelow32(base + (<usize>a << 2), kh)
    if (c == 0) {
      if (a == 0) return 0
      if (step == 1) return hintBinarySearch(base, 0, a, kh)
      a = a >= WINDOW ? a - WINDOW : 0
    } else if (c == WINDOW) {
      if (a + WINDOW >= n) return n
      if (step == 1) return hintBinarySearch(base, a + WINDOW, n - a - WINDOW, kh)
      a = a + 2 * WINDOW <= n ? a + WINDOW : n - WINDOW
    } else return a + c
  }
  return hintBinarySearch(base, 0, n, kh)
}

/**
 * Number of slots of node p (n slots) whose hint is < kh; also sets hintsAtMost (<= kh). Hints are
 * non-decreasing, so these are the bounds of the run of slots tied with the key's hint.
 * Small nodes (most leaves): four slots per v128 step, branch-free, stopping at the first vector with no hint
 * <= kh; the slot lines are read in order, so the cache misses of a cold leaf overlap. Large nodes (interior
 * nodes of a big tree, leaves of small entries): interpolation, then a two-line window (`hintLowerBound`).
 */
function hintRange(p: usize, n: i32, kh: u32): i32 {
  const base = p + NODE_SLOTS
  if (n > HINT_SCAN_MAX) {
    const lo = hintLowerBound(base, n, kh)
    let hi = lo
    while (hi < n && hintAt(base, hi) == kh) {
      hi++
      if (hi - lo == 8) {
        // A long run of tied hints: binary search its end (first hint > kh) in [hi, n].
        let e = hi
        let m = n - hi
        while (m > 0) {
          const half = m >>> 1
          if (hintAt(base, e + half) <= kh) {
            e += half + 1
            m -= half + 1
          } else m = half
        }
        hi = e
        break
      }
    }
    hintsAtMost = hi
    return lo
  }
  const key = i32x4.splat(<i32>kh)
  let below = i32x4.splat(0)
  let atMost = i32x4.splat(0)
  let i: i32 = 0
  for (; i + 4 <= n; i += 4) {
    const hints = i32x4.shr_u(v128.load(base + (<usize>i << 2)), 16)
    const le = i32x4.le_u(hints, key)
    if (!v128.any_true(le)) break
    below = i32x4.sub(below, i32x4.lt_u(hints, key))
    atMost = i32x4.sub(atMost, le)
  }
  let lo =
    i32x4.extract_lane(below, 0) + i32x4.extract_lane(below, 1) + i32x4.extract_lane(below, 2) + i32x4.extract_lane(below, 3)
  let hi =
    i32x4.extract_lane(atMost, 0) + i32x4.extract_lane(atMost, 1) + i32x4.extract_lane(atMost, 2) + i32x4.extract_lane(atMost, 3)
  if (hi == i) {
    for (; i < n; i++) {
      const h = slotHint(p, i)
      if (h > kh) break
      if (h < kh) lo++
      hi++
    }
  }
  hintsAtMost = hi
  return lo
}

/**
 * Index of `key` in leaf p, or of the first larger key (searchFound tells which). The slot hints
 * (page-layout.ts) narrow the search to the run of slots tied with the key's hint (usually empty or one
 * slot); cells are read only inside that run and once at the end to check the node's shared prefix.
 */
export function leafSearch(p: usize, key: usize, keyLength: u32): i32 {
  const n = nodeCount(p)
  searchFound = false
  if (n == 0) return 0
  const prefix = <u32>node(p).prefix
  if (keyLength < prefix) return prefixOrder(p, 0, key, keyLength, prefix) < 0 ? 0 : n
  let lo = hintRange(p, n, keyHint(key, keyLength, prefix))
  let hi = hintsAtMost
  let found = false
  // The likely match (hints tie): request the two lines after its first now, so a value that spans them
  // arrives together with the key instead of after the key compare (WASM has no prefetch; a load whose result
  // only feeds `touched` does the same, ~5% of a cold lookup).
  if (lo < hi) touchCell(p, cellAt(p, lo))
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const r = compareSuffix(cellAt(p, mid), key, keyLength, prefix)
    if (r < 0) lo = mid + 1
    else if (r > 0) hi = mid
    else {
      lo = mid
      found = true
      break
    }
  }
  if (prefix > 0) {
    const order = prefixOrder(p, lo < n ? lo : n - 1, key, keyLength, prefix)
    if (order != 0) return order < 0 ? 0 : n
  }
  searchFound = found
  return lo
}

/** Index of the child of interior node p whose range holds `key` (first separator > key); hints as leafSearch. */
export function interiorSearch(p: usize, key: usize, keyLength: u32): i32 {
  const n = nodeCount(p)
  if (n == 0) return 0
  const prefix = <u32>node(p).prefix
  if (keyLength < prefix) return prefixOrder(p, 0, key, keyLength, prefix) < 0 ? 0 : n
  let lo = hintRange(p, n, keyHint(key, keyLength, prefix))
  let hi = hintsAtMost
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareSuffix(cellAt(p, mid), key, keyLength, prefix) <= 0) lo = mid + 1
    else hi = mid
  }
  if (prefix > 0) {
    const order = prefixOrder(p, lo < n ? lo : n - 1, key, keyLength, prefix)
    if (order != 0) return order < 0 ? 0 : n
  }
  return lo
}

/** Checks that node p (page pg) may be reached where a node of `level` is expected (-1: any node). */
@inline export function checkNode(p: usize, pg: u32, level: i32): i32 {
  const t = pageType(p)
  if (t != PT_LEAF && t != PT_INTERIOR) return corrupt(pg, D_PAGE_TYPE, t)
  const lvl = <i32>node(p).level
  if ((t == PT_LEAF) != (lvl == 0) || (level >= 0 && lvl != level)) return corrupt(pg, D_LEVEL, lvl)
  const content = <u32>node(p).content
  if (<u32>NODE_SLOTS + <u32>nodeCount(p) * SLOT_SIZE > content || content > CONTENT_END) return corrupt(pg, D_LAYOUT)
  return OK
}

/**
 * Length of the shortest separator between leaf keys `left` < `right`: the shortest prefix of `right` that is
 * greater than `left` (one byte past their common prefix; never longer than `right`).
 */
export function separatorLength(left: usize, leftLength: u32, right: usize, rightLength: u32): u32 {
  const shared = commonPrefix(left, leftLength, right, rightLength)
  return shared + 1 < rightLength ? shared + 1 : rightLength
}

/** Descends from `root` towards `key`, pinning every node, down to `level` (0 = leaf); fills the path. */
function descend(root: u32, key: usize, keyLength: u32, level: u32): i32 {
  if (root == 0) return fail(E_BAD_ARGUMENT)
  let pg = root
  let d: i32 = 0
  let expect: i32 = -1
  while (true) {
    const p = fetch(pg)
    if (!p) return failure()
    const st = checkNode(p, pg, expect)
    if (st < 0) return st
    setPath(d, pg, p)
    const lvl = <u32>node(p).level
    if (lvl <= level) break
    const idx = interiorSearch(p, key, keyLength)
    setPathIdx(d, idx)
    pg = childAt(p, idx)
    d++
    if (d >= MAX_DEPTH) return corrupt(pg, D_LEVEL)
    expect = <i32>lvl - 1
  }
  pathDepth = d
  return OK
}

/** Whether node p passes `checkNode` (no side effects; the caller reports a failure with checkNode). */
@inline function nodeLooksValid(p: usize, level: i32): bool {
  const t = pageType(p)
  const lvl = <i32>node(p).level
  const content = <u32>node(p).content
  return (
    (t == PT_LEAF || t == PT_INTERIOR) &&
    (t == PT_LEAF) == (lvl == 0) &&
    (level < 0 || lvl == level) &&
    <u32>NODE_SLOTS + <u32>nodeCount(p) * SLOT_SIZE <= content &&
    content <= CONTENT_END
  )
}

/**
 * The leaf whose range holds `key` (edge < 0: the leftmost leaf, edge > 0: the rightmost), without pinning
 * (buffer-pool.ts (1): valid until the next fetch). 0 on failure. For read-only exports only: it follows and
 * records child-frame cache entries (child-cache.ts (3)); a child found there costs neither the interior
 * cell holding its page number nor a page-table probe.
 */
export function findLeaf(root: u32, key: usize, keyLength: u32, edge: i32): usize {
  if (root == 0) {
    fail(E_BAD_ARGUMENT)
    return 0
  }
  let p = peek(root)
  if (!p) return 0
  let f = frameOf(p)
  let expect: i32 = -1
  let depth: i32 = 0
  while (true) {
    if (!nodeLooksValid(p, expect)) {
      checkNode(p, framePage(f), expect)
      return 0
    }
    if (pageType(p) == PT_LEAF) return p
    const n = nodeCount(p)
    const idx = edge < 0 ? 0 : edge > 0 ? n : interiorSearch(p, key, keyLength)
    expect = <i32>node(p).level - 1
    if (++depth >= MAX_DEPTH) {
      corrupt(childAt(p, idx), D_LEVEL)
      return 0
    }
    let c = childCacheOf(f)
    const e = c ? childCacheEntry(c, idx) : 0
    if (e) {
      count(C_CHILD_CACHE_HIT)
      f = e - 1
      p = touchFrame(f)
      continue
    }
    const before = childCacheEpoch()
    const q = peek(childAt(p, idx))
    if (!q) return 0
    const g = frameOf(q)
    // Record the child only when no page left its frame during the peek: then p is still the node in frame f.
    if (childCacheEpoch() == before) {
      if (!c && !frameDirty(f)) c = childCacheMake(f, <u32>n + 1)
      if (c) childCacheSet(c, idx, g)
    }
    p = q
    f = g
  }
  return 0
}

// ---- values ---------------------------------------------------------------------------------------

/** Copies the value of leaf cell c to `dst` (inline or from its overflow chain). */
export function copyValue(c: usize, dst: usize): i32 {
  const w = leafValueWord(c)
  const length = w & ~VALUE_OVERFLOW
  if (w & VALUE_OVERFLOW) return readChain(leafOverflowPage(c), length, dst)
  copyBytes(dst, leafValue(c), length)
  return OK
}

/** Value length of leaf cell c. */
@inline export function valueLength(c: usize): u32 {
  return leafValueWord(c) & ~VALUE_OVERFLOW
}

/**
 * Writes a result record [found u32][length u32][value bytes, padded to 4] at `out` for cell c (0 = absent).
 * Returns the record size, or E_OUTPUT (needed = offset + size) when it does not fit in `cap`.
 */
export function writeResult(c: usize, out: usize, cap: usize, offset: usize): i32 {
  const length = c ? valueLength(c) : 0
  const size = resultSize(length)
  if (offset + size > cap) return needOutput(<u32>(offset + size))
  setResult(out + offset, c != 0, length)
  if (c) {
    const st = copyValue(c, resultValue(out + offset))
    if (st < 0) return st
  }
  return <i32>size
}

/**
 * Looks `key` up; writes a value reference at out (io-format.ts): an inline value is not copied, its address
 * in the leaf's frame is handed out (valid until the next fetch, buffer-pool.ts (1)); an overflow value is read
 * into the output buffer (E_OUTPUT with the needed size when it does not fit, with 3 bytes to spare). Returns
 * 1 found, 0 absent, or a status.
 */
export function getOne(root: u32, key: usize, keyLength: u32, out: usize, cap: usize): i32 {
  const p = findLeaf(root, key, keyLength, 0)
  if (!p) return failure()
  const idx = leafSearch(p, key, keyLength)
  if (!searchFound) {
    setValueRef(out, false, 0, 0)
    return 0
  }
  const c = cellAt(p, idx)
  const w = leafValueWord(c)
  const length = w & ~VALUE_OVERFLOW
  let at = leafValue(c)
  if (w & VALUE_OVERFLOW) {
    // Three bytes of slack: the host copies whole words and may read up to 3 bytes past the value.
    const dst = valueRefData(out)
    const need = dst - out + <usize>length + 3
    if (need > cap) return needOutput(<u32>need)
    const st = readChain(leafOverflowPage(c), length, dst)
    if (st < 0) return st
    at = dst
  }
  setValueRef(out, true, length, at)
  return 1
}

// ---- grouped lookups (bt_get_batch) ---------------------------------------------------------------

/** Keys descended together by `descendGroup`. */
export const GROUP: i32 = 8
const GROUP_KEYS: usize = memory.data(GROUP * 4)
const GROUP_LENGTHS: usize = memory.data(GROUP * 4)
const GROUP_PAGES: usize = memory.data(GROUP * 4)

/** Sets key k of the next group. */
@inline export function setGroupKey(k: i32, key: usize, keyLength: u32): void {
  store<u32>(GROUP_KEYS + (<usize>k << 2), <u32>key)
  store<u32>(GROUP_LENGTHS + (<usize>k << 2), keyLength)
}

@inline function groupKey(k: i32): usize {
  return <usize>load<u32>(GROUP_KEYS + (<usize>k << 2))
}

@inline function groupKeyLength(k: i32): u32 {
  return load<u32>(GROUP_LENGTHS + (<usize>k << 2))
}

@inline function groupPage(k: i32): u32 {
  return load<u32>(GROUP_PAGES + (<usize>k << 2))
}

@inline function setGroupPage(k: i32, pg: u32): void {
  store<u32>(GROUP_PAGES + (<usize>k << 2), pg)
}

/** Frame of each group key's current node (descents through frames). */
const GROUP_FRAMES: usize = memory.data(GROUP * 4)
/** Whether the last `descendGroup` left frames (true) or page numbers (false) for the keys' leaves. */
let groupByFrame: bool = false
/** Pool epoch in which the group's frames were found, and the group's root. */
let groupEpoch: u64 = 0
let groupRoot: u32 = 0

@inline function groupFrame(k: i32): u32 {
  return load<u32>(GROUP_FRAMES + (<usize>k << 2))
}

@inline function setGroupFrame(k: i32, f: u32): void {
  store<u32>(GROUP_FRAMES + (<usize>k << 2), f)
}

/** Status of `descendGroupByFrame` when a page left its frame on the way (the frames found may be stale). */
const GROUP_RETRY: i32 = 1

/**
 * Descends from `root` towards the first `g` (<= GROUP) group keys in lockstep, one level for every key
 * before the next level: the cache misses of different keys' descents are independent, so the CPU overlaps
 * them (memory-level parallelism, as in group prefetching: Chen, Ailamaki, Gibbons, Mowry, "Improving hash
 * join performance through prefetching", 2004; WASM has no prefetch instruction). First through frames and
 * the child-frame cache, as `findLeaf` (frames stay valid while no page leaves its frame); when a page does
 * leave its frame on the way, again with page numbers only (a frame pointer is used right after its peek,
 * buffer-pool.ts (1)). Leaves: getInGroupLeaf.
 */
export function descendGroup(root: u32, g: i32): i32 {
  if (root == 0) return fail(E_BAD_ARGUMENT)
  groupRoot = root
  groupEpoch = childCacheEpoch()
  const st = descendGroupByFrame(root, g)
  groupByFrame = st == OK && childCacheEpoch() == groupEpoch
  if (groupByFrame || st < 0) return st
  for (let k = 0; k < g; k++) setGroupPage(k, root)
  let expect: i32 = -1
  for (let depth: i32 = 0; depth < MAX_DEPTH; depth++) {
    let level: i32 = 0
    for (let k = 0; k < g; k++) {
      const pg = groupPage(k)
      const p = peek(pg)
      if (!p) return failure()
      const st = checkNode(p, pg, expect)
      if (st < 0) return st
      level = <i32>node(p).level
      if (level == 0) continue
      setGroupPage(k, childAt(p, interiorSearch(p, groupKey(k), groupKeyLength(k))))
    }
    if (level == 0) return OK
    expect = level - 1
  }
  return corrupt(groupPage(0), D_LEVEL)
}

/** `descendGroup` through frames (child-frame cache as `findLeaf`); OK, GROUP_RETRY, or a failure status. */
function descendGroupByFrame(root: u32, g: i32): i32 {
  const top = peek(root)
  if (!top) return failure()
  if (childCacheEpoch() != groupEpoch) return GROUP_RETRY
  const rootFrame = frameOf(top)
  for (let k = 0; k < g; k++) setGroupFrame(k, rootFrame)
  let expect: i32 = -1
  for (let depth: i32 = 0; depth < MAX_DEPTH; depth++) {
    let level: i32 = 0
    for (let k = 0; k < g; k++) {
      const f = groupFrame(k)
      const p = frameImage(f)
      if (!nodeLooksValid(p, expect)) return checkNode(p, framePage(f), expect)
      level = <i32>node(p).level
      if (level == 0) continue
      const idx = interiorSearch(p, groupKey(k), groupKeyLength(k))
      let c = childCacheOf(f)
      const e = c ? childCacheEntry(c, idx) : 0
      if (e) {
        count(C_CHILD_CACHE_HIT)
        touchFrame(e - 1)
        setGroupFrame(k, e - 1)
        continue
      }
      const q = peek(childAt(p, idx))
      if (!q) return failure()
      if (childCacheEpoch() != groupEpoch) return GROUP_RETRY
      if (!c && !frameDirty(f)) c = childCacheMake(f, <u32>nodeCount(p) + 1)
      if (c) childCacheSet(c, idx, frameOf(q))
      setGroupFrame(k, frameOf(q))
    }
    if (level == 0) return OK
    expect = level - 1
  }
  return corrupt(framePage(groupFrame(0)), D_LEVEL)
}

/** Looks up group key k in its leaf (found by descendGroup); writes the result record as getInGroupLeaf. */
export function getInGroupLeaf(k: i32, out: usize, cap: usize, offset: usize): i32 {
  let p: usize = 0
  if (groupByFrame) {
    if (childCacheEpoch() == groupEpoch) {
      // No page left its frame since the descent (an overflow value read for an earlier key could evict).
      const f = groupFrame(k)
      p = frameImage(f)
      if (!nodeLooksValid(p, 0)) return checkNode(p, framePage(f), 0)
    } else {
      p = findLeaf(groupRoot, groupKey(k), groupKeyLength(k), 0)
      if (!p) return failure()
    }
  } else {
    const pg = groupPage(k)
    p = peek(pg)
    if (!p) return failure()
    const st = checkNode(p, pg, 0)
    if (st < 0) return st
  }
  const idx = leafSearch(p, groupKey(k), groupKeyLength(k))
  return writeResult(searchFound ? cellAt(p, idx) : 0, out, cap, offset)
}

// ---- work list (invariant 5) ----------------------------------------------------------------------

const WORK_CAPACITY: i32 = 512
const WORK_REDISTRIBUTE: u32 = 0x8000_0000
const MAX_FIX_STEPS: i32 = 1_000_000
let workArena: usize = 0
let workOffsets: usize = 0
let workCount: i32 = 0
let workTop: usize = 0
let fixKey: usize = 0
let fixKeyLength: u32 = 0

/** Address of work item k. */
@inline function workItem(k: i32): usize {
  return workArena + <usize>load<u32>(workOffsets + (<usize>k << 2))
}

/** Records where work item k starts in the arena. */
@inline function setWorkOffset(k: i32, offset: usize): void {
  store<u32>(workOffsets + (<usize>k << 2), <u32>offset)
}

/** Level word (level | flags) of the work item at e. */
@inline function workWord(e: usize): u32 {
  return load<u32>(e)
}

/** Key length of the work item at e (its key bytes follow at e + 8). */
@inline function workKeyLength(e: usize): u32 {
  return load<u32>(e, 4)
}

@inline function setWorkHead(e: usize, word: u32, keyLength: u32): void {
  store<u32>(e, word)
  store<u32>(e, keyLength, 4)
}

/** Drops the most recent work item. */
@inline function workPop(): void {
  workCount--
  workTop = workItem(workCount) - workArena
}

/** Carves the work list. */
export function btreeInit(): bool {
  workArena = regionAlloc(<usize>WORK_CAPACITY * (<usize>MAX_KEY + 8))
  workOffsets = regionAlloc(<usize>WORK_CAPACITY << 2)
  fixKey = regionAlloc(<usize>MAX_KEY + 8)
  return workArena != 0 && workOffsets != 0 && fixKey != 0
}

/** Forgets pending work (after a failure). */
export function workReset(): void {
  workCount = 0
  workTop = 0
}

/** Schedules a fill check of the node at `level` whose range holds the key. */
export function workPush(level: u32, key: usize, keyLength: u32, redistribute: bool): i32 {
  if (workCount == WORK_CAPACITY) return invariant('rebalance work list overflow')
  const e = workArena + workTop
  setWorkHead(e, level | (redistribute ? WORK_REDISTRIBUTE : 0), keyLength)
  memory.copy(e + 8, key, keyLength)
  setWorkOffset(workCount, workTop)
  workCount++
  workTop += (8 + <usize>keyLength + 3) & ~3
  return OK
}

/** Schedules a check of node p's range (by its first key) at its level. */
function workPushNode(p: usize, redistribute: bool): i32 {
  if (nodeCount(p) == 0) return OK
  const c = cellAt(p, 0)
  return workPush(<u32>node(p).level, cellKey(c), cellKeyLength(c), redistribute)
}

/** Processes the work list until it is empty (invariant 5). */
export function runFix(root: u32): i32 {
  let steps: i32 = 0
  while (workCount > 0) {
    const e = workItem(workCount - 1)
    const word = workWord(e)
    fixKeyLength = workKeyLength(e)
    memory.copy(fixKey, e + 8, fixKeyLength)
    workPop()
    const st = fixOne(root, word & ~WORK_REDISTRIBUTE, fixKey, fixKeyLength, (word & WORK_REDISTRIBUTE) != 0)
    if (st < 0) {
      workReset()
      return st
    }
    if (++steps > MAX_FIX_STEPS) {
      workReset()
      return invariantAt(root, 'rebalancing did not converge')
    }
  }
  return OK
}

// ---- splits -----------------------------------------------------------------------------------------

/** Moves the root's content into a new page and makes the root an interior node above it (invariant 4). */
function pushRootDown(): i32 {
  const p = pathPtr(0)
  if (pathDepth + 2 >= MAX_DEPTH) return corrupt(pathPage(0), D_LEVEL)
  const cpg = allocPage()
  if (!cpg) return failure()
  const c = newFrame(cpg)
  if (!c) return failure()
  memory.copy(c, p, CONTENT_END)
  const level = <u32>node(p).level
  nodeSetup(p, PT_INTERIOR, level + 1)
  node(p).link = cpg
  markDirty(p)
  count(C_ROOT_SPLIT)
  for (let d = pathDepth; d >= 1; d--) {
    setPath(d + 1, pathPage(d), pathPtr(d))
    setPathIdx(d + 1, pathIdx(d))
  }
  const rootIdx = pathIdx(0)
  setPath(1, cpg, c)
  setPathIdx(1, rootIdx)
  setPathIdx(0, 0)
  pathDepth++
  return OK
}

/**
 * Inserts the cell (src, size) at index pos of the node at path depth d, which has no room for it, by
 * splitting the node (and its ancestors as needed). For an interior node, `rightChild` becomes child pos+1.
 */
function splitNode(d: i32, pos: i32, src: usize, size: u32, rightChild: u32, append: bool): i32 {
  if (d == 0) {
    const st = pushRootDown()
    if (st < 0) return st
    d = 1
  }
  const p = pathPtr(d)
  const pg = pathPage(d)
  const leaf = pageType(p) == PT_LEAF
  const level = <u32>node(p).level
  const n = nodeCount(p)
  memory.copy(scratchA, p, pageSize)
  if (!leaf) setChildAt(scratchA, pos, rightChild)
  clReset()
  clPushNode(scratchA, 0, pos)
  clPush(src, size)
  clPushNode(scratchA, pos, n)
  const total = n + 1
  let j: i32
  if (leaf) j = append ? n : chooseLeafSplit()
  else j = append ? n - 1 : chooseInteriorPivot()
  if (j < 1 || j >= total || (!leaf && j + 1 >= total)) return invariantAt(pg, 'no split point fits both halves')
  count(leaf ? C_LEAF_SPLIT : C_INTERIOR_SPLIT)
  if (append) count(C_APPEND_SPLIT)
  const rpg = allocPage()
  if (!rpg) return failure()
  const r = newFrame(rpg)
  if (!r) return failure()
  nodeSetup(r, leaf ? PT_LEAF : PT_INTERIOR, level)
  nodeClearCells(p)
  let sepCell: usize = 0
  let sepTruncated: u32 = 0
  if (leaf) {
    nodeAppendList(p, 0, j)
    nodeAppendList(r, j, total)
    const oldRight = node(scratchA).link
    node(r).link = oldRight
    node(r).prev = pg
    node(p).link = rpg
    if (oldRight) {
      const nb = fetch(oldRight)
      if (!nb) return failure()
      if (pageType(nb) != PT_LEAF) return corrupt(oldRight, D_PAGE_TYPE, pageType(nb))
      node(nb).prev = rpg
      markDirty(nb)
    }
    sepCell = cellAt(r, 0)
    const leftLast = cellAt(p, j - 1)
    sepTruncated = separatorLength(cellKey(leftLast), cellKeyLength(leftLast), cellKey(sepCell), cellKeyLength(sepCell))
  } else {
    nodeAppendList(p, 0, j)
    node(p).link = cellChild(clPtr(j))
    nodeAppendList(r, j + 1, total)
    node(r).link = node(scratchA).link
    sepCell = clPtr(j)
    sepTruncated = cellKeyLength(sepCell)
  }
  markDirty(p)
  markDirty(r)
  const sep = level & 1 ? sepBuffer1 : sepBuffer0
  const sepLength = sepTruncated
  writeInteriorCell(sep, pg, cellKey(sepCell), sepLength)
  let st = workPushNode(p, false)
  if (st < 0) return st
  st = workPushNode(r, false)
  if (st < 0) return st
  const q = pathPtr(d - 1)
  const qi = pathIdx(d - 1)
  return insertCell(d - 1, qi, sep, 6 + sepLength, rpg, append && qi == nodeCount(q))
}

/** Inserts interior cell (src, size) at index pos of the node at depth d and sets child pos+1 to `rightChild`. */
function insertCell(d: i32, pos: i32, src: usize, size: u32, rightChild: u32, append: bool): i32 {
  const p = pathPtr(d)
  const c = nodeReserve(p, pos, size)
  if (c) {
    memory.copy(c, src, size)
    nodeKeyAdded(p, pos)
    setChildAt(p, pos + 1, rightChild)
    markDirty(p)
    return OK
  }
  return splitNode(d, pos, src, size, rightChild, append)
}

// ---- put / delete -----------------------------------------------------------------------------------

/** Set by putOne/deleteOne: bytes written at the old-value output (0 when not requested). */
export let oldWritten: i32 = 0

/**
 * Inserts or replaces key -> value. With `oldOut` != 0, first writes the previous value's result record
 * (writeResult) at oldOut (capacity oldCap), failing with E_OUTPUT before any change when it does not fit.
 * Returns 1 when the key existed, 0 when it was inserted, or a status.
 */
export function putOne(
  root: u32,
  key: usize,
  keyLength: u32,
  value: usize,
  valueLen: u32,
  oldOut: usize,
  oldCap: usize,
): i32 {
  oldWritten = 0
  if (keyLength > MAX_KEY) return fail(E_KEY_TOO_LARGE)
  if (valueLen > MAX_VALUE_LENGTH) return fail(E_BAD_ARGUMENT)
  const mark = pinMark()
  let st = descend(root, key, keyLength, 0)
  if (st < 0) {
    releaseTo(mark)
    return st
  }
  const d = pathDepth
  const leaf = pathPtr(d)
  const idx = leafSearch(leaf, key, keyLength)
  const found = searchFound
  const inline = valueInline(keyLength, valueLen)
  const size = leafCellBytes(keyLength, valueLen)
  if (oldOut) {
    st = writeResult(found ? cellAt(leaf, idx) : 0, oldOut, oldCap, 0)
    if (st < 0) {
      releaseTo(mark)
      return st
    }
    oldWritten = st
  }
  let oldSize: u32 = 0
  if (found) {
    const c = cellAt(leaf, idx)
    const w = leafValueWord(c)
    oldSize = leafCellSize(c)
    if (inline && !(w & VALUE_OVERFLOW) && oldSize == size) {
      setLeafValueWord(c, valueLen)
      copyBytes(leafValue(c), value, valueLen)
      markDirty(leaf)
      releaseTo(mark)
      return 1
    }
    if (w & VALUE_OVERFLOW) {
      st = freeChain(leafOverflowPage(c), w & ~VALUE_OVERFLOW)
      if (st < 0) {
        releaseTo(mark)
        return st
      }
    }
    nodeRemove(leaf, idx)
    markDirty(leaf)
  }
  let first: u32 = 0
  if (!inline) {
    first = writeChain(value, valueLen)
    if (!first) {
      releaseTo(mark)
      return failure()
    }
  }
  const c = nodeReserve(leaf, idx, size)
  if (c) {
    writeLeafCell(c, key, keyLength, value, valueLen, inline, first)
    nodeKeyAdded(leaf, idx)
    markDirty(leaf)
    if (found && size < oldSize && d > 0) st = workPush(0, key, keyLength, true)
  } else {
    writeLeafCell(scratchCell, key, keyLength, value, valueLen, inline, first)
    const append = idx == nodeCount(leaf) && node(leaf).link == 0
    st = splitNode(d, idx, scratchCell, size, 0, append)
  }
  releaseTo(mark)
  if (st >= 0) st = runFix(root)
  else workReset()
  return st < 0 ? st : found ? 1 : 0
}

function writeLeafCell(c: usize, key: usize, keyLength: u32, value: usize, valueLen: u32, inline: bool, first: u32): void {
  writeLeafCellHead(c, key, keyLength, inline ? valueLen : valueLen | VALUE_OVERFLOW)
  if (inline) copyBytes(leafValue(c), value, valueLen)
  else setLeafOverflowPage(c, first)
}

/**
 * Deletes `key`. With `oldOut` != 0, first writes the old value's result record (as putOne).
 * Returns 1 when the key existed, 0 otherwise, or a status.
 */
export function deleteOne(root: u32, key: usize, keyLength: u32, oldOut: usize, oldCap: usize): i32 {
  oldWritten = 0
  if (keyLength > MAX_KEY) return fail(E_KEY_TOO_LARGE)
  const mark = pinMark()
  let st = descend(root, key, keyLength, 0)
  if (st < 0) {
    releaseTo(mark)
    return st
  }
  const d = pathDepth
  const leaf = pathPtr(d)
  const idx = leafSearch(leaf, key, keyLength)
  const found = searchFound
  if (oldOut) {
    st = writeResult(found ? cellAt(leaf, idx) : 0, oldOut, oldCap, 0)
    if (st < 0) {
      releaseTo(mark)
      return st
    }
    oldWritten = st
  }
  if (!found) {
    releaseTo(mark)
    return 0
  }
  const c = cellAt(leaf, idx)
  const w = leafValueWord(c)
  if (w & VALUE_OVERFLOW) {
    st = freeChain(leafOverflowPage(c), w & ~VALUE_OVERFLOW)
    if (st < 0) {
      releaseTo(mark)
      return st
    }
  }
  nodeRemove(leaf, idx)
  markDirty(leaf)
  releaseTo(mark)
  if (d > 0) {
    st = workPush(0, key, keyLength, true)
    if (st >= 0) st = runFix(root)
    if (st < 0) return st
  }
  return 1
}

// ---- fill maintenance (invariant 5) -------------------------------------------------------------------

/** Collapses an interior root with no keys: its only child's content moves up (invariant 4). */
function collapseRoot(): i32 {
  const p = pathPtr(0)
  while (pageType(p) == PT_INTERIOR && nodeCount(p) == 0) {
    const cpg = node(p).link
    const level = <i32>node(p).level
    const mark = pinMark()
    const c = fetch(cpg)
    if (!c) return failure()
    const st = checkNode(c, cpg, level - 1)
    if (st < 0) return st
    memory.copy(p, c, CONTENT_END)
    markDirty(p)
    count(C_ROOT_COLLAPSE)
    releaseTo(mark)
    const fs = freePage(cpg)
    if (fs < 0) return fs
  }
  return OK
}

/** Merges node R (page rpg) into its left sibling L (page lpg); s = separator index in the parent at depth d-1. */
function merge(d: i32, s: i32, l: usize, lpg: u32, r: usize, rpg: u32): i32 {
  const q = pathPtr(d - 1)
  const leaf = pageType(l) == PT_LEAF
  if (!leaf) {
    const sc = cellAt(q, s)
    const keyLength = cellKeyLength(sc)
    // The children around the separator become siblings (invariant 5).
    const st = workPush(<u32>node(l).level - 1, cellKey(sc), keyLength, false)
    if (st < 0) return st
    const c = nodeReserve(l, nodeCount(l), 6 + keyLength)
    if (!c) return invariantAt(lpg, 'merged separator does not fit')
    writeInteriorCell(c, node(l).link, cellKey(sc), keyLength)
  }
  const rn = nodeCount(r)
  for (let i = 0; i < rn; i++) {
    const rc = cellAt(r, i)
    const sz = leaf ? leafCellSize(rc) : interiorCellSize(rc)
    const c = nodeReserve(l, nodeCount(l), sz)
    if (!c) return invariantAt(lpg, 'merged cells do not fit')
    memory.copy(c, rc, sz)
  }
  nodeRehint(l)
  const right = node(r).link
  node(l).link = right
  if (leaf && right) {
    const nb = fetch(right)
    if (!nb) return failure()
    if (pageType(nb) != PT_LEAF) return corrupt(right, D_PAGE_TYPE, pageType(nb))
    node(nb).prev = lpg
    markDirty(nb)
  }
  markDirty(l)
  nodeRemove(q, s)
  setChildAt(q, s, lpg)
  markDirty(q)
  count(C_MERGE)
  return freePage(rpg)
}

/**
 * Moves cells between siblings L and R (separator index s in the parent at depth d-1) so that both end up
 * at least MIN_FILL. Returns 1 when done, 0 when no such distribution exists (nothing changed), or a status.
 * The new separator replaces the old one; when it does not fit, the parent splits (insertCell).
 */
function redistribute(d: i32, s: i32, l: usize, lpg: u32, r: usize, rpg: u32): i32 {
  const q = pathPtr(d - 1)
  const leaf = pageType(l) == PT_LEAF
  memory.copy(scratchA, l, pageSize)
  memory.copy(scratchB, r, pageSize)
  clReset()
  clPushNode(scratchA, 0, nodeCount(scratchA))
  let oldLength: u32 = 0
  if (!leaf) {
    const sc = cellAt(q, s)
    oldLength = cellKeyLength(sc)
    writeInteriorCell(sepOld, node(scratchA).link, cellKey(sc), oldLength)
    clPush(sepOld, 6 + oldLength)
  }
  clPushNode(scratchB, 0, nodeCount(scratchB))
  const n = clCount()
  const j = leaf ? chooseLeafSplit() : chooseInteriorPivot()
  if (j < 1) return 0
  const leftCost = clCost(0, j)
  const rightCost = leaf ? clCost(j, n) : clCost(j + 1, n)
  if (leftCost < MIN_FILL || rightCost < MIN_FILL) return 0
  const sepLength = leaf
    ? separatorLength(cellKey(clPtr(j - 1)), clKeyLength(j - 1), cellKey(clPtr(j)), clKeyLength(j))
    : clKeyLength(j)
  writeInteriorCell(sepNew, lpg, cellKey(clPtr(j)), sepLength)
  nodeClearCells(l)
  nodeAppendList(l, 0, j)
  nodeClearCells(r)
  if (leaf) {
    nodeAppendList(r, j, n)
  } else {
    node(l).link = cellChild(clPtr(j))
    nodeAppendList(r, j + 1, n)
  }
  markDirty(l)
  markDirty(r)
  let st = workPushNode(l, false)
  if (st < 0) return st
  st = workPushNode(r, false)
  if (st < 0) return st
  if (!leaf) {
    // The old separator now sits inside a node: the children around it became siblings (invariant 5).
    st = workPush(<u32>node(l).level - 1, cellKey(sepOld), oldLength, false)
    if (st < 0) return st
  }
  nodeRemove(q, s)
  markDirty(q)
  count(C_REDISTRIBUTE)
  const splitsBefore = counter(C_INTERIOR_SPLIT)
  st = insertCell(d - 1, s, sepNew, 6 + sepLength, rpg, false)
  if (counter(C_INTERIOR_SPLIT) != splitsBefore) count(C_SEPARATOR_SPLIT)
  return st < 0 ? st : 1
}

/** Fill check of the node at `level` whose range holds `key` (invariant 5). */
function fixOne(root: u32, level: u32, key: usize, keyLength: u32, allowRedistribute: bool): i32 {
  const mark = pinMark()
  let st = descend(root, key, keyLength, level)
  if (st < 0) {
    releaseTo(mark)
    return st
  }
  const d = pathDepth
  if (d == 0) {
    st = collapseRoot()
    releaseTo(mark)
    return st
  }
  const x = pathPtr(d)
  if (<u32>node(x).level != level) {
    releaseTo(mark)
    return OK
  }
  const xpg = pathPage(d)
  const q = pathPtr(d - 1)
  const i = pathIdx(d - 1)
  const n = nodeCount(q)
  const leaf = pageType(x) == PT_LEAF
  const ux = nodeUsed(x)
  let lp: usize = 0
  let lpg: u32 = 0
  let ul: u32 = 0
  let rp: usize = 0
  let rpg: u32 = 0
  let ur: u32 = 0
  if (i > 0) {
    lpg = childAt(q, i - 1)
    lp = fetch(lpg)
    if (!lp) return releaseFail(mark)
    st = checkNode(lp, lpg, <i32>level)
    if (st < 0) return releaseWith(mark, st)
    ul = nodeUsed(lp)
    const sepCost: u32 = leaf ? 0 : interiorCellSize(cellAt(q, i - 1)) + SLOT_SIZE
    if ((ux < MIN_FILL || ul < MIN_FILL) && ux + ul + sepCost <= USABLE) {
      st = merge(d, i - 1, lp, lpg, x, xpg)
      if (st >= 0) st = workPush(level + 1, key, keyLength, true)
      if (st >= 0) st = workPush(level, key, keyLength, true)
      return releaseWith(mark, st)
    }
  }
  if (i < n) {
    rpg = childAt(q, i + 1)
    rp = fetch(rpg)
    if (!rp) return releaseFail(mark)
    st = checkNode(rp, rpg, <i32>level)
    if (st < 0) return releaseWith(mark, st)
    ur = nodeUsed(rp)
    const sepCost: u32 = leaf ? 0 : interiorCellSize(cellAt(q, i)) + SLOT_SIZE
    if ((ux < MIN_FILL || ur < MIN_FILL) && ux + ur + sepCost <= USABLE) {
      st = merge(d, i, x, xpg, rp, rpg)
      if (st >= 0) st = workPush(level + 1, key, keyLength, true)
      if (st >= 0) st = workPush(level, key, keyLength, true)
      return releaseWith(mark, st)
    }
  }
  if (allowRedistribute && ux < MIN_FILL) {
    const leftFirst = lp != 0 && (rp == 0 || ul >= ur)
    for (let k = 0; k < 2; k++) {
      const useLeft = (k == 0) == leftFirst
      if (useLeft && lp == 0) continue
      if (!useLeft && rp == 0) continue
      st = workPush(level + 1, key, keyLength, true)
      if (st < 0) return releaseWith(mark, st)
      const r = useLeft ? redistribute(d, i - 1, lp, lpg, x, xpg) : redistribute(d, i, x, xpg, rp, rpg)
      if (r != 0) return releaseWith(mark, r < 0 ? r : OK)
      workPop()
    }
  }
  releaseTo(mark)
  return OK
}

function releaseWith(mark: u32, st: i32): i32 {
  releaseTo(mark)
  return st
}

function releaseFail(mark: u32): i32 {
  releaseTo(mark)
  return failure()
}

// ---- create / drop ------------------------------------------------------------------------------------

/** Allocates an empty tree (a leaf root); returns its root page or 0 on failure. */
export function createTree(): u32 {
  const mark = pinMark()
  const pg = allocPage()
  if (!pg) return 0
  const p = newFrame(pg)
  if (!p) return 0
  nodeSetup(p, PT_LEAF, 0)
  releaseTo(mark)
  return pg
}

function dropNode(pg: u32, level: i32): i32 {
  const mark = pinMark()
  const p = fetch(pg)
  if (!p) return failure()
  let st = checkNode(p, pg, level)
  if (st < 0) return releaseWith(mark, st)
  const n = nodeCount(p)
  if (pageType(p) == PT_INTERIOR) {
    const childLevel = <i32>node(p).level - 1
    for (let i = 0; i <= n; i++) {
      st = dropNode(childAt(p, i), childLevel)
      if (st < 0) return releaseWith(mark, st)
    }
  } else {
    for (let i = 0; i < n; i++) {
      const c = cellAt(p, i)
      const w = leafValueWord(c)
      if (w & VALUE_OVERFLOW) {
        st = freeChain(leafOverflowPage(c), w & ~VALUE_OVERFLOW)
        if (st < 0) return releaseWith(mark, st)
      }
    }
  }
  releaseTo(mark)
  return freePage(pg)
}

/** Frees every page of the tree at `root`, the root included. */
export function dropTree(root: u32): i32 {
  if (root == 0) return fail(E_BAD_ARGUMENT)
  return dropNode(root, -1)
}

/** Rebalances the right edge after a bulk load: schedules every level of the right edge (btree-bulk.ts). */
export function fixRightEdge(root: u32, levels: u32, key: usize, keyLength: u32): i32 {
  for (let level: u32 = levels; level-- > 0; ) {
    const st = workPush(level, key, keyLength, true)
    if (st < 0) return st
  }
  return runFix(root)
}

