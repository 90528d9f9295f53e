/**
 * Reference worker of the throughput page: the RustyDB engine (`Database`, from dist/ like rustydb/web)
 * opened and called directly inside this dedicated worker, so no statement crosses a thread. It runs the
 * same workloads and checks as the page (workloads.ts) and posts one ThroughputResult.
 * Invariants:
 *   (1) One run per worker: the page starts a worker, posts one ThroughputSpec and terminates it after the
 *       answer.
 *   (2) OPFS through OpfsAdapter's sync access handles, as rustydb/web's worker uses it; the database file is
 *       `<spec.database>.rdb` in the OPFS directory `rustydb-bench`.
 * Not here: rustydb/web's worker (web/worker.ts), which adds the page <-> worker messages this one avoids.
 */
import { Database, MemoryAdapter, OpfsAdapter } from '../../../engine/index.js'
import { DURABLE_ENGINES, type ThroughputSpec } from '../throughput-api.js'
import { runWorkloads, rustyDbRunner, type Runner } from './workloads.js'

async function open(spec: ThroughputSpec): Promise<Runner> {
  const opfs = spec.engine === 'engine-opfs'
  const adapter = opfs ? new OpfsAdapter({ directory: 'rustydb-bench' }) : new MemoryAdapter()
  const db = await Database.open({ adapter, name: `${spec.database}.rdb` })
  return rustyDbRunner(db, opfs ? 'opfs' : 'memory')
}

addEventListener('message', (event: MessageEvent<ThroughputSpec>) => {
  const spec = event.data
  void runWorkloads(spec, () => open(spec), DURABLE_ENGINES.includes(spec.engine)).then((result) => postMessage(result))
})
