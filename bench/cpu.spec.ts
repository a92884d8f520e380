import { describe, expect, it } from 'vitest';
import { spinCpu } from '../test/helpers/spin-cpu';
import { cpuSecondsOf, listenerPid, measureCpu } from './cpu';

describe.runIf(process.platform === 'linux')('bench CPU accounting', () => {
  it('reads a live process and counts the work done in the window', () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOf(2 ** 30)).toBeNull();
    const w = measureCpu(process.pid);
    // spin until the process itself has used 150 ms of CPU (by its own clock), however loaded the machine is
    const spent = spinCpu(0.15);
    const used = w.stop();
    expect(spent).toBeGreaterThanOrEqual(0.15);
    // /proc counts in clock ticks (10 ms): what the window saw is what the process used, within a few ticks
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
