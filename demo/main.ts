/**
 * The storage smoke page (demo/index.html): starts the storage worker, opens a KvStore on OPFS and lets a
 * person put, get, delete and scan string keys of one tree, showing the store's counters after every action.
 * Invariants:
 *   (1) Actions run one at a time (buttons are disabled while one runs), so the counters shown belong to the
 *       state the last action left.
 *   (2) Every failure is shown on the page with its SQLSTATE; nothing fails silently.
 * Not here: SQL (the console and dashboard come later, in Lit, through web/).
 */
import { RustyError } from '../engine/common/index.js'
import type { StoreInfo } from './protocol.js'
import { StorageClient } from './storage-client.js'

const DIRECTORY = 'rustydb-demo'
const FILE = 'smoke.rdb'
const TREE = 'smoke'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`demo page has no #${id}`)
  return found as T
}

const output = element<HTMLDivElement>('output')
const state = element<HTMLParagraphElement>('state')
const keyInput = element<HTMLInputElement>('key')
const valueInput = element<HTMLInputElement>('value')
const buttons = [...document.querySelectorAll('button')]

function show(text: string, isError = false): void {
  output.textContent = text
  output.classList.toggle('error', isError)
}

function describeError(e: unknown): string {
  if (RustyError.is(e)) return `${e.code}: ${e.message}${e.hint === undefined ? '' : `\nhint: ${e.hint}`}`
  return e instanceof Error ? e.message : String(e)
}

function render(info: StoreInfo): void {
  element('tree-name').textContent = TREE
  element('stat-storage').textContent = info.storage
  element('stat-file').textContent = `${info.directory === '' ? '' : `${info.directory}/`}${info.name}`
  const tree = info.trees.find((t) => t.name === TREE)
  element('stat-entries').textContent = `${tree?.entries ?? 0} in "${TREE}" (${info.trees.length} tree${info.trees.length === 1 ? '' : 's'})`
  element('stat-seq').textContent = info.commitSeq
  const p = info.pool
  element('stat-pool').textContent =
    `${p.frames} frames, ${p.dirty} dirty, ${p.hits} hits, ${p.misses} misses, ${p.evictions} evictions, ${p.spills} spills`
}

const client = new StorageClient()

/** Runs one action with the buttons disabled (invariant 1), then refreshes the counters. */
async function run(action: () => Promise<string>): Promise<void> {
  for (const b of buttons) b.disabled = true
  try {
    show(await action())
  } catch (e) {
    show(describeError(e), true)
  } finally {
    try {
      render(await client.call({ op: 'kv.info' }))
    } catch (e) {
      state.textContent = `store unavailable: ${describeError(e)}`
    }
    for (const b of buttons) b.disabled = false
  }
}

function on(id: string, action: () => Promise<string>): void {
  element<HTMLButtonElement>(id).addEventListener('click', () => void run(action))
}

on('put', async () => {
  const { seq } = await client.call({
    op: 'kv.commit',
    ops: [{ kind: 'put', tree: TREE, key: encoder.encode(keyInput.value), value: encoder.encode(valueInput.value) }],
  })
  return `put "${keyInput.value}" (commit ${seq})`
})

on('get', async () => {
  const value = await client.call({ op: 'kv.get', tree: TREE, key: encoder.encode(keyInput.value) })
  return value === null ? `"${keyInput.value}" is absent` : `"${keyInput.value}" = "${decoder.decode(value)}"`
})

on('delete', async () => {
  const { seq } = await client.call({ op: 'kv.commit', ops: [{ kind: 'delete', tree: TREE, key: encoder.encode(keyInput.value) }] })
  return `deleted "${keyInput.value}" if it was there (commit ${seq})`
})

on('scan', async () => {
  const entries = await client.call({ op: 'kv.scan', tree: TREE, lower: encoder.encode(keyInput.value), limit: 50 })
  if (entries.length === 0) return `no keys >= "${keyInput.value}"`
  return entries.map(([k, v]) => `${decoder.decode(k)} = ${decoder.decode(v)}`).join('\n')
})

on('fill', async () => {
  const ops = Array.from({ length: 1000 }, (_, i) => ({
    kind: 'put' as const,
    tree: TREE,
    key: encoder.encode(`key-${String(i).padStart(4, '0')}`),
    value: encoder.encode(`value ${i} written ${new Date().toISOString()}`),
  }))
  const { seq } = await client.call({ op: 'kv.commit', ops })
  return `put key-0000 … key-0999 in one commit (commit ${seq})`
})

on('checkpoint', async () => {
  await client.call({ op: 'kv.checkpoint' })
  return 'checkpointed: the WAL was copied into the database file and reset'
})

on('check', async () => {
  await client.call({ op: 'kv.check' })
  return 'integrity check passed: every tree is well formed and every page is used exactly once'
})

async function start(): Promise<void> {
  for (const b of buttons) b.disabled = true
  try {
    const info = await client.call({ op: 'kv.open', name: FILE, directory: DIRECTORY, create: true })
    if (!info.trees.some((t) => t.name === TREE)) {
      await client.call({ op: 'kv.commit', ops: [{ kind: 'createTree', tree: TREE }] })
    }
    state.textContent = `store open: OPFS ${DIRECTORY}/${FILE}. Reload the page: everything committed is still here.`
    render(await client.call({ op: 'kv.info' }))
    for (const b of buttons) b.disabled = false
  } catch (e) {
    state.textContent = `could not open the store: ${describeError(e)}`
    show(describeError(e), true)
  }
}

void start()
