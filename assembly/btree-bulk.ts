/**
 * Bulk load: builds a tree bottom-up from strictly ascending entries, streamed over several calls.
 * Owns: the bulk-load state between calls.
 * Invariants:
 *   (1) Only an empty tree (a leaf root with no cells) is bulk-loaded (E_BULK_NOT_EMPTY otherwise).
 *   (2) Keys must be strictly ascending across the whole stream (E_BULK_ORDER, entry index in
 *       last_error_arg, otherwise).
 *   (3) Leaves are filled left to right, each as full as it gets; when a leaf (or an interior node) is full,
 *       a new one starts and the separator (the new leaf's first key, suffix-truncated against the previous
 *       key as in btree.ts) goes to the open node one level up, which is created when its level gets its
 *       second node. Each level has one open node, the rightmost.
 *   (4) On the final call the top node's content moves into the root page (roots never move), and the right
 *       edge, the only place where nodes can be under-filled, is rebalanced (btree.ts fixRightEdge).
 *   (5) Between calls nothing is pinned; the state is page numbers plus a copy of the last key. No other
 *       export may modify the tree between the first and the last call (the wrapper runs them back to back).
 * Not here: the node format (page-layout.ts), rebalancing (btree.ts).
 */
import { fetch, markDirty, newFrame, pinMark, releaseTo } from './buffer-pool'
import { checkNode, fixRightEdge, MAX_DEPTH, separatorLength } from './btree'
import { compareKeys } from './keys'
import {
  leafValue,
  MAX_VALUE_LENGTH,
  node,
  nodeCount,
  pageType,
  PT_INTERIOR,
  PT_LEAF,
  setLeafOverflowPage,
  VALUE_OVERFLOW,
  writeInteriorCell,
  writeLeafCellHead,
} from './page-layout'
import { allocPage, freePage } from './page-alloc'
import { CONTENT_END, leafCellBytes, MAX_KEY, nodeKeyAdded, nodeReserve, nodeSetup, valueInline } from './node'
import { writeChain } from './overflow'
import { regionAlloc } from './regions'
import { copyBytes } from './keys'
import {
  E_BAD_ARGUMENT,
  E_BULK_NOT_EMPTY,
  E_BULK_ORDER,
  E_KEY_TOO_LARGE,
  fail,
  failure,
  OK,
  setErrorArg,
} from './status'
import { invariant } from './messages'

/** bt_bulk flag bits. */
export const BULK_BEGIN: u32 = 1
export const BULK_END: u32 = 2

const OPEN: usize = memory.data(MAX_DEPTH * 4)
let active = false
let bulkRoot: u32 = 0
let topLevel: i32 = -1
let lastKey: usize = 0
let lastKeyLength: u32 = 0
let entries: u32 = 0

@inline function openPage(level: i32): u32 {
  return load<u32>(OPEN + (<usize>level << 2))
}
@inline function setOpenPage(level: i32, pg: u32): void {
  store<u32>(OPEN + (<usize>level << 2), pg)
  if (level > topLevel) topLevel = level
}

/** Carves the last-key buffer. */
export function bulkInit(): bool {
  lastKey = regionAlloc(<usize>MAX_KEY + 8)
  return lastKey != 0
}

/** Starts a bulk load of the empty tree at `root` (invariant 1). */
export function bulkBegin(root: u32): i32 {
  if (root == 0) return fail(E_BAD_ARGUMENT)
  const mark = pinMark()
  const p = fetch(root)
  if (!p) return failure()
  const st = checkNode(p, root, -1)
  if (st < 0) {
    releaseTo(mark)
    return st
  }
  const empty = pageType(p) == PT_LEAF && nodeCount(p) == 0
  releaseTo(mark)
  if (!empty) return fail(E_BULK_NOT_EMPTY)
  memory.fill(OPEN, 0, MAX_DEPTH * 4)
  active = true
  bulkRoot = root
  topLevel = -1
  lastKeyLength = 0
  entries = 0
  return OK
}

/** Adds child `child` (first key `key`) at `level`; `prev` is the node before it at level-1 (invariant 3). */
function addChild(level: i32, prev: u32, child: u32, key: usize, keyLength: u32): i32 {
  if (level >= MAX_DEPTH - 1) return invariant('bulk load tree too deep')
  const mark = pinMark()
  let ipg = openPage(level)
  let ip: usize = 0
  if (ipg == 0) {
    ipg = allocPage()
    if (!ipg) return failure()
    ip = newFrame(ipg)
    if (!ip) return failure()
    nodeSetup(ip, PT_INTERIOR, <u32>level)
    node(ip).link = prev
    setOpenPage(level, ipg)
  } else {
    ip = fetch(ipg)
    if (!ip) return failure()
  }
  const c = nodeReserve(ip, nodeCount(ip), 6 + keyLength)
  if (c) {
    writeInteriorCell(c, node(ip).link, key, keyLength)
    nodeKeyAdded(ip, nodeCount(ip) - 1)
    node(ip).link = child
    markDirty(ip)
    releaseTo(mark)
    return OK
  }
  const npg = allocPage()
  if (!npg) return failure()
  const np = newFrame(npg)
  if (!np) return failure()
  nodeSetup(np, PT_INTERIOR, <u32>level)
  node(np).link = child
  setOpenPage(level, npg)
  const st = addChild(level + 1, ipg, npg, key, keyLength)
  releaseTo(mark)
  return st
}

/** Appends one entry (entry index `index` of the stream, for error messages). */
export function bulkAdd(key: usize, keyLength: u32, value: usize, valueLen: u32, index: u32): i32 {
  if (!active) return fail(E_BAD_ARGUMENT)
  if (keyLength > MAX_KEY) return fail(E_KEY_TOO_LARGE)
  if (valueLen > MAX_VALUE_LENGTH) return fail(E_BAD_ARGUMENT)
  if (entries > 0 && compareKeys(lastKey, lastKeyLength, key, keyLength) >= 0) {
    setErrorArg(index)
    return fail(E_BULK_ORDER)
  }
  const inline = valueInline(keyLength, valueLen)
  const size = leafCellBytes(keyLength, valueLen)
  let first: u32 = 0
  if (!inline) {
    first = writeChain(value, valueLen)
    if (!first) return failure()
  }
  const mark = pinMark()
  const lpg = openPage(0)
  let p: usize = 0
  let c: usize = 0
  if (lpg) {
    p = fetch(lpg)
    if (!p) return failure()
    c = nodeReserve(p, nodeCount(p), size)
  }
  if (!c) {
    const npg = allocPage()
    if (!npg) return failure()
    const np = newFrame(npg)
    if (!np) return failure()
    nodeSetup(np, PT_LEAF, 0)
    if (lpg) {
      node(p).link = npg
      node(np).prev = lpg
      markDirty(p)
      const st = addChild(1, lpg, npg, key, separatorLength(lastKey, lastKeyLength, key, keyLength))
      if (st < 0) return st
    }
    setOpenPage(0, npg)
    p = np
    c = nodeReserve(np, 0, size)
    if (!c) return invariant('bulk load cell does not fit an empty leaf')
  }
  writeLeafCellHead(c, key, keyLength, inline ? valueLen : valueLen | VALUE_OVERFLOW)
  if (inline) copyBytes(leafValue(c), value, valueLen)
  else setLeafOverflowPage(c, first)
  nodeKeyAdded(p, nodeCount(p) - 1)
  markDirty(p)
  releaseTo(mark)
  memory.copy(lastKey, key, keyLength)
  lastKeyLength = keyLength
  entries++
  return OK
}

/** Finishes the load: the top node moves into the root, the right edge is rebalanced (invariant 4). */
export function bulkEnd(root: u32): i32 {
  if (!active || root != bulkRoot) return fail(E_BAD_ARGUMENT)
  active = false
  if (topLevel < 0) return OK
  const mark = pinMark()
  const tpg = openPage(topLevel)
  const tp = fetch(tpg)
  if (!tp) return failure()
  const rp = fetch(root)
  if (!rp) return failure()
  memory.copy(rp, tp, CONTENT_END)
  markDirty(rp)
  releaseTo(mark)
  const st = freePage(tpg)
  if (st < 0) return st
  return fixRightEdge(root, <u32>topLevel, lastKey, lastKeyLength)
}

/** Abandons a bulk load after a failure (the caller discards the pool). */
export function bulkAbort(): void {
  active = false
}
