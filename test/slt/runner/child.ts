/**
 * sqllogictest child process: runs the files its parent (pool.ts) sends, one at a time, each on a fresh
 * in-memory RustyDB, and sends each file's result back.
 * Owns: the message loop of one worker process.
 * Invariants:
 *   (1) One request in flight: the parent sends the next file only after this one's result (or kills us on a
 *       timeout, so a hang never blocks the run).
 *   (2) An exception escaping a file becomes that file's `error`; the process keeps serving.
 * Run as `node --import tsx test/slt/runner/child.ts` through child_process.fork (needs an IPC channel).
 */
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { type SltEngineFactory, openRustyDb } from './engine.js'
import type { ChildRequest, ChildResponse } from './pool.js'
import { errorText, fileError, runSlt } from './runner.js'

if (process.send === undefined) throw new Error('child.ts runs under pool.ts (child_process.fork), not on its own')

process.on('message', (message: ChildRequest) => {
  void serve(message)
})

async function serve(request: ChildRequest): Promise<void> {
  const start = performance.now()
  let response: ChildResponse
  try {
    const text = readFileSync(request.path, 'utf8')
    const open =
      request.engineModule === undefined
        ? openRustyDb
        : ((await import(pathToFileURL(request.engineModule).href)) as { openEngine: SltEngineFactory }).openEngine
    const result = await runSlt(request.name, text, open, request.options)
    response = { id: request.id, result }
  } catch (e) {
    const stack = e instanceof Error && e.stack !== undefined ? e.stack : errorText(e)
    response = { id: request.id, result: fileError(request.name, `runner crashed: ${stack}`, performance.now() - start) }
  }
  process.send?.(response)
}
