/**
 * Buffer pool: page frames in WASM memory, a page table, pins, clock eviction, dirty tracking.
 * Owns: which page lives in which frame, reading pages through the host (with CRC verification),
 * spilling dirty victims through the host, sealing pages (LSN + CRC trailer) for commit.
 * Invariants:
 *   (1) A frame pointer is valid only while its frame is pinned, or until the next call that can fetch
 *       or allocate a page (any such call may evict an unpinned frame).
 *   (2) Every page read from the host is CRC-verified before anyone sees it (status E_CORRUPT otherwise,
 *       and the frame stays invalid).
 *   (3) Pins are taken on a pin stack and released in LIFO order with `releaseTo(mark)`; between exports
 *       nothing is pinned (`releaseTo(0)`).
 *   (4) The page table holds exactly the valid frames (open addressing, linear probing, backward-shift
 *       deletion, capacity >= 2 x frames so a probe always meets an empty slot). An entry carries the page
 *       number next to the frame, so a lookup touches one table line and never the frame table.
 *   (5) A dirty victim is sealed with the provisional LSN (last commit sequence + 1) and handed to the host's
 *       spill_page before its frame is reused; a clean victim is preferred (the sweep looks at up to 32 more
 *       candidates past the first dirty one).
 *   (6) `prepareCommit` seals every dirty frame and marks it sealed; a later modification clears "sealed";
 *       `markClean` cleans only sealed frames.
 *   (7) A frame's child-frame cache is dropped whenever the frame is marked dirty, gets a page, or is emptied,
 *       and every removal of a page from the page table advances the cache's pool epoch (child-cache.ts (1),
 *       (2)); a hit through the cache (`touchFrame`) counts like a `peek` hit.
 *
 * Frame table entry (`FrameMeta`, 16 bytes each):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | page number held (valid frames only) |
 * | 4 | 4 | pin count |
 * | 8 | 4 | flags: 1 valid, 2 dirty, 8 sealed (prepareCommit'ed, unchanged since) |
 * | 12 | 4 | spare |
 *
 * Reference bits (clock): one byte per frame in a separate dense array (set on every access, cleared by the
 * sweep), so hits write to a small, cache-resident array instead of the frame table.
 *
 * Page table entry (8 bytes): [pageNo u32][frame index + 1 u32] (0 = empty). Home slot: pages are hashed in
 * groups of 8 consecutive numbers, group g = pageNo >>> 3 at line ((g * 0x9E3779B1) >>> shift), slot
 * pageNo & 7 within it, so the entries of a tree's pages (allocated close together) share lines: random
 * lookups over a large tree touch 1/8 of the table's lines instead of all of them.
 * Frame i's image lives at framesBase + i * pageSize.
 *
 * Not here: page allocation (page-alloc.ts), what pages contain (page-layout.ts).
 */
import { pageChecksum } from './crc32c'
import { dbHeader, pageTrailer, setPageLsn, setPageTrailer } from './page-layout'
import { setCommitCount, setCommitEntry, setStat } from './io-format'
import { childCacheDrop, childCacheEpochBump, childCacheReset } from './child-cache'
import { regionAlloc } from './regions'
import { corrupt, D_CHECKSUM, E_ALL_PINNED, fail, hostFailed, needOutput } from './status'

// @ts-ignore: decorator
@external('host', 'read_page')
declare function hostReadPage(pageNo: u32, dst: usize): i32

// @ts-ignore: decorator
@external('host', 'spill_page')
declare function hostSpillPage(pageNo: u32, src: usize): i32

@unmanaged
class FrameMeta {
  pageNo: u32
  pins: u32
  flags: u32
  spare: u32
}

const FRAME_META_SIZE: usize = offsetof<FrameMeta>()
const F_VALID: u32 = 1
const F_DIRTY: u32 = 2
const F_SEALED: u32 = 8
const PIN_STACK_CAPACITY: u32 = 4096
const CLEAN_SEARCH: u32 = 32
/** Page numbers are hashed in groups of 8 consecutive ones, which share one 64-byte line of the page table (invariant 4). */
const HASH_GROUP_SHIFT: u32 = 3
const HASH_GROUP_MASK: u32 = (1 << HASH_GROUP_SHIFT) - 1

/** Page size in bytes (power of two) and its log2. */
export let pageSize: u32 = 0
export let pageShift: u32 = 0

let frameCount: u32 = 0
let metaBase: usize = 0
let framesBase: usize = 0
let hashBase: usize = 0
let refBase: usize = 0
let hashMask: u32 = 0
let hashShift: u32 = 0
let hand: u32 = 0
let dirtyCount: u32 = 0
let pinStack: usize = 0
let pinTop: u32 = 0
let statHits: u64 = 0
let statMisses: u64 = 0
let statEvictions: u64 = 0
let statSpills: u64 = 0
/** LSN given to spilled pages: the last commit sequence number + 1 (refreshed whenever page 0 is read or written). */
let spillLsn: u64 = 1

@inline function meta(f: u32): FrameMeta {
  return changetype<FrameMeta>(metaBase + (<usize>f) * FRAME_META_SIZE)
}

/** Image of frame f. */
@inline export function frameData(f: u32): usize {
  return framesBase + (<usize>f << pageShift)
}

/** Index of the frame whose image is at p. */
@inline export function frameOf(p: usize): u32 {
  return <u32>((p - framesBase) >>> pageShift)
}

@inline function hashSlot(pageNo: u32): u32 {
  return ((((pageNo >>> HASH_GROUP_SHIFT) * 0x9e3779b1) >>> (hashShift + HASH_GROUP_SHIFT)) << HASH_GROUP_SHIFT) | (pageNo & HASH_GROUP_MASK)
}

/** Frame index + 1 stored in slot i (0 = empty). */
@inline function hashEntry(i: u32): u32 {
  return load<u32>(hashBase + (<usize>i << 3), 4)
}

/** Page number stored in slot i. */
@inline function hashPage(i: u32): u32 {
  return load<u32>(hashBase + (<usize>i << 3))
}

@inline function setHashEntry(i: u32, pageNo: u32, e: u32): void {
  const a = hashBase + (<usize>i << 3)
  store<u32>(a, pageNo)
  store<u32>(a, e, 4)
}

@inline function setRef(f: u32): void {
  store<u8>(refBase + <usize>f, 1)
}

@inline function refBit(f: u32): u8 {
  return load<u8>(refBase + <usize>f)
}

@inline function clearRef(f: u32): void {
  store<u8>(refBase + <usize>f, 0)
}

/** Frame index at position i of the pin stack. */
@inline function pinnedAt(i: u32): u32 {
  return load<u32>(pinStack + (<usize>i << 2))
}

@inline function setPinnedAt(i: u32, f: u32): void {
  store<u32>(pinStack + (<usize>i << 2), f)
}

/** Carves the frame table, page table, pin stack and frames. Returns false when memory cannot grow. */
export function poolInit(size: u32, frames: u32): bool {
  pageSize = size
  pageShift = <u32>ctz(size)
  frameCount = frames
  let cap: u32 = 16
  while (cap < frames * 2) cap <<= 1
  hashMask = cap - 1
  hashShift = 32 - <u32>ctz(cap)
  metaBase = regionAlloc(<usize>frames * FRAME_META_SIZE)
  refBase = regionAlloc(<usize>frames)
  hashBase = regionAlloc(<usize>cap << 3)
  pinStack = regionAlloc(<usize>PIN_STACK_CAPACITY << 2)
  // Page-aligned frames: a frame is one (or, for 64 KiB pages, a whole number of) OS pages, so visiting a
  // node costs one TLB miss, not two.
  framesBase = regionAlloc(<usize>frames << pageShift, <usize>size)
  return metaBase != 0 && refBase != 0 && hashBase != 0 && pinStack != 0 && framesBase != 0
}

@inline function hashFind(pageNo: u32): i32 {
  let i = hashSlot(pageNo)
  while (true) {
    const a = hashBase + (<usize>i << 3)
    const e = load<u32>(a, 4)
    if (e == 0) return -1
    if (load<u32>(a) == pageNo) return <i32>(e - 1)
    i = (i + 1) & hashMask
  }
  return -1
}

function hashInsert(pageNo: u32, f: u32): void {
  let i = hashSlot(pageNo)
  while (hashEntry(i) != 0) i = (i + 1) & hashMask
  setHashEntry(i, pageNo, f + 1)
}

function hashRemove(pageNo: u32): void {
  childCacheEpochBump()
  let i = hashSlot(pageNo)
  while (true) {
    const e = hashEntry(i)
    if (e == 0) return
    if (hashPage(i) == pageNo) break
    i = (i + 1) & hashMask
  }
  // Backward-shift deletion (Knuth 6.4 algorithm R): close the gap so probes never need tombstones.
  let j = i
  while (true) {
    j = (j + 1) & hashMask
    const e = hashEntry(j)
    if (e == 0) break
    const page = hashPage(j)
    const k = hashSlot(page)
    const stays = i <= j ? i < k && k <= j : i < k || k <= j
    if (stays) continue
    setHashEntry(i, page, e)
    i = j
  }
  setHashEntry(i, 0, 0)
}

function pin(f: u32): bool {
  if (pinTop == PIN_STACK_CAPACITY) {
    fail(E_ALL_PINNED)
    return false
  }
  setPinnedAt(pinTop, f)
  pinTop++
  meta(f).pins++
  return true
}

/** Current depth of the pin stack (invariant 3). */
@inline export function pinMark(): u32 {
  return pinTop
}

/** Unpins everything pinned since `mark` (invariant 3). */
export function releaseTo(mark: u32): void {
  while (pinTop > mark) {
    pinTop--
    meta(pinnedAt(pinTop)).pins--
  }
}

/** Pins the frame that holds the image at `p` (a pointer returned by `peek`, before any other fetch). */
/** Number of frames in the pool. */
export function poolFrames(): u32 {
  return frameCount
}

export function pinImage(p: usize): bool {
  return pin(frameOf(p))
}

function seal(f: u32, lsn: u64): void {
  const p = frameData(f)
  const pageNo = meta(f).pageNo
  setPageLsn(p, pageNo, lsn)
  setPageTrailer(p, pageSize, pageChecksum(pageNo, p, pageSize))
}

function victim(): i32 {
  let firstDirty: i32 = -1
  let sinceDirty: u32 = 0
  const limit = frameCount * 3
  for (let step: u32 = 0; step < limit; step++) {
    const f = hand
    hand = hand + 1 == frameCount ? 0 : hand + 1
    const m = meta(f)
    const flags = m.flags
    if (!(flags & F_VALID)) return <i32>f
    if (m.pins != 0) continue
    if (refBit(f)) {
      clearRef(f)
      continue
    }
    if (!(flags & F_DIRTY)) return <i32>f
    if (firstDirty < 0) firstDirty = <i32>f
    else if (++sinceDirty >= CLEAN_SEARCH) return firstDirty
  }
  return firstDirty
}

/** Empties frame f: spills it first when dirty (invariant 5). */
function evict(f: u32): bool {
  childCacheDrop(f)
  const m = meta(f)
  if (m.flags & F_VALID) {
    if (m.flags & F_DIRTY) {
      seal(f, spillLsn)
      if (hostSpillPage(m.pageNo, frameData(f)) < 0) {
        hostFailed(m.pageNo)
        return false
      }
      statSpills++
      dirtyCount--
    }
    hashRemove(m.pageNo)
    statEvictions++
  }
  m.flags = 0
  return true
}

function install(f: u32, pageNo: u32): void {
  childCacheDrop(f)
  const m = meta(f)
  m.pageNo = pageNo
  m.flags = F_VALID
  m.pins = 0
  setRef(f)
  hashInsert(pageNo, f)
}

function claimFrame(): i32 {
  const f = victim()
  if (f < 0) {
    fail(E_ALL_PINNED)
    return -1
  }
  if (!evict(<u32>f)) return -1
  return f
}

function miss(pageNo: u32, pinIt: bool): usize {
  const f = claimFrame()
  if (f < 0) return 0
  const p = frameData(<u32>f)
  if (hostReadPage(pageNo, p) < 0) {
    hostFailed(pageNo)
    return 0
  }
  if (pageChecksum(pageNo, p, pageSize) != pageTrailer(p, pageSize)) {
    corrupt(pageNo, D_CHECKSUM)
    return 0
  }
  install(<u32>f, pageNo)
  statMisses++
  if (pageNo == 0) spillLsn = dbHeader(p).lastCommitSeq + 1
  if (pinIt && !pin(<u32>f)) return 0
  return p
}

/** The verified image of `pageNo`, pinned (invariant 3); 0 on failure (status via `failure()`). */
export function fetch(pageNo: u32): usize {
  const f = hashFind(pageNo)
  if (f >= 0) {
    if (!pin(<u32>f)) return 0
    setRef(<u32>f)
    statHits++
    return frameData(<u32>f)
  }
  return miss(pageNo, true)
}

/** Like `fetch` but without pinning: the pointer is valid until the next fetch/allocation (invariant 1). */
export function peek(pageNo: u32): usize {
  const f = hashFind(pageNo)
  if (f >= 0) {
    setRef(<u32>f)
    statHits++
    return frameData(<u32>f)
  }
  return miss(pageNo, false)
}

/** The image of frame f, which holds a page: a hit as `peek` counts it (reference bit, statistics). */
@inline export function touchFrame(f: u32): usize {
  setRef(f)
  statHits++
  return frameData(f)
}

/** Page number held by frame f. */
export function framePage(f: u32): u32 {
  return meta(f).pageNo
}

/** Whether frame f holds a modified page (not yet committed). */
export function frameDirty(f: u32): bool {
  return (meta(f).flags & F_DIRTY) != 0
}

/** The image of `pageNo` if it is cached, else 0; no I/O, no pin, no reference bit (a read-ahead hint). */
export function cachedImage(pageNo: u32): usize {
  const f = hashFind(pageNo)
  return f >= 0 ? frameData(<u32>f) : 0
}

/** Reads page 0 into a frame without verifying it (db_open checks the magic before the checksum). Pinned. */
export function fetchUnverified(pageNo: u32): usize {
  const f = hashFind(pageNo)
  if (f >= 0) {
    if (!pin(<u32>f)) return 0
    return frameData(<u32>f)
  }
  const g = claimFrame()
  if (g < 0) return 0
  const p = frameData(<u32>g)
  if (hostReadPage(pageNo, p) < 0) {
    hostFailed(pageNo)
    return 0
  }
  return p
}

/** Installs the image just read by `fetchUnverified` after the caller verified it. Pinned. */
export function adoptUnverified(pageNo: u32, p: usize): usize {
  const f = frameOf(p)
  if (hashFind(pageNo) >= 0) return p
  install(f, pageNo)
  statMisses++
  if (pageNo == 0) spillLsn = dbHeader(p).lastCommitSeq + 1
  if (!pin(f)) return 0
  return p
}

/** A zeroed, dirty, pinned frame for `pageNo` without reading it (a newly allocated page). */
export function newFrame(pageNo: u32): usize {
  let f = hashFind(pageNo)
  if (f < 0) {
    f = claimFrame()
    if (f < 0) return 0
    install(<u32>f, pageNo)
  }
  if (!pin(<u32>f)) return 0
  const p = frameData(<u32>f)
  memory.fill(p, 0, pageSize)
  markDirty(p)
  return p
}

/** Forgets `pageNo`'s frame if it is cached and unpinned (its content is meaningless: a freed page). */
export function dropPage(pageNo: u32): void {
  const f = hashFind(pageNo)
  if (f < 0) return
  const m = meta(<u32>f)
  if (m.pins != 0) return
  if (m.flags & F_DIRTY) dirtyCount--
  hashRemove(pageNo)
  childCacheDrop(<u32>f)
  m.flags = 0
}

/** Marks the frame holding the image at `p` dirty (and no longer sealed, invariant 6). */
export function markDirty(p: usize): void {
  const f = frameOf(p)
  childCacheDrop(f)
  const m = meta(f)
  if (!(m.flags & F_DIRTY)) dirtyCount++
  m.flags = (m.flags | F_DIRTY) & ~F_SEALED
}

/** Sets the LSN given to spilled pages (after the last commit sequence number changes). */
export function setSpillLsn(lsn: u64): void {
  spillLsn = lsn
}

/**
 * Seals every dirty frame with `lsn` and lists them at `out`: [count u32][pad u32][pageNo u32 x count]
 * [frame byte offset u32 x count]. Returns count, or E_OUTPUT when `cap` is too small.
 */
export function prepareCommit(lsn: u64, out: usize, cap: usize): i32 {
  const need: usize = (<usize>dirtyCount << 3) + 8
  if (need > cap) return needOutput(<u32>need)
  const n = <usize>dirtyCount
  let k: usize = 0
  for (let f: u32 = 0; f < frameCount; f++) {
    const m = meta(f)
    if ((m.flags & (F_VALID | F_DIRTY)) != (F_VALID | F_DIRTY)) continue
    seal(f, lsn)
    m.flags |= F_SEALED
    setCommitEntry(out, n, k, m.pageNo, <u32>frameData(f))
    k++
  }
  setCommitCount(out, <u32>k)
  return <i32>k
}

/** Cleans the frames sealed by `prepareCommit` and not modified since (invariant 6). */
export function markClean(): void {
  for (let f: u32 = 0; f < frameCount; f++) {
    const m = meta(f)
    if ((m.flags & (F_SEALED | F_DIRTY)) != (F_SEALED | F_DIRTY)) continue
    dirtyCount--
    m.flags &= ~(F_SEALED | F_DIRTY)
  }
}

/** Forgets every frame, clean or dirty; the next access reads through the host again. */
export function discardAll(): void {
  for (let f: u32 = 0; f < frameCount; f++) {
    const m = meta(f)
    m.flags = 0
    m.pins = 0
  }
  memory.fill(hashBase, 0, (<usize>hashMask + 1) << 3)
  memory.fill(refBase, 0, <usize>frameCount)
  childCacheReset()
  pinTop = 0
  dirtyCount = 0
  hand = 0
}

/** Writes [frames, dirty, hits, misses, evictions, spills] as f64 at `out`. */
export function poolStats(out: usize): void {
  setStat(out, 0, <f64>frameCount)
  setStat(out, 1, <f64>dirtyCount)
  setStat(out, 2, <f64>statHits)
  setStat(out, 3, <f64>statMisses)
  setStat(out, 4, <f64>statEvictions)
  setStat(out, 5, <f64>statSpills)
}

/** Number of frames with a pin count above zero (0 between exports, invariant 3). */
export function pinnedFrames(): u32 {
  let n: u32 = 0
  for (let f: u32 = 0; f < frameCount; f++) if (meta(f).pins != 0) n++
  return n
}

/** Number of dirty frames. */
export function dirtyFrames(): u32 {
  return dirtyCount
}
