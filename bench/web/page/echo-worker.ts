/**
 * Reference worker of the throughput page: posts every message straight back, so the page can time a bare
 * postMessage round trip (main.ts, roundTrips).
 */
addEventListener('message', (event: MessageEvent) => postMessage(event.data))
