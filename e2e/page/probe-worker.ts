self.onmessage = async () => {
  const root = await navigator.storage.getDirectory()
  const fh: any = await root.getFileHandle('probe.bin', { create: true })
  const h = await fh.createSyncAccessHandle()
  const out: unknown[] = []
  for (let i = 0; i < 4; i++) {
    try { out.push(['write', i, h.write(new Uint8Array(1 << 20).fill(i + 1), { at: i << 20 }), h.getSize()]) } catch (e: any) { out.push(['err', i, e.name, e.message]) }
  }
  const buf = new Uint8Array(16)
  out.push(['read@3MiB', h.read(buf, { at: 3 << 20 }), Array.from(buf.slice(0, 4))])
  h.close()
  ;(self as any).postMessage(out)
}
