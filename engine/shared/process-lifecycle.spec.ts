import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, 'process-lifecycle.ts');

/** Runs `code` (an ES module that has runProcess and stopOnSignals) in a child; `signal` is sent twice once it printed "up". */
function child(code: string, signal?: NodeJS.Signals): Promise<{ code: number | null; out: string }> {
  const src = `import { runProcess, stopOnSignals } from ${JSON.stringify(MODULE)};\n${code}`;
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', src], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (signal && out.includes('up\n')) {
      p.kill(signal);
      p.kill(signal);
    }
  });
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => p.on('exit', (c) => resolve({ code: c, out })));
}

describe('process lifecycle', () => {
  it('a signal runs stop once, logs, then exits 0', async () => {
    const r = await child(
      `import pino from 'pino';
       const log = pino();
       let stops = 0;
       stopOnSignals(log, async () => { stops++; console.log('stop ' + stops); });
       setInterval(() => undefined, 1000);
       console.log('up');`,
      'SIGTERM',
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/stop \d/g)).toEqual(['stop 1']);
    expect(r.out).toContain('"msg":"shutting down"');
  }, 20_000);

  it('a main that fails to start is logged as fatal and exits 1', async () => {
    const r = await child(`runProcess('probe', async () => { throw new Error('no broker'); });`);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/"level":"fatal".*"service":"probe".*"err":"no broker".*"msg":"probe failed to start"/);
  }, 20_000);
});
