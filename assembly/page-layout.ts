/**
 * Page layout: the on-disk format of every page type, as `@unmanaged` views and named offsets.
 * Owns: byte offsets, sizes and the small accessors that load/store them. Nothing else in assembly/
 * hard-codes an offset into a page.
 * Invariants:
 *   (1) Little-endian everywhere (WASM is little-endian, so views read the file format directly).
 *   (2) Every page ends with the 4-byte CRC32C trailer at [pageSize-4, pageSize) (crc32c.ts (2)).
 *   (3) Page numbers are u32; page 0 is the database header and is never a tree, overflow or freelist page.
 *
 * Page 0, the database header (`DbHeader`):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 8 | magic `RUSTYDB\0` (52 55 53 54 59 44 42 00) |
 * | 8 | 4 | format version, currently 1 |
 * | 12 | 4 | page size |
 * | 16 | 4 | page count (pages in the database, page 0 included) |
 * | 20 | 4 | first freelist trunk page (0 = none) |
 * | 24 | 4 | number of free pages (trunks + leaves) |
 * | 28 | 4 | root page of the tree directory (1 after format) |
 * | 32 | 8 | last commit sequence number (u64) |
 * | 40 | 8 | page LSN (u64) |
 * | 48 | pageSize-52 | reserved, zero |
 * | pageSize-4 | 4 | CRC32C trailer |
 *
 * Common header of every other page (`PageHeader`):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 1 | page type: 1 B+tree leaf, 2 B+tree interior, 3 overflow, 4 freelist trunk |
 * | 1 | 1 | flags (0) |
 * | 2 | 2 | cell / entry count |
 * | 4 | 4 | reserved (0) |
 * | 8 | 8 | LSN (u64): commit sequence number that last wrote the page |
 * | 16 | .. | type-specific |
 *
 * B+tree node, leaf (type 1) and interior (type 2) (`NodeHeader`), a slotted page:
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 16 | common header; count = number of cells |
 * | 16 | 4 | leaf: right sibling page (0 = last leaf); interior: rightmost child page |
 * | 20 | 4 | leaf: left sibling page (0 = first leaf); interior: 0 |
 * | 24 | 2 | level: 0 for a leaf, 1 + the children's level for an interior node |
 * | 26 | 2 | content start: offset of the lowest cell byte (pageSize-4 when empty) |
 * | 28 | 2 | fragmented bytes: free bytes between content start and the trailer not used by any cell |
 * | 30 | 2 | prefix length P: every key of the node starts with the same P bytes (a lower bound; 0 is valid) |
 * | 32 | 4*count | slot directory, in key order, growing forward: slot i = [u16 offset of cell i][u16 hint] |
 * | .. | .. | free gap |
 * | content start | .. | cells, allocated downward from the trailer |
 * | pageSize-4 | 4 | CRC32C trailer |
 *
 *   +--------+----------------+--------- free ---------+-----------------------+-----+
 *   | header | slot0 slot1 .. |  ->                <-  | cellK .. cell1 cell0  | crc |
 *   +--------+----------------+------------------------+-----------------------+-----+
 *   0        32               32+4*count               content start           pageSize-4
 *
 * Slot entry:
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 2 | offset of the cell in the page |
 * | 2 | 2 | hint: key bytes [P, P+2) of the cell's key as a big-endian u16, zero-padded past the key's end |
 *
 * The hint is a non-decreasing function of the key, so a binary search compares hints (contiguous in the
 * slot directory) and reads a cell only when hints tie: one cache line per probe instead of one per cell.
 * (A bare u16-offset directory would make every probe of a search a cache miss on a scattered cell.)
 *
 * Leaf cell (`LeafCell`):
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | value length in bits 0..30; bit 31 set = the value lives in an overflow chain |
 * | 4 | 2 | key length k |
 * | 6 | k | key bytes |
 * | 6+k | v or 4 | the value bytes, or (overflow) the u32 first overflow page |
 *
 * Interior cell (`InteriorCell`): child i holds the keys < key i (and >= key i-1); the rightmost child
 * (header offset 16) holds the keys >= the last key.
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 4 | child page |
 * | 4 | 2 | key length k |
 * | 6 | k | separator key bytes |
 *
 * Overflow page (type 3) (`OverflowHeader`): one link of a value's chain, in value order.
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 16 | common header; count = 0 |
 * | 16 | 4 | next overflow page (0 = last) |
 * | 20 | 4 | value bytes stored in this page (pageSize-28 except in the last page) |
 * | 24 | .. | value bytes |
 * | pageSize-4 | 4 | CRC32C trailer |
 *
 * Freelist trunk (type 4) (`TrunkHeader`): a trunk is itself a free page; its entries are free "leaf" pages
 * whose content is meaningless.
 *
 * | OFFSET | SIZE | MEANING |
 * |---|---|---|
 * | 0 | 16 | common header; count = number of entries |
 * | 16 | 4 | next trunk page (0 = last) |
 * | 20 | 4*count | free page numbers (capacity (pageSize-24)/4) |
 * | pageSize-4 | 4 | CRC32C trailer |
 *
 * Not here: how cells are inserted or moved (node.ts), allocation (page-alloc.ts).
 */

/** Page type byte values. */
export const PT_LEAF: u8 = 1
export const PT_INTERIOR: u8 = 2
export const PT_OVERFLOW: u8 = 3
export const PT_TRUNK: u8 = 4

/** Format version this build writes and reads. */
export const FORMAT_VERSION: u32 = 1
/** "RUSTYDB\0" as two little-endian u32 words. */
export const MAGIC_LO: u32 = 0x54535552
export const MAGIC_HI: u32 = 0x00424459

/** Size of the CRC trailer. */
export const TRAILER_SIZE: u32 = 4

/** Page 0 view. */
@unmanaged
export class DbHeader {
  magicLo: u32
  magicHi: u32
  version: u32
  pageSize: u32
  pageCount: u32
  freelistHead: u32
  freeCount: u32
  directoryRoot: u32
  lastCommitSeq: u64
  pageLsn: u64
}

/** Offset of the LSN in page 0 (it is not at the common-header offset). */
export const DB_PAGE_LSN: usize = offsetof<DbHeader>('pageLsn')

/** Common header of pages 1..n. */
@unmanaged
export class PageHeader {
  type: u8
  flags: u8
  count: u16
  reserved: u32
  lsn: u64
}

/** Offset of the LSN in every page but page 0. */
export const PAGE_LSN: usize = offsetof<PageHeader>('lsn')

/** B+tree node header (leaf and interior). */
@unmanaged
export class NodeHeader {
  type: u8
  flags: u8
  count: u16
  reserved: u32
  lsn: u64
  link: u32
  prev: u32
  level: u16
  content: u16
  frag: u16
  prefix: u16
}

/** First byte of the slot directory. */
export const NODE_SLOTS: usize = offsetof<NodeHeader>()
/** Bytes per slot directory entry ([offset][hint]). */
export const SLOT_SIZE: u32 = 4
/** Bytes of a node not available to cells and slots: header + trailer. */
export const NODE_OVERHEAD: u32 = <u32>NODE_SLOTS + TRAILER_SIZE

/** Leaf cell header view. */
@unmanaged
export class LeafCell {
  valueLength: u32
  keyLength: u16
}

/** Interior cell header view. */
@unmanaged
export class InteriorCell {
  child: u32
  keyLength: u16
}

/** Offset of the key in both cell kinds (the headers are packed: 4 + 2 bytes). */
export const CELL_KEY: usize = 6
/** Bit 31 of a leaf cell's value length: the value is in an overflow chain. */
export const VALUE_OVERFLOW: u32 = 0x8000_0000
/** Largest value length (1 GiB). */
export const MAX_VALUE_LENGTH: u32 = 0x4000_0000

/** Overflow page header view. */
@unmanaged
export class OverflowHeader {
  type: u8
  flags: u8
  count: u16
  reserved: u32
  lsn: u64
  next: u32
  used: u32
}

/** First value byte of an overflow page. */
export const OVERFLOW_DATA: usize = offsetof<OverflowHeader>()

/** Freelist trunk header view. */
@unmanaged
export class TrunkHeader {
  type: u8
  flags: u8
  count: u16
  reserved: u32
  lsn: u64
  next: u32
}

/** First entry of a trunk page. */
export const TRUNK_ENTRIES: usize = offsetof<TrunkHeader>()

// ---- accessors -------------------------------------------------------------------------------------

/** Page 0 view at `p`. */
@inline export function dbHeader(p: usize): DbHeader {
  return changetype<DbHeader>(p)
}

/** Node view at `p`. */
@inline export function node(p: usize): NodeHeader {
  return changetype<NodeHeader>(p)
}

/** Page type byte. */
@inline export function pageType(p: usize): u8 {
  return load<u8>(p)
}

/** Number of cells of a node. */
@inline export function nodeCount(p: usize): i32 {
  return <i32>load<u16>(p, offsetof<NodeHeader>('count'))
}

/** Address of slot entry i. */
@inline export function slotEntry(p: usize, i: i32): usize {
  return p + NODE_SLOTS + (<usize>i << 2)
}

/** Slot i's cell offset. */
@inline export function slot(p: usize, i: i32): u32 {
  return <u32>load<u16>(p + NODE_SLOTS + (<usize>i << 2))
}

/** Sets slot i's cell offset. */
@inline export function setSlot(p: usize, i: i32, offset: u32): void {
  store<u16>(p + NODE_SLOTS + (<usize>i << 2), <u16>offset)
}

/** Slot i's key hint. */
@inline export function slotHint(p: usize, i: i32): u32 {
  return <u32>load<u16>(p + NODE_SLOTS + (<usize>i << 2), 2)
}

/** Sets slot i's key hint. */
@inline export function setSlotHint(p: usize, i: i32, hint: u32): void {
  store<u16>(p + NODE_SLOTS + (<usize>i << 2), <u16>hint, 2)
}

/** Address of cell i. */
@inline export function cellAt(p: usize, i: i32): usize {
  return p + <usize>load<u16>(p + NODE_SLOTS + (<usize>i << 2))
}

/** Hint of a key for prefix length P: bytes [P, P+2) big-endian, zero past the key's end. */
@inline export function keyHint(key: usize, keyLength: u32, prefix: u32): u32 {
  let h: u32 = 0
  if (prefix < keyLength) h = <u32>load<u8>(key + prefix) << 8
  if (prefix + 1 < keyLength) h |= <u32>load<u8>(key + prefix + 1)
  return h
}

/** Key length of a cell (either kind). */
@inline export function cellKeyLength(c: usize): u32 {
  return <u32>load<u16>(c, offsetof<LeafCell>('keyLength'))
}

/** Key bytes of a cell (either kind). */
@inline export function cellKey(c: usize): usize {
  return c + CELL_KEY
}

/** Raw value-length word of a leaf cell (length | VALUE_OVERFLOW). */
@inline export function leafValueWord(c: usize): u32 {
  return load<u32>(c, offsetof<LeafCell>('valueLength'))
}

/** Sets the value-length word of a leaf cell (length | VALUE_OVERFLOW). */
@inline export function setLeafValueWord(c: usize, word: u32): void {
  store<u32>(c, word, offsetof<LeafCell>('valueLength'))
}

/** Value bytes (or the overflow page number) of a leaf cell. */
@inline export function leafValue(c: usize): usize {
  return c + CELL_KEY + <usize>cellKeyLength(c)
}

/** Size of a leaf cell. */
@inline export function leafCellSize(c: usize): u32 {
  const w = leafValueWord(c)
  return <u32>CELL_KEY + cellKeyLength(c) + (w & VALUE_OVERFLOW ? 4 : w)
}

/** First overflow page of a leaf cell whose value lives in a chain. */
@inline export function leafOverflowPage(c: usize): u32 {
  return load<u32>(leafValue(c))
}

/** Sets the first overflow page of a leaf cell. */
@inline export function setLeafOverflowPage(c: usize, pageNo: u32): void {
  store<u32>(leafValue(c), pageNo)
}

/** Child page of an interior cell. */
@inline export function cellChild(c: usize): u32 {
  return load<u32>(c, offsetof<InteriorCell>('child'))
}

/** Sets the child page of an interior cell. */
@inline export function setCellChild(c: usize, child: u32): void {
  store<u32>(c, child, offsetof<InteriorCell>('child'))
}

/** Size of an interior cell. */
@inline export function interiorCellSize(c: usize): u32 {
  return <u32>CELL_KEY + cellKeyLength(c)
}

/** Writes a leaf cell header and key at `c`; the caller writes the value (or overflow page) at leafValue(c). */
@inline export function writeLeafCellHead(c: usize, key: usize, keyLength: u32, valueWord: u32): void {
  store<u32>(c, valueWord, offsetof<LeafCell>('valueLength'))
  store<u16>(c, <u16>keyLength, offsetof<LeafCell>('keyLength'))
  memory.copy(c + CELL_KEY, key, keyLength)
}

/** Writes an interior cell at `c`. */
@inline export function writeInteriorCell(c: usize, child: u32, key: usize, keyLength: u32): void {
  store<u32>(c, child, offsetof<InteriorCell>('child'))
  store<u16>(c, <u16>keyLength, offsetof<InteriorCell>('keyLength'))
  memory.copy(c + CELL_KEY, key, keyLength)
}

/** Overflow page view at `p`. */
@inline export function overflowPage(p: usize): OverflowHeader {
  return changetype<OverflowHeader>(p)
}

/** Trunk page view at `p`. */
@inline export function trunkPage(p: usize): TrunkHeader {
  return changetype<TrunkHeader>(p)
}

/** Entry i of a trunk. */
@inline export function trunkEntry(p: usize, i: i32): u32 {
  return load<u32>(p + TRUNK_ENTRIES + (<usize>i << 2))
}

/** Sets entry i of a trunk. */
@inline export function setTrunkEntry(p: usize, i: i32, pageNo: u32): void {
  store<u32>(p + TRUNK_ENTRIES + (<usize>i << 2), pageNo)
}

/** LSN offset of a page: page 0 keeps its LSN at 40, every other page at 8. */
@inline export function lsnOffset(pageNo: u32): usize {
  return pageNo == 0 ? DB_PAGE_LSN : PAGE_LSN
}

/** Sets the LSN of page `pageNo` whose image is at p. */
@inline export function setPageLsn(p: usize, pageNo: u32, lsn: u64): void {
  store<u64>(p + lsnOffset(pageNo), lsn)
}

/** The CRC trailer of a page image. */
@inline export function pageTrailer(p: usize, pageSize: u32): u32 {
  return load<u32>(p + pageSize - TRAILER_SIZE)
}

/** Sets the CRC trailer of a page image. */
@inline export function setPageTrailer(p: usize, pageSize: u32, crc: u32): void {
  store<u32>(p + pageSize - TRAILER_SIZE, crc)
}
