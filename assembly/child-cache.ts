/**
 * Child-frame cache: for interior nodes in the pool, the frame that holds each child page, so a read-only
 * descent goes from a node's image straight to its child's image (no interior cell read for the child page
 * number, no page-table probe). In memory only; nothing here is ever written to a page or the file.
 * Owns: the cache arena, the per-frame cache index, the pool epoch.
 * Invariants:
 *   (1) A frame has a cache only if its node was clean (unmodified since it was read or committed) when the
 *       cache was made; marking the frame dirty, installing a page into it and emptying it drop the cache
 *       (buffer-pool.ts calls `childCacheDrop`). So a cache always describes the frame's current content:
 *       entry i belongs to child i of that node.
 *   (2) An entry (frame + 1, 0 = not known yet) is valid only in the pool epoch it was recorded in; the epoch
 *       advances whenever any page leaves its frame (eviction, drop, discard: `childCacheEpochBump`). A cache
 *       from an older epoch is cleared before use. The epoch is a u64: it does not wrap.
 *   (3) Only read-only descents use and fill caches (btree.ts `findLeaf`), and an entry is recorded only when
 *       the epoch did not move while the child was looked up, so the parent still holds the node it held.
 *   (4) The arena is a bump allocator; when it is full every cache is dropped and it starts over. Caches are
 *       a pure accelerator: dropping any or all of them at any time changes no result.
 *
 * Index entry of frame f (16 bytes, in a table of one entry per frame), so checking a cache costs one
 * line and the entries one more:
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | address of the frame's cache in the arena, 0 = none |
 * | 4 | 4 | number of entries: the node's cell count + 1 |
 * | 8 | 8 | pool epoch of the entries (u64) |
 *
 * A cache in the arena (16-byte aligned) is its entries: entry i = frame index + 1 of child i of the node
 * (i = cell count: the rightmost child), 0 = not known yet.
 *
 * Why: a random lookup in a large tree visits interior nodes that stay in cache, but the child page number
 * (in a cell) and its page-table entry are two more lines per level spread over large regions; the entries
 * of one node are contiguous, and all caches of a big tree take a few hundred KiB.
 * Paths not taken: swizzling child pointers inside the frames (the frame is the page image that is sealed
 * and written); per-frame back-pointers so an eviction clears only the entries that name the evicted frame
 * (the epoch makes every eviction invalidate all entries, which only costs when the pool is too small for
 * the working set, where the read through the host costs far more).
 * Not here: when frames are evicted or dirtied (buffer-pool.ts), how a node is searched (btree.ts).
 */
import { regionAlloc } from './regions'

/** Bytes of arena per frame of the pool (an interior node of fanout F needs ~4F bytes, one in ~F frames). */
const ARENA_BYTES_PER_FRAME: usize = 8
const MIN_ARENA: usize = 64 << 10
const INDEX_ENTRY_SHIFT: usize = 4

let indexBase: usize = 0
let indexFrames: u32 = 0
let arenaBase: usize = 0
let arenaEnd: usize = 0
let arenaTop: usize = 0
/** The pool epoch (invariant 2). */
let epoch: u64 = 1

@inline function indexEntry(f: u32): usize {
  return indexBase + (<usize>f << INDEX_ENTRY_SHIFT)
}

/** Carves the index and the arena for a pool of `frames` frames. False when memory cannot grow. */
export function childCacheInit(frames: u32): bool {
  indexFrames = frames
  indexBase = regionAlloc(<usize>frames << INDEX_ENTRY_SHIFT)
  let size = <usize>frames * ARENA_BYTES_PER_FRAME
  if (size < MIN_ARENA) size = MIN_ARENA
  arenaBase = regionAlloc(size)
  arenaEnd = arenaBase + size
  arenaTop = arenaBase
  return indexBase != 0 && arenaBase != 0
}

/** The current pool epoch. */
@inline export function childCacheEpoch(): u64 {
  return epoch
}

/** A page left its frame (invariant 2). */
@inline export function childCacheEpochBump(): void {
  epoch++
}

/** Drops frame f's cache (invariant 1). */
@inline export function childCacheDrop(f: u32): void {
  store<u32>(indexEntry(f), 0)
}

/** Drops every cache and empties the arena (invariant 4). */
export function childCacheReset(): void {
  memory.fill(indexBase, 0, <usize>indexFrames << INDEX_ENTRY_SHIFT)
  arenaTop = arenaBase
  epoch++
}

/** Clears the entries of frame f's cache c and stamps them with the current epoch. */
function refresh(f: u32, c: usize): void {
  const e = indexEntry(f)
  memory.fill(c, 0, <usize>load<u32>(e, 4) << 2)
  store<u64>(e, epoch, 8)
}

/** Frame f's cache, its entries cleared first when they are from an older epoch (invariant 2); 0 if none. */
@inline export function childCacheOf(f: u32): usize {
  const e = indexEntry(f)
  const c = <usize>load<u32>(e)
  if (c != 0 && load<u64>(e, 8) != epoch) refresh(f, c)
  return c
}

/** Entry i of cache c: the frame index + 1 of child i, or 0. */
@inline export function childCacheEntry(c: usize, i: i32): u32 {
  return load<u32>(c + (<usize>i << 2))
}

/** Records that child i of cache c's node is in frame `frame` (the caller checked invariant 3). */
@inline export function childCacheSet(c: usize, i: i32, frame: u32): void {
  store<u32>(c + (<usize>i << 2), frame + 1)
}

/**
 * A new, empty cache for the node in frame f with `entries` children (the caller checked that the frame is
 * clean, invariant 1); 0 when it cannot fit even in an empty arena.
 */
export function childCacheMake(f: u32, entries: u32): usize {
  const size = ((<usize>entries << 2) + 15) & ~15
  if (size > arenaEnd - arenaBase) return 0
  if (arenaTop + size > arenaEnd) childCacheReset()
  const c = arenaTop
  arenaTop += size
  memory.fill(c, 0, <usize>entries << 2)
  const e = indexEntry(f)
  store<u32>(e, <u32>c)
  store<u32>(e, entries, 4)
  store<u64>(e, epoch, 8)
  return c
}
