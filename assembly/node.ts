/**
 * Slotted B+tree nodes: geometry limits, in-place cell insert/remove, compaction, rebuilding from a cell list.
 * Owns: the space accounting of a node (used bytes, fill), the cell list used by splits, merges and
 * redistribution, the scratch pages those operations copy nodes into.
 * Invariants:
 *   (1) used(p) = sum over cells of (cell size + 4 slot bytes) = (pageSize-4 - content - frag) + 4*count,
 *       and used(p) <= USABLE = pageSize - 36.
 *   (2) Every cell costs at most MAX_CELL_COST = floor(USABLE / 2) (slot included), so any cell list that
 *       overflows one node splits into two nodes that each fit: the larger half is at most
 *       (USABLE + 2*MAX_CELL_COST)/2 <= USABLE.
 *   (3) Keys are at most MAX_KEY = (pageSize-64)/4 bytes; a value is stored inline when it is at most
 *       pageSize/4 bytes and its cell stays within MAX_CELL_COST, otherwise in an overflow chain (the leaf
 *       cell then holds the first overflow page).
 *   (4) MIN_FILL = floor(USABLE / 3): a non-root node below it is merged with an adjacent sibling when the
 *       merge fits (btree.ts), else redistributed with a sibling when both halves end up at least MIN_FILL.
 *   (5) Cells referenced by the cell list never live in the node being rebuilt (they live in scratch copies
 *       or in separate buffers).
 *   (6) Prefix and hints (page-layout.ts): every key of a node starts with the node's first P bytes, and
 *       slot i's hint = keyHint(key i, P). A rebuilt node gets P = lcp(first key, last key) (all keys lie between
 *       them, so they share it) and fresh hints; a key added in the middle shares P already; a key added at an
 *       edge may shrink P (then every hint is recomputed); removing keys keeps P valid.
 * Not here: the page format itself (page-layout.ts), tree-level algorithms (btree.ts).
 */
import { pageSize } from './buffer-pool'
import {
  cellAt,
  cellChild,
  cellKeyLength,
  interiorCellSize,
  leafCellSize,
  node,
  NODE_OVERHEAD,
  NODE_SLOTS,
  cellKey,
  keyHint,
  nodeCount,
  pageType,
  PT_LEAF,
  setCellChild,
  setSlot,
  setSlotHint,
  slot,
  SLOT_SIZE,
} from './page-layout'
import { commonPrefix } from './keys'
import { regionAlloc } from './regions'

/** Bytes of a node available to cells and slots. */
export let USABLE: u32 = 0
/** Minimum fill of a non-root node (invariant 4). */
export let MIN_FILL: u32 = 0
/** Largest key (invariant 3). */
export let MAX_KEY: u32 = 0
/** Largest cost (cell + slot) of one cell (invariant 2). */
export let MAX_CELL_COST: u32 = 0
/** Largest inline value (invariant 3). */
export let MAX_INLINE_VALUE: u32 = 0
/** Offset of the trailer = end of the cell content area. */
export let CONTENT_END: u32 = 0

/** Scratch page copies used by splits, merges and redistribution (invariant 5). */
export let scratchA: usize = 0
export let scratchB: usize = 0
let scratchCompact: usize = 0
/** A leaf cell being inserted when its node must split. */
export let scratchCell: usize = 0
/** Separator cells: one per level parity for split propagation, plus the old and new separator of a redistribution. */
export let sepBuffer0: usize = 0
export let sepBuffer1: usize = 0
export let sepOld: usize = 0
export let sepNew: usize = 0

let clBase: usize = 0
let clCap: i32 = 0
let clLength: i32 = 0

/** Sets the geometry and carves the scratch regions. Returns false when memory cannot grow. */
export function nodeInit(): bool {
  USABLE = pageSize - NODE_OVERHEAD
  MIN_FILL = USABLE / 3
  MAX_KEY = (pageSize - 64) / 4
  MAX_CELL_COST = USABLE / 2
  MAX_INLINE_VALUE = pageSize / 4
  CONTENT_END = pageSize - 4
  scratchA = regionAlloc(pageSize)
  scratchB = regionAlloc(pageSize)
  scratchCompact = regionAlloc(pageSize)
  scratchCell = regionAlloc(pageSize)
  const sepSize = <usize>MAX_KEY + 16
  sepBuffer0 = regionAlloc(sepSize)
  sepBuffer1 = regionAlloc(sepSize)
  sepOld = regionAlloc(sepSize)
  sepNew = regionAlloc(sepSize)
  clCap = <i32>(pageSize / 4) + 16
  clBase = regionAlloc(<usize>clCap << 3)
  return clBase != 0 && sepNew != 0
}

/** True when a value of `valueLength` bytes with a key of `keyLength` bytes is stored inline (invariant 3). */
@inline export function valueInline(keyLength: u32, valueLength: u32): bool {
  return valueLength <= MAX_INLINE_VALUE && keyLength + valueLength + 6 + SLOT_SIZE <= MAX_CELL_COST
}

/** Size of the leaf cell for a key and value of these lengths. */
@inline export function leafCellBytes(keyLength: u32, valueLength: u32): u32 {
  return keyLength + (valueInline(keyLength, valueLength) ? valueLength : 4) + 6
}

/** Size of cell c of node p (by the node's type). */
@inline export function cellSize(p: usize, c: usize): u32 {
  return pageType(p) == PT_LEAF ? leafCellSize(c) : interiorCellSize(c)
}

/** Sets up an empty node (header fields only; the body is left as is). */
export function nodeSetup(p: usize, type: u8, level: u32): void {
  const h = node(p)
  h.type = type
  h.flags = 0
  h.count = 0
  h.reserved = 0
  h.link = 0
  h.prev = 0
  h.level = <u16>level
  h.content = <u16>CONTENT_END
  h.frag = 0
  h.prefix = 0
}

/** Bytes used by cells and slots (invariant 1). */
@inline export function nodeUsed(p: usize): u32 {
  const h = node(p)
  return CONTENT_END - <u32>h.content - <u32>h.frag + <u32>h.count * SLOT_SIZE
}

/** Recomputes P = lcp(first key, last key) and every hint (invariant 6). */
export function nodeRehint(p: usize): void {
  const n = nodeCount(p)
  if (n == 0) {
    node(p).prefix = 0
    return
  }
  const first = cellAt(p, 0)
  const last = cellAt(p, n - 1)
  let prefix = commonPrefix(cellKey(first), cellKeyLength(first), cellKey(last), cellKeyLength(last))
  if (prefix > 0xffff) prefix = 0xffff
  node(p).prefix = <u16>prefix
  for (let i = 0; i < n; i++) {
    const c = cellAt(p, i)
    setSlotHint(p, i, keyHint(cellKey(c), cellKeyLength(c), prefix))
  }
}

/** Sets the hint of the key just written at slot i, shrinking P first when the key landed at an edge (invariant 6). */
export function nodeKeyAdded(p: usize, i: i32): void {
  const n = nodeCount(p)
  if (n == 1) {
    nodeRehint(p)
    return
  }
  let prefix = <u32>node(p).prefix
  if (i == 0 || i == n - 1) {
    const first = cellAt(p, 0)
    const last = cellAt(p, n - 1)
    const shared = commonPrefix(cellKey(first), cellKeyLength(first), cellKey(last), cellKeyLength(last))
    if (shared < prefix) {
      nodeRehint(p)
      return
    }
  }
  const c = cellAt(p, i)
  setSlotHint(p, i, keyHint(cellKey(c), cellKeyLength(c), prefix))
}

/** Removes every cell (links and level are kept). */
export function nodeClearCells(p: usize): void {
  const h = node(p)
  h.count = 0
  h.content = <u16>CONTENT_END
  h.frag = 0
}

/** Rewrites the cells of p contiguously at the end of the page (frag becomes 0). */
export function nodeCompact(p: usize): void {
  memory.copy(scratchCompact, p, pageSize)
  const n = nodeCount(p)
  let content = CONTENT_END
  for (let i = 0; i < n; i++) {
    const c = scratchCompact + slot(scratchCompact, i)
    const sz = cellSize(scratchCompact, c)
    content -= sz
    memory.copy(p + content, c, sz)
    setSlot(p, i, content)
  }
  const h = node(p)
  h.content = <u16>content
  h.frag = 0
}

/**
 * Makes room for a cell of `size` bytes at slot i (compacting if needed); returns its address, or 0 when it
 * does not fit. The caller writes the cell, then calls nodeKeyAdded(p, i) to set its hint (invariant 6).
 */
export function nodeReserve(p: usize, i: i32, size: u32): usize {
  const h = node(p)
  const n = <i32>h.count
  const gapStart = <u32>NODE_SLOTS + <u32>n * SLOT_SIZE
  let content = <u32>h.content
  const need = size + SLOT_SIZE
  if (content - gapStart < need) {
    if (content - gapStart + <u32>h.frag < need) return 0
    nodeCompact(p)
    content = <u32>h.content
  }
  content -= size
  h.content = <u16>content
  const s = p + NODE_SLOTS + (<usize>i << 2)
  if (i < n) memory.copy(s + 4, s, <usize>(n - i) << 2)
  setSlot(p, i, content)
  setSlotHint(p, i, 0)
  h.count = <u16>(n + 1)
  return p + content
}

/** Removes cell i (its bytes become fragmented free space, or extend the gap when it was the lowest cell). */
export function nodeRemove(p: usize, i: i32): void {
  const h = node(p)
  const n = <i32>h.count
  const off = slot(p, i)
  const sz = cellSize(p, p + off)
  if (off == <u32>h.content) h.content = <u16>(off + sz)
  else h.frag = <u16>(<u32>h.frag + sz)
  const s = p + NODE_SLOTS + (<usize>i << 2)
  if (i + 1 < n) memory.copy(s, s + 4, <usize>(n - i - 1) << 2)
  h.count = <u16>(n - 1)
  if (n == 1) {
    h.content = <u16>CONTENT_END
    h.frag = 0
  }
}

/** Child i of an interior node (i == count: the rightmost child). */
@inline export function childAt(p: usize, i: i32): u32 {
  return i < nodeCount(p) ? cellChild(cellAt(p, i)) : node(p).link
}

/** Sets child i of an interior node (i == count: the rightmost child). */
@inline export function setChildAt(p: usize, i: i32, child: u32): void {
  if (i < nodeCount(p)) setCellChild(cellAt(p, i), child)
  else node(p).link = child
}

// ---- cell list ---------------------------------------------------------------------------------

/** Empties the cell list. */
@inline export function clReset(): void {
  clLength = 0
}

/** Number of cells in the list. */
@inline export function clCount(): i32 {
  return clLength
}

/** Appends a cell (address and size) to the list. */
@inline export function clPush(c: usize, size: u32): void {
  const e = clBase + (<usize>clLength << 3)
  store<u32>(e, <u32>c)
  store<u32>(e, size, 4)
  clLength++
}

/** Address of list cell k. */
@inline export function clPtr(k: i32): usize {
  return <usize>load<u32>(clBase + (<usize>k << 3))
}

/** Size of list cell k. */
@inline export function clSize(k: i32): u32 {
  return load<u32>(clBase + (<usize>k << 3), 4)
}

/** Cost (size + slot) of list cells [from, to). */
export function clCost(from: i32, to: i32): u32 {
  let t: u32 = 0
  for (let k = from; k < to; k++) t += clSize(k) + SLOT_SIZE
  return t
}

/** Appends cells [from, to) of node p (which must not be rebuilt while the list refers to it). */
export function clPushNode(p: usize, from: i32, to: i32): void {
  const leaf = pageType(p) == PT_LEAF
  for (let i = from; i < to; i++) {
    const c = cellAt(p, i)
    clPush(c, leaf ? leafCellSize(c) : interiorCellSize(c))
  }
}

/** Appends list cells [from, to) to node p (invariants 5, 6; the caller checked that they fit). */
export function nodeAppendList(p: usize, from: i32, to: i32): void {
  const h = node(p)
  let content = <u32>h.content
  let n = <i32>h.count
  for (let k = from; k < to; k++) {
    const sz = clSize(k)
    content -= sz
    memory.copy(p + content, clPtr(k), sz)
    setSlot(p, n, content)
    n++
  }
  h.content = <u16>content
  h.count = <u16>n
  nodeRehint(p)
}

/**
 * The split point j of a leaf list (left = [0, j), right = [j, n)) minimising the larger half with both
 * halves fitting; -1 when none exists.
 */
export function chooseLeafSplit(): i32 {
  const n = clLength
  const total = clCost(0, n)
  let best: i32 = -1
  let bestMax: u32 = 0xffff_ffff
  let left: u32 = 0
  for (let j = 1; j < n; j++) {
    left += clSize(j - 1) + SLOT_SIZE
    const right = total - left
    if (left > USABLE || right > USABLE) continue
    const m = left > right ? left : right
    if (m < bestMax) {
      bestMax = m
      best = j
    }
  }
  return best
}

/**
 * The pivot j of an interior list (left = [0, j), j moves up, right = [j+1, n)) minimising the larger half,
 * both halves holding at least one cell and fitting; -1 when none exists.
 */
export function chooseInteriorPivot(): i32 {
  const n = clLength
  const total = clCost(0, n)
  let best: i32 = -1
  let bestMax: u32 = 0xffff_ffff
  let left: u32 = 0
  for (let j = 1; j + 1 < n; j++) {
    left += clSize(j - 1) + SLOT_SIZE
    const right = total - left - clSize(j) - SLOT_SIZE
    if (left > USABLE || right > USABLE) continue
    const m = left > right ? left : right
    if (m < bestMax) {
      bestMax = m
      best = j
    }
  }
  return best
}

/** Key length of list cell k (both cell kinds keep the key length at offset 4). */
@inline export function clKeyLength(k: i32): u32 {
  return cellKeyLength(clPtr(k))
}
