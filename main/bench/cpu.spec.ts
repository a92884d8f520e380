import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, listenerPid, measureCpu } from './cpu';

describe.runIf(process.platform === 'linux')('bench CPU accounting', () => {
  it('reads a live process and counts the work done in the window', () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOf(2 ** 30)).toBeNull();
    const w = measureCpu(process.pid);
    const until = Date.now() + 300;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const used = w.stop();
    expect(x).toBeGreaterThan(0);
    // 300 ms of busy loop: at least 0.1 s of CPU even on a loaded machine, and not more than wall time allows
    expect(used.engine).toBeGreaterThanOrEqual(0.1);
    expect(used.engine).toBeLessThan(5);
  });
});

describe.runIf(process.platform === 'linux')('stack process lookup', () => {
  it('finds the process listening on a port, and nothing on a closed one', async () => {
    const { createServer } = await import('node:net');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      expect(listenerPid(port)).toBe(String(process.pid));
    } finally {
      await new Promise((r) => srv.close(r));
    }
    expect(listenerPid(port)).toBeNull();
  });
});
