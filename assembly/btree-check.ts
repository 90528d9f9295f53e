/**
 * bt_check: verifies every structural invariant of one tree and lists the pages it uses.
 * Owns: the verification walk and its output format.
 * Checks (btree.ts invariants):
 *   (1) node layout: type and level fit the position, slots inside the content area, cells inside the
 *       page, space accounting (cells + frag + gap = page) consistent; every key starts with the node's
 *       P-byte prefix and every slot hint matches its key (node.ts (6));
 *   (2) keys strictly ascending within each node and across leaves;
 *   (3) every key within its parent's separator bounds [lower, upper);
 *   (4) all leaves at the same depth; levels decrease by one per step down;
 *   (5) sibling links consistent both ways (left of the first leaf and right of the last are 0);
 *   (6) fill: no adjacent pair of children where one is below MIN_FILL and both fit in one node;
 *       an interior root has at least one key;
 *   (7) overflow chains have the right length, type and byte counts;
 *   (8) no page reached twice, no page 0, no page >= page count.
 * Output on success:
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | entries (leaf cells) |
 * | 4 | 4 | depth (levels: 1 for a lone root leaf) |
 * | 8 | 4 | page count n |
 * | 12 | 4 | reserved |
 * | 16 | 4*n | pages used (interior, leaf, overflow), ascending |
 *
 * A broken invariant returns E_INVARIANT with a message (messages.ts); a page that fails its checksum or
 * has a wrong type returns E_CORRUPT; a too small output buffer returns E_OUTPUT (needed bytes).
 * Not here: the freelist listing (page-alloc.ts).
 */
import { fetch, pinMark, releaseTo } from './buffer-pool'
import { checkNode, MAX_DEPTH } from './btree'
import { compareKeys } from './keys'
import { invariantAt } from './messages'
import {
  cellAt,
  cellKey,
  cellKeyLength,
  dbHeader,
  interiorCellSize,
  keyHint,
  leafCellSize,
  leafOverflowPage,
  leafValueWord,
  node,
  NODE_SLOTS,
  nodeCount,
  pageType,
  PT_LEAF,
  slot,
  SLOT_SIZE,
  slotHint,
  VALUE_OVERFLOW,
} from './page-layout'
import { childAt, CONTENT_END, MAX_KEY, MIN_FILL, USABLE } from './node'
import { commonPrefix } from './keys'
import { checkChain } from './overflow'
import { regionAlloc } from './regions'
import { failure, needOutput, OK } from './status'
import { arrayWord, setArrayWord, setOutputWord } from './io-format'

let out: usize = 0
let cap: usize = 0
let pageTotal: u32 = 0
let listed: u32 = 0
let entryTotal: u32 = 0
let leafDepth: i32 = -1
let prevLeaf: u32 = 0
let prevLeafRight: u32 = 0
let prevKey: usize = 0
let prevKeyLength: u32 = 0
let havePrevKey = false

/** Carves the previous-key buffer. */
export function checkInit(): bool {
  prevKey = regionAlloc(<usize>MAX_KEY + 8)
  return prevKey != 0
}

function visit(pg: u32): i32 {
  if (pg == 0 || pg >= pageTotal) return invariantAt(pg, 'page number out of range')
  if ((<usize>(listed + 1) << 2) + 16 <= cap) setArrayWord(out + 16, listed, pg)
  listed++
  return OK
}

function checkLayout(p: usize, pg: u32): i32 {
  const n = nodeCount(p)
  const content = <u32>node(p).content
  const leaf = pageType(p) == PT_LEAF
  const prefix = <u32>node(p).prefix
  let sum: u32 = 0
  for (let i = 0; i < n; i++) {
    const off = slot(p, i)
    if (off < content || off + 6 > CONTENT_END) return invariantAt(pg, 'slot outside the content area')
    const c = p + off
    const size = leaf ? leafCellSize(c) : interiorCellSize(c)
    if (off + size > CONTENT_END) return invariantAt(pg, 'cell runs past the trailer')
    const kl = cellKeyLength(c)
    if (kl > MAX_KEY) return invariantAt(pg, 'key longer than the limit')
    const c0 = cellAt(p, 0)
    if (kl < prefix || commonPrefix(cellKey(c), kl, cellKey(c0), cellKeyLength(c0)) < prefix) {
      return invariantAt(pg, "key does not start with the node's shared prefix")
    }
    if (slotHint(p, i) != keyHint(cellKey(c), kl, prefix)) return invariantAt(pg, 'slot hint does not match its key')
    sum += size
  }
  if (<u32>NODE_SLOTS + <u32>n * SLOT_SIZE > content) return invariantAt(pg, 'slot directory overlaps cells')
  if (CONTENT_END - content - <u32>node(p).frag != sum) return invariantAt(pg, 'space accounting mismatch')
  return OK
}

/** Checks the subtree at pg; returns its root node's used bytes, or a status. */
function checkSubtree(
  pg: u32,
  depth: i32,
  level: i32,
  lo: usize,
  loLength: u32,
  hasLo: bool,
  hi: usize,
  hiLength: u32,
  hasHi: bool,
): i32 {
  let st = visit(pg)
  if (st < 0) return st
  const mark = pinMark()
  const p = fetch(pg)
  if (!p) return failure()
  st = checkNode(p, pg, level)
  if (st >= 0) st = checkLayout(p, pg)
  if (st < 0) {
    releaseTo(mark)
    return st
  }
  const n = nodeCount(p)
  for (let i = 0; i < n; i++) {
    const c = cellAt(p, i)
    const k = cellKey(c)
    const kl = cellKeyLength(c)
    if (i > 0) {
      const b = cellAt(p, i - 1)
      if (compareKeys(cellKey(b), cellKeyLength(b), k, kl) >= 0) {
        releaseTo(mark)
        return invariantAt(pg, 'keys not strictly ascending')
      }
    }
    if ((hasLo && compareKeys(k, kl, lo, loLength) < 0) || (hasHi && compareKeys(k, kl, hi, hiLength) >= 0)) {
      releaseTo(mark)
      return invariantAt(pg, "key outside its parent's separator bounds")
    }
  }
  if (pageType(p) == PT_LEAF) {
    if (leafDepth < 0) leafDepth = depth
    else if (depth != leafDepth) {
      releaseTo(mark)
      return invariantAt(pg, 'leaves at different depths')
    }
    if (node(p).prev != prevLeaf) {
      releaseTo(mark)
      return invariantAt(pg, 'left sibling link does not match the previous leaf')
    }
    if (prevLeaf != 0 && prevLeafRight != pg) {
      releaseTo(mark)
      return invariantAt(prevLeaf, 'right sibling link does not match the next leaf')
    }
    if (n > 0) {
      const c = cellAt(p, 0)
      if (havePrevKey && compareKeys(prevKey, prevKeyLength, cellKey(c), cellKeyLength(c)) >= 0) {
        releaseTo(mark)
        return invariantAt(pg, 'keys not ascending across leaves')
      }
      const last = cellAt(p, n - 1)
      prevKeyLength = cellKeyLength(last)
      memory.copy(prevKey, cellKey(last), prevKeyLength)
      havePrevKey = true
    }
    prevLeaf = pg
    prevLeafRight = node(p).link
    entryTotal += <u32>n
    for (let i = 0; i < n; i++) {
      const c = cellAt(p, i)
      const w = leafValueWord(c)
      if (w & VALUE_OVERFLOW) {
        st = checkChain(leafOverflowPage(c), w & ~VALUE_OVERFLOW, visit)
        if (st < 0) {
          releaseTo(mark)
          return st
        }
      }
    }
  } else {
    if (depth == 0 && n == 0) {
      releaseTo(mark)
      return invariantAt(pg, 'interior root without keys')
    }
    if (depth + 1 >= MAX_DEPTH) {
      releaseTo(mark)
      return invariantAt(pg, 'tree too deep')
    }
    const childLevel = <i32>node(p).level - 1
    let prevUsed: i32 = 0
    let prevChild: u32 = 0
    for (let i = 0; i <= n; i++) {
      let clo = lo
      let cloLength = loLength
      let cHasLo = hasLo
      if (i > 0) {
        const b = cellAt(p, i - 1)
        clo = cellKey(b)
        cloLength = cellKeyLength(b)
        cHasLo = true
      }
      let chi = hi
      let chiLength = hiLength
      let cHasHi = hasHi
      if (i < n) {
        const c = cellAt(p, i)
        chi = cellKey(c)
        chiLength = cellKeyLength(c)
        cHasHi = true
      }
      const child = childAt(p, i)
      const used = checkSubtree(child, depth + 1, childLevel, clo, cloLength, cHasLo, chi, chiLength, cHasHi)
      if (used < 0) {
        releaseTo(mark)
        return used
      }
      if (i > 0) {
        const sepCost: u32 = childLevel == 0 ? 0 : interiorCellSize(cellAt(p, i - 1)) + SLOT_SIZE
        const a = <u32>prevUsed
        const b = <u32>used
        if ((a < MIN_FILL || b < MIN_FILL) && a + b + sepCost <= USABLE) {
          releaseTo(mark)
          return invariantAt(child, 'below minimum fill while a merge with its left sibling fits')
        }
      }
      prevUsed = used
      prevChild = child
    }
  }
  const usedBytes = CONTENT_END - <u32>node(p).content - <u32>node(p).frag + <u32>n * SLOT_SIZE
  releaseTo(mark)
  return <i32>usedBytes
}

function siftDown(base: usize, start: u32, end: u32): void {
  let root = start
  while (true) {
    let child = root * 2 + 1
    if (child >= end) return
    if (child + 1 < end && arrayWord(base, child + 1) > arrayWord(base, child)) child++
    const r = arrayWord(base, root)
    const c = arrayWord(base, child)
    if (r >= c) return
    setArrayWord(base, root, c)
    setArrayWord(base, child, r)
    root = child
  }
}

/** In-place heapsort of n u32 values at base (no extra memory). */
function sortPages(base: usize, n: u32): void {
  if (n < 2) return
  for (let start = (n - 2) / 2 + 1; start-- > 0; ) siftDown(base, start, n)
  for (let end = n - 1; end > 0; end--) {
    const t = arrayWord(base, 0)
    setArrayWord(base, 0, arrayWord(base, end))
    setArrayWord(base, end, t)
    siftDown(base, 0, end)
  }
}

/** Verifies the tree at `root` (see the header); results at `output`. Returns the page count or a status. */
export function checkTree(root: u32, output: usize, capacity: usize): i32 {
  out = output
  cap = capacity
  listed = 0
  entryTotal = 0
  leafDepth = -1
  prevLeaf = 0
  prevLeafRight = 0
  havePrevKey = false
  const mark = pinMark()
  const h = fetch(0)
  if (!h) return failure()
  pageTotal = dbHeader(h).pageCount
  releaseTo(mark)
  const st = checkSubtree(root, 0, -1, 0, 0, false, 0, 0, false)
  if (st < 0) return st
  if (prevLeafRight != 0) return invariantAt(prevLeaf, 'last leaf has a right sibling link')
  const need: usize = (<usize>listed << 2) + 16
  if (need > cap) return needOutput(<u32>need)
  const pages = out + 16
  sortPages(pages, listed)
  for (let i: u32 = 1; i < listed; i++) {
    const a = arrayWord(pages, i - 1)
    if (a == arrayWord(pages, i)) return invariantAt(a, 'page reached twice')
  }
  setOutputWord(out, 0, entryTotal)
  setOutputWord(out, 1, <u32>(leafDepth + 1))
  setOutputWord(out, 2, listed)
  setOutputWord(out, 3, 0)
  return <i32>listed
}
