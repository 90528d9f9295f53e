/**
 * Reference worker of the throughput page: a comlink API shaped like rustydb/web's worker call (web/worker.ts)
 * that answers at once, so the page can time comlink's round trip alone (main.ts, roundTrips).
 */
import { expose } from 'comlink'

/** What this worker exposes: `call` answers like rustydb/web's worker does for an INSERT. */
export interface EchoApi {
  call(session: number, request: unknown): { ok: true; value: { columns: []; rows: []; rowCount: number; command: string }; status: 'idle' }
}

const api: EchoApi = {
  call: () => ({ ok: true, value: { columns: [], rows: [], rowCount: 1, command: 'INSERT' }, status: 'idle' }),
}

expose(api)
