/**
 * Page allocation: the freelist of page 0 (trunk pages holding arrays of free page numbers).
 * Owns: page 0's page count, freelist head and free count; allocating, freeing and listing free pages;
 * formatting a new database.
 * Invariants:
 *   (1) Every page 1..pageCount-1 is used by exactly one tree (the directory is a tree) or is on the freelist.
 *   (2) freeCount = number of trunks + number of trunk entries.
 *   (3) Allocation reuses free pages before extending the file: first the last entry of the head trunk,
 *       then the (empty) head trunk itself; only with an empty freelist does pageCount grow.
 *   (4) Freeing appends to the head trunk while it has room, else the freed page becomes the new head trunk.
 *   (5) A freed leaf entry's content is meaningless: its frame is dropped from the pool (if unpinned) and a
 *       reused page is never read from the host (newFrame zeroes it).
 * State machine of a page number: in use --freePage--> free (trunk entry or trunk) --allocPage--> in use.
 * Not here: the trunk page format (page-layout.ts).
 */
import { dropPage, fetch, newFrame, pageSize, pinMark, releaseTo, markDirty, setSpillLsn } from './buffer-pool'
import {
  dbHeader,
  FORMAT_VERSION,
  MAGIC_HI,
  MAGIC_LO,
  pageType,
  PT_TRUNK,
  setTrunkEntry,
  TRUNK_ENTRIES,
  trunkEntry,
  trunkPage,
} from './page-layout'
import { setListedPage, setOutputWord } from './io-format'
import { corrupt, D_FREELIST, D_PAGE_RANGE, D_PAGE_TYPE, E_BAD_ARGUMENT, fail, failure, needOutput, OK } from './status'

/** Entries one trunk page holds. */
@inline export function trunkCapacity(): i32 {
  return <i32>((pageSize - <u32>TRUNK_ENTRIES - 4) >>> 2)
}

/** Page 0 pinned, or 0 on failure. */
function header(): usize {
  return fetch(0)
}

function headTrunk(head: u32, pageCount: u32): usize {
  if (head >= pageCount) {
    corrupt(head, D_PAGE_RANGE)
    return 0
  }
  const t = fetch(head)
  if (!t) return 0
  if (pageType(t) != PT_TRUNK) {
    corrupt(head, D_PAGE_TYPE, pageType(t))
    return 0
  }
  if (<i32>trunkPage(t).count > trunkCapacity()) {
    corrupt(head, D_FREELIST)
    return 0
  }
  return t
}

/** A page number to use (invariant 3); 0 on failure. The page's image is NOT set up: use newFrame. */
export function allocPage(): u32 {
  const mark = pinMark()
  const h = header()
  if (!h) return 0
  const hdr = dbHeader(h)
  const head = hdr.freelistHead
  let pg: u32 = 0
  if (head != 0) {
    const t = headTrunk(head, hdr.pageCount)
    if (!t) {
      releaseTo(mark)
      return 0
    }
    const th = trunkPage(t)
    const n = <i32>th.count
    if (hdr.freeCount == 0) {
      corrupt(0, D_FREELIST)
      releaseTo(mark)
      return 0
    }
    if (n > 0) {
      pg = trunkEntry(t, n - 1)
      if (pg == 0 || pg >= hdr.pageCount) {
        corrupt(head, D_FREELIST)
        releaseTo(mark)
        return 0
      }
      th.count = <u16>(n - 1)
      markDirty(t)
    } else {
      pg = head
      hdr.freelistHead = th.next
    }
    hdr.freeCount--
  } else {
    pg = hdr.pageCount
    if (pg == 0xffff_ffff) {
      fail(E_BAD_ARGUMENT)
      releaseTo(mark)
      return 0
    }
    hdr.pageCount = pg + 1
  }
  markDirty(h)
  releaseTo(mark)
  return pg
}

/** Puts `pg` on the freelist (invariant 4). The caller no longer uses its image. */
export function freePage(pg: u32): i32 {
  const mark = pinMark()
  const h = header()
  if (!h) return failure()
  const hdr = dbHeader(h)
  if (pg == 0 || pg >= hdr.pageCount) {
    releaseTo(mark)
    return corrupt(pg, D_PAGE_RANGE)
  }
  const head = hdr.freelistHead
  if (head != 0) {
    const t = headTrunk(head, hdr.pageCount)
    if (!t) {
      releaseTo(mark)
      return failure()
    }
    const th = trunkPage(t)
    const n = <i32>th.count
    if (n < trunkCapacity()) {
      setTrunkEntry(t, n, pg)
      th.count = <u16>(n + 1)
      markDirty(t)
      hdr.freeCount++
      markDirty(h)
      releaseTo(mark)
      dropPage(pg)
      return OK
    }
  }
  const p = newFrame(pg)
  if (!p) {
    releaseTo(mark)
    return failure()
  }
  const tp = trunkPage(p)
  tp.type = PT_TRUNK
  tp.next = head
  hdr.freelistHead = pg
  hdr.freeCount++
  markDirty(h)
  releaseTo(mark)
  return OK
}

/**
 * Lists the free pages at `out`: [count u32][pageNo u32 x count] (trunks and entries). Returns count,
 * E_OUTPUT (needed bytes recorded) when `cap` is too small, or E_CORRUPT for a broken freelist.
 */
export function listFreePages(out: usize, cap: usize): i32 {
  const mark = pinMark()
  const h = header()
  if (!h) return failure()
  const hdr = dbHeader(h)
  const pageCount = hdr.pageCount
  const freeCount = hdr.freeCount
  let trunk = hdr.freelistHead
  let n: u32 = 0
  while (trunk != 0) {
    if (n >= freeCount) {
      releaseTo(mark)
      return corrupt(trunk, D_FREELIST)
    }
    const t = headTrunk(trunk, pageCount)
    if (!t) {
      releaseTo(mark)
      return failure()
    }
    if ((<usize>n << 2) + 8 <= cap) setListedPage(out, n, trunk)
    n++
    const count = <i32>trunkPage(t).count
    for (let i = 0; i < count; i++) {
      const pg = trunkEntry(t, i)
      if (pg == 0 || pg >= pageCount) {
        releaseTo(mark)
        return corrupt(trunk, D_FREELIST)
      }
      if ((<usize>n << 2) + 8 <= cap) setListedPage(out, n, pg)
      n++
    }
    trunk = trunkPage(t).next
    releaseTo(mark + 1)
  }
  releaseTo(mark)
  if (n != freeCount) return corrupt(0, D_FREELIST)
  const need: usize = (<usize>n << 2) + 4
  if (need > cap) return needOutput(<u32>need)
  setOutputWord(out, 0, n)
  return <i32>n
}

/** Writes a fresh page 0 (header) into the pool; page 1 (the directory root) is set up by the caller. */
export function formatHeader(): i32 {
  const mark = pinMark()
  const p = newFrame(0)
  if (!p) return failure()
  const hdr = dbHeader(p)
  hdr.magicLo = MAGIC_LO
  hdr.magicHi = MAGIC_HI
  hdr.version = FORMAT_VERSION
  hdr.pageSize = pageSize
  hdr.pageCount = 2
  hdr.freelistHead = 0
  hdr.freeCount = 0
  hdr.directoryRoot = 1
  hdr.lastCommitSeq = 0
  hdr.pageLsn = 0
  setSpillLsn(1)
  releaseTo(mark)
  return OK
}
