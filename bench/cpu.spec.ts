import { describe, expect, it } from 'vitest';
import { spinCpu } from '../test/helpers/spin-cpu';
import { cpuSecondsOf, listenerPid, measureCpu, withoutSampling } from './cpu';
import { cpuBound } from './ingest';

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

describe('the CPU-bound rate of an ingest run', () => {
  it('sums every measured process and divides the cores by it', () => {
    // 70 + 110 + 10 + 2 + 20 µs a listen over 300 000 listens
    const b = cpuBound({ engine: 21, cassandra: 33, kafka: 3, redis: 0.6, publisher: 6 }, 300_000, 300_000, 2);
    expect(b).toEqual({ us_per_listen: 212, cores: 2, listens_per_second: 9434 });
  });

  it("counts the publisher's share per message published, the rest per listen consumed (a partial run)", () => {
    // 100 000 of 300 000 consumed: 1 000 + 20 µs
    expect(cpuBound({ engine: 100, publisher: 6 }, 100_000, 300_000, 2)).toEqual({ us_per_listen: 1020, cores: 2, listens_per_second: 1961 });
  });

  it('has nothing to say without listens or CPU', () => {
    expect(cpuBound({ engine: 1 }, 0, 0, 2)).toBeUndefined();
    expect(cpuBound({}, 1000, 1000, 2)).toBeUndefined();
  });
});

describe("the benchmark process's own figure", () => {
  it('loses the time it spent sampling, never below zero, and only its own role', () => {
    expect(withoutSampling({ publisher: 10, cassandra: 30 }, 'publisher', 1.234)).toEqual({ publisher: 8.77, cassandra: 30 });
    expect(withoutSampling({ publisher: 0.5 }, 'publisher', 2)).toEqual({ publisher: 0 });
    expect(withoutSampling({ cassandra: 30 }, 'publisher', 1)).toEqual({ cassandra: 30 });
    expect(withoutSampling({ engine: 3 }, 'engine', undefined)).toEqual({ engine: 3 });
  });
});
