/**
 * KvStore over OpfsAdapter in a real browser (a profile on disk, as users have it), and the file format shared
 * with Node.
 * Behaviours: a seeded multi-tree workload (a few thousand entries, values larger than a page, overwrites,
 * deletes, a dropped tree, several commits) survives a page reload after a clean close, a browser restart, and
 * a reload or browser exit with the store still open (WAL recovery); a commit that runs out of quota fails with
 * 53100 and leaves the store usable with nothing committed lost; a second tab cannot open a database another
 * tab has open; a database written by NodeFsAdapter opens under OPFS and one written under OPFS opens in Node,
 * with every entry intact and check() passing on both sides.
 * Invariants checked: ARCHITECTURE.md "a committed transaction survives any crash" and "the same file opens on
 * every platform".
 * Not here: the adapter's own contract (opfs-adapter-suite.ts); crash points inside a commit (test/storage
 * fault tests with a fault adapter).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RustyError } from '../../engine/common/index.js'
import { KvStore, type WriteBatch } from '../../engine/storage/index.js'
import { NodeFsAdapter } from '../../engine/storage/node.js'
import type { BatchOp } from '../../demo/protocol.js'
import type { BrowserHarness, TestWorker } from '../support/browser-harness.js'
import { buildDataset, expectedAfter, followUpCommit, hex, modelAfter, sortedEntries, type Dataset, type Model } from '../support/dataset.js'

/** The workload's seed: E2E_SEED, else a fixed one (printed with every failure). */
const SEED = Number(process.env.E2E_SEED ?? 20_251_123)
/** A small pool, so the workload evicts and spills pages (64 is the minimum). */
const CACHE_PAGES = 64

/** Compares a store's trees with the model, entry by entry in key order; names the first difference. */
async function expectStoreMatches(
  where: string,
  treeNames: string[],
  readTree: (tree: string) => Promise<[Uint8Array, Uint8Array][]> | [Uint8Array, Uint8Array][],
  model: Model,
): Promise<void> {
  const context = `${where} (E2E_SEED=${SEED})`
  expect(treeNames, `${context}: tree names`).toEqual([...model.keys()].sort())
  for (const [tree, entries] of model) {
    const actual = await readTree(tree)
    const expected = sortedEntries(entries)
    expect(actual.length, `${context}: entries of "${tree}"`).toBe(expected.length)
    for (let i = 0; i < expected.length; i++) {
      const [key, value] = actual[i]
      const [expectedKey, expectedValue] = expected[i]
      if (hex(key) !== expectedKey) {
        throw new Error(`${context}: tree "${tree}" entry ${i} has key ${hex(key)}, expected ${expectedKey}`)
      }
      if (!Buffer.from(value).equals(Buffer.from(expectedValue))) {
        throw new Error(
          `${context}: tree "${tree}" key ${expectedKey} has a ${value.length}-byte value, expected ${expectedValue.length} bytes ` +
            '(contents differ)',
        )
      }
    }
  }
}

/** Checks a store in the browser: every entry, a few point reads, and check() with matching counts. */
async function expectBrowserStore(worker: TestWorker, where: string, model: Model): Promise<void> {
  const info = await worker.call({ op: 'kv.info' })
  expect(info.storage).toBe('opfs')
  await expectStoreMatches(
    where,
    info.trees.map((t) => t.name),
    (tree) => worker.call({ op: 'kv.scan', tree }),
    model,
  )
  const users = sortedEntries(model.get('users') ?? new Map())
  for (const [key, value] of [users[0], users[users.length - 1]]) {
    const got = await worker.call({ op: 'kv.get', tree: 'users', key: Buffer.from(key, 'hex') })
    expect(got === null ? null : hex(got), `${where}: get users/${key}`).toBe(hex(value))
  }
  expect(await worker.call({ op: 'kv.get', tree: 'users', key: new TextEncoder().encode('user:99999') })).toBeNull()
  const report = await worker.call({ op: 'kv.check' })
  const counted = Object.fromEntries(report.trees.filter((t) => !t.dropped).map((t) => [t.name, t.entries]))
  expect(counted, `${where}: entries counted by check()`).toEqual(Object.fromEntries([...model].map(([tree, entries]) => [tree, entries.size])))
}

/** Checks a store in Node the same way. */
async function expectNodeStore(kv: KvStore, where: string, model: Model): Promise<void> {
  await expectStoreMatches(where, kv.treeNames(), (tree) => [...kv.scan(tree)], model)
  const report = kv.check()
  const counted = Object.fromEntries(report.trees.filter((t) => !t.dropped).map((t) => [t.name, t.entries]))
  expect(counted, `${where}: entries counted by check()`).toEqual(Object.fromEntries([...model].map(([tree, entries]) => [tree, entries.size])))
}

function toBatch(kv: KvStore, ops: readonly BatchOp[]): WriteBatch {
  const batch = kv.batch()
  for (const op of ops) {
    if (op.kind === 'createTree') batch.createTree(op.tree)
    else if (op.kind === 'dropTree') batch.dropTree(op.tree)
    else if (op.kind === 'put') batch.put(op.tree, op.key, op.value)
    else batch.delete(op.tree, op.key)
  }
  return batch
}

async function commitAll(worker: TestWorker, commits: readonly (readonly BatchOp[])[]): Promise<void> {
  let last = 0
  for (const ops of commits) {
    const { seq } = await worker.call({ op: 'kv.commit', ops: [...ops] })
    expect(Number(seq)).toBeGreaterThan(last)
    last = Number(seq)
  }
}

/** Registers the KvStore suite against the harness `harness()` returns. */
export function kvStoreSuite(harness: () => BrowserHarness): void {
  describe('KvStore on OPFS', () => {
    const dataset: Dataset = buildDataset(SEED)
    const tempDirs: string[] = []
    afterAll(() => {
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
    })
    function tempDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'rustydb-e2e-'))
      tempDirs.push(dir)
      return dir
    }

    it('keeps every committed entry of several trees across a page reload after a clean close', async () => {
      const page = await harness().newPage()
      let worker = await page.spawnWorker()
      const created = await worker.call({ op: 'kv.open', name: 'app.rdb', directory: 'rustydb', create: true, cachePages: CACHE_PAGES })
      expect(created.trees).toEqual([])
      await commitAll(worker, dataset.commits)
      await expectBrowserStore(worker, 'before the reload', dataset.expected)
      await worker.call({ op: 'kv.close' })

      await page.reload()
      worker = await page.spawnWorker()
      const reopened = await worker.call({ op: 'kv.open', name: 'app.rdb', directory: 'rustydb', create: false, cachePages: CACHE_PAGES })
      // close() checkpointed: the WAL holds no frames, at most its 32-byte header.
      expect(reopened.walBytes).toBeLessThanOrEqual(32)
      await expectBrowserStore(worker, 'after the reload', dataset.expected)

      // The reopened store takes new commits, and they survive closing and restarting the browser.
      const more = followUpCommit(SEED)
      await worker.call({ op: 'kv.commit', ops: more })
      await worker.call({ op: 'kv.close' })
      await page.restartBrowser()
      worker = await page.spawnWorker()
      await worker.call({ op: 'kv.open', name: 'app.rdb', directory: 'rustydb', create: false })
      await expectBrowserStore(worker, 'after a browser restart', expectedAfter(dataset, more))
      await worker.call({ op: 'kv.close' })
      await page.closeBrowser()
    })

    it('recovers every acknowledged commit from the WAL when the page reloads or the browser closes with the store open', async () => {
      const page = await harness().newPage()
      let worker = await page.spawnWorker()
      await worker.call({ op: 'kv.open', name: 'crash.rdb', create: true, cachePages: CACHE_PAGES })
      await commitAll(worker, dataset.commits.slice(0, 4))
      await worker.call({ op: 'kv.checkpoint' })
      await commitAll(worker, dataset.commits.slice(4))
      const before = await worker.call({ op: 'kv.info' })
      expect(before.walBytes).toBeGreaterThan(32)

      // No close: the reload kills the worker with both files open, like a crashed tab.
      await page.reload()
      worker = await page.spawnWorker()
      const after = await worker.call({ op: 'kv.open', name: 'crash.rdb', create: false, cachePages: CACHE_PAGES })
      expect(after.commitSeq).toBe(before.commitSeq)
      await expectBrowserStore(worker, 'after the reload', dataset.expected)

      // Again with the browser closed under the open store: what counts is what reached the profile's disk.
      const more = followUpCommit(SEED)
      const { seq } = await worker.call({ op: 'kv.commit', ops: more })
      await page.restartBrowser()
      worker = await page.spawnWorker()
      const restarted = await worker.call({ op: 'kv.open', name: 'crash.rdb', create: false, cachePages: CACHE_PAGES })
      expect(restarted.commitSeq).toBe(seq)
      await expectBrowserStore(worker, 'after the browser restart', expectedAfter(dataset, more))
      await worker.call({ op: 'kv.close' })
      await page.closeBrowser()
    })

    it('rejects a commit that runs out of storage quota with 53100 and stays usable, losing nothing committed', async () => {
      const page = await harness().newPage()
      await page.overrideQuota(6 << 20)
      let worker = await page.spawnWorker()
      await worker.call({ op: 'kv.open', name: 'quota.rdb', create: true, cachePages: CACHE_PAGES })
      await commitAll(worker, dataset.commits.slice(0, 2))
      const committed = modelAfter(undefined, ...dataset.commits.slice(0, 2))
      const before = await worker.call({ op: 'kv.info' })

      const huge: BatchOp[] = Array.from({ length: 40 }, (_, i) => ({
        kind: 'put' as const,
        tree: 'blobs',
        key: new TextEncoder().encode(`huge/${i}`),
        value: new Uint8Array(256 << 10).fill(i),
      }))
      const error = await worker.call({ op: 'kv.commit', ops: huge }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(RustyError)
      expect((error as RustyError).code).toBe('53100')
      expect((error as RustyError).message).toMatch(/storage quota is exhausted/)

      // Nothing of the failed commit is visible, everything before it is, and the store takes new commits.
      expect((await worker.call({ op: 'kv.info' })).commitSeq).toBe(before.commitSeq)
      await expectBrowserStore(worker, 'after the failed commit', committed)
      const small: BatchOp[] = [{ kind: 'put', tree: 'events', key: new Uint8Array([1, 2, 3]), value: new Uint8Array([4, 5, 6]) }]
      await worker.call({ op: 'kv.commit', ops: small })
      const final = modelAfter(committed, small)
      await expectBrowserStore(worker, 'after a commit that fits', final)

      await page.reload()
      worker = await page.spawnWorker()
      await worker.call({ op: 'kv.open', name: 'quota.rdb', create: false, cachePages: CACHE_PAGES })
      await expectBrowserStore(worker, 'after reopening', final)
      await worker.call({ op: 'kv.close' })
      await page.closeBrowser()
    })

    it('refuses to open a database that another tab has open, naming the lock', async () => {
      const first = await harness().newPage()
      const owner = await first.spawnWorker()
      await owner.call({ op: 'kv.open', name: 'shared.rdb', create: true })
      const second = await first.sibling()
      const other = await second.spawnWorker()
      const error = await other.call({ op: 'kv.open', name: 'shared.rdb', create: false, lockTimeoutMs: 0 }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(RustyError)
      expect((error as RustyError).code).toBe('58030')
      expect((error as RustyError).message).toMatch(/could not open file "shared\.rdb": another tab or worker holds it open/)
      // Once the owner closes, the other tab opens it.
      await owner.call({ op: 'kv.close' })
      const info = await other.call({ op: 'kv.open', name: 'shared.rdb', create: false, lockTimeoutMs: 0 })
      expect(info.trees).toEqual([])
      await other.call({ op: 'kv.close' })
      await first.closeBrowser()
    })

    it('opens a database written by Node (database file and WAL) with every entry intact', async () => {
      const dir = tempDir()
      const kv = await KvStore.open({ adapter: new NodeFsAdapter({ root: dir }), name: 'node.rdb', create: true, cachePages: CACHE_PAGES })
      const half = Math.ceil(dataset.commits.length / 2)
      for (const ops of dataset.commits.slice(0, half)) await kv.commit(toBatch(kv, ops))
      await kv.checkpoint()
      for (const ops of dataset.commits.slice(half)) await kv.commit(toBatch(kv, ops))
      // Copy the files while the store is open: the newest commits live only in the WAL.
      const dbBytes = new Uint8Array(readFileSync(join(dir, 'node.rdb')))
      const walBytes = new Uint8Array(readFileSync(join(dir, 'node.rdb-wal')))
      expect(walBytes.length).toBeGreaterThan(32)
      await kv.close()

      const page = await harness().newPage()
      const worker = await page.spawnWorker()
      await worker.call({ op: 'file.import', name: 'node.rdb', directory: 'imported', data: dbBytes })
      await worker.call({ op: 'file.import', name: 'node.rdb-wal', directory: 'imported', data: walBytes })
      await worker.call({ op: 'kv.open', name: 'node.rdb', directory: 'imported', create: false, cachePages: CACHE_PAGES })
      await expectBrowserStore(worker, 'the Node database in Chromium', dataset.expected)
      // And it keeps working as an OPFS database.
      const more = followUpCommit(SEED)
      await worker.call({ op: 'kv.commit', ops: more })
      await expectBrowserStore(worker, 'the Node database after a commit in Chromium', expectedAfter(dataset, more))
      await worker.call({ op: 'kv.close' })
      await page.closeBrowser()
    })

    it('opens in Node a database written in Chromium, with every entry intact', async () => {
      const page = await harness().newPage()
      let worker = await page.spawnWorker()
      await worker.call({ op: 'kv.open', name: 'web.rdb', create: true, cachePages: CACHE_PAGES })
      const half = Math.ceil(dataset.commits.length / 2)
      await commitAll(worker, dataset.commits.slice(0, half))
      await worker.call({ op: 'kv.checkpoint' })
      await commitAll(worker, dataset.commits.slice(half))
      // Abandon the store (reload, no close) so the newest commits stay in the WAL, then read both files out.
      await page.reload()
      worker = await page.spawnWorker()
      const dbBytes = await worker.call({ op: 'file.export', name: 'web.rdb' })
      const walBytes = await worker.call({ op: 'file.export', name: 'web.rdb-wal' })
      expect(walBytes.length).toBeGreaterThan(32)
      await page.closeBrowser()

      const dir = tempDir()
      writeFileSync(join(dir, 'web.rdb'), dbBytes)
      writeFileSync(join(dir, 'web.rdb-wal'), walBytes)
      const kv = await KvStore.open({ adapter: new NodeFsAdapter({ root: dir }), name: 'web.rdb', create: false, cachePages: CACHE_PAGES })
      try {
        await expectNodeStore(kv, 'the Chromium database in Node', dataset.expected)
        const more = followUpCommit(SEED)
        await kv.commit(toBatch(kv, more))
        await expectNodeStore(kv, 'the Chromium database after a commit in Node', expectedAfter(dataset, more))
      } finally {
        await kv.close()
      }
    })
  })
}
