/**
 * Overflow chains: values too large for a leaf cell, stored in a singly linked list of overflow pages.
 * Owns: writing, reading, freeing and verifying a chain.
 * Invariants:
 *   (1) A value of length v occupies exactly ceil(v / OVERFLOW_CAPACITY) pages; every page but the last holds
 *       OVERFLOW_CAPACITY bytes, the last holds the rest; the last page's next is 0.
 *   (2) Pages are written front to back; the next page number is allocated before the current page is
 *       written, so no page needs to stay pinned across an allocation.
 *   (3) Reading verifies the type, byte count and chain length of every page (E_CORRUPT, D_OVERFLOW_CHAIN).
 * Not here: the decision to overflow (node.ts (3)), the page format (page-layout.ts).
 */
import { fetch, newFrame, pageSize, peek, pinMark, releaseTo } from './buffer-pool'
import { OVERFLOW_DATA, overflowPage, pageType, PT_OVERFLOW } from './page-layout'
import { allocPage, freePage } from './page-alloc'
import { corrupt, D_OVERFLOW_CHAIN, D_PAGE_TYPE, failure, OK } from './status'

/** Value bytes per overflow page. */
@inline export function overflowCapacity(): u32 {
  return pageSize - <u32>OVERFLOW_DATA - 4
}

/** Number of pages a value of `length` bytes needs (invariant 1). */
@inline export function overflowPages(length: u32): u32 {
  const cap = overflowCapacity()
  return (length + cap - 1) / cap
}

/** Writes `length` bytes at `src` to a new chain; returns its first page, or 0 on failure. */
export function writeChain(src: usize, length: u32): u32 {
  const cap = overflowCapacity()
  const first = allocPage()
  if (!first) return 0
  let cur = first
  let pos: u32 = 0
  while (true) {
    const n = length - pos < cap ? length - pos : cap
    const last = pos + n >= length
    let next: u32 = 0
    if (!last) {
      next = allocPage()
      if (!next) return 0
    }
    const mark = pinMark()
    const p = newFrame(cur)
    if (!p) return 0
    const h = overflowPage(p)
    h.type = PT_OVERFLOW
    h.next = next
    h.used = n
    memory.copy(p + OVERFLOW_DATA, src + pos, n)
    releaseTo(mark)
    pos += n
    if (last) break
    cur = next
  }
  return first
}

/** Copies the chain starting at `first` (a value of `length` bytes) to `dst`. Returns OK or a status. */
export function readChain(first: u32, length: u32, dst: usize): i32 {
  const cap = overflowCapacity()
  let page = first
  let pos: u32 = 0
  while (pos < length) {
    if (page == 0) return corrupt(first, D_OVERFLOW_CHAIN)
    const p = peek(page)
    if (!p) return failure()
    if (pageType(p) != PT_OVERFLOW) return corrupt(page, D_PAGE_TYPE, pageType(p))
    const h = overflowPage(p)
    const expect = length - pos < cap ? length - pos : cap
    if (h.used != expect) return corrupt(page, D_OVERFLOW_CHAIN)
    memory.copy(dst + pos, p + OVERFLOW_DATA, expect)
    pos += expect
    page = h.next
  }
  if (page != 0) return corrupt(first, D_OVERFLOW_CHAIN)
  return OK
}

/** Frees every page of the chain starting at `first` (a value of `length` bytes). */
export function freeChain(first: u32, length: u32): i32 {
  let page = first
  let left = overflowPages(length)
  while (left > 0) {
    if (page == 0) return corrupt(first, D_OVERFLOW_CHAIN)
    const p = peek(page)
    if (!p) return failure()
    if (pageType(p) != PT_OVERFLOW) return corrupt(page, D_PAGE_TYPE, pageType(p))
    const next = overflowPage(p).next
    const st = freePage(page)
    if (st < 0) return st
    page = next
    left--
  }
  return OK
}

/**
 * Verifies the chain of a `length`-byte value (invariant 1) and reports its pages through `visit`
 * (which returns a status). Returns OK or a status.
 */
export function checkChain(first: u32, length: u32, visit: (pageNo: u32) => i32): i32 {
  const cap = overflowCapacity()
  let page = first
  let pos: u32 = 0
  while (pos < length) {
    if (page == 0) return corrupt(first, D_OVERFLOW_CHAIN)
    const st = visit(page)
    if (st < 0) return st
    const mark = pinMark()
    const p = fetch(page)
    if (!p) return failure()
    if (pageType(p) != PT_OVERFLOW) {
      releaseTo(mark)
      return corrupt(page, D_PAGE_TYPE, pageType(p))
    }
    const h = overflowPage(p)
    const expect = length - pos < cap ? length - pos : cap
    const used = h.used
    const next = h.next
    releaseTo(mark)
    if (used != expect) return corrupt(page, D_OVERFLOW_CHAIN)
    pos += expect
    page = next
  }
  if (page != 0) return corrupt(first, D_OVERFLOW_CHAIN)
  return OK
}
