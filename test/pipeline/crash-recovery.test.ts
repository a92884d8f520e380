import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenPublisher } from '../../engine/crawler/publisher';
import { generateListens } from '../../engine/crawler/sources/simulator';
import { configToEnv } from '../../engine/shared/config';
import { asComparable, createHarness, daysBack, expectedCounts, expectedGlobal, storedCounts, storedGlobal, uid, until, waitForLag0 } from './harness';
import type { Harness } from './harness';

const ROOT = join(import.meta.dirname, '../..');
let h: Harness;
let pub: ListenPublisher;
const children: ChildProcess[] = [];

/** The aggregator process; `crash`: the test entry that SIGKILLs itself after its first counter writes. */
function startAggregator(opts: { crash?: boolean } = {}): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; ready: Promise<void> } {
  const entry = opts.crash ? 'test/pipeline/fixtures/crashing-aggregator.ts' : 'engine/aggregator/main.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...configToEnv(h.config), TOPK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"msg":"ready"')) resolve();
    });
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, ready };
}

beforeAll(async () => {
  h = await createHarness();
  pub = new ListenPublisher(h.kafka, h.config);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pub?.close();
  await h?.close();
}, 60_000);

describe('aggregator killed between its writes and its commit', () => {
  it('SIGKILL after counters, before commit → restart → exact counts', async () => {
    const users = [uid('crash'), uid('crash'), uid('crash')];
    const now = Date.now();
    const events = users.flatMap((u, i) =>
      generateListens(99 + i, u, now - 3 * 86_400_000, now, { listensPerDay: 150 }).map((l) => ({
        v: 1 as const,
        user_id: u,
        source: 'simulator',
        ...l,
        published_at: now,
      })),
    );
    await pub.publish(events);

    // run 1: dies by SIGKILL right after its first counter writes, before deleting the intent and committing
    const first = startAggregator({ crash: true });
    const r1 = await first.exited;
    expect(r1.signal).toBe('SIGKILL');
    const intents = await h.db.execute('SELECT kafka_partition FROM aggregator_intents_by_stream');
    expect(intents.rowLength).toBeGreaterThan(0);

    // run 2: recovers the intent from raw listens, replays the uncommitted batch, stops on SIGTERM
    const second = startAggregator();
    await second.ready;
    await waitForLag0(h, 90_000);
    second.child.kill('SIGTERM');
    const r2 = await second.exited;
    expect(r2.code).toBe(0);

    expect((await h.db.execute('SELECT kafka_partition FROM aggregator_intents_by_stream')).rowLength).toBe(0);
    const expected = expectedCounts(events);
    const days = daysBack(4);
    for (const u of users) expect(await storedCounts(h, u, days)).toEqual(asComparable(expected.get(u)));
    expect(await storedGlobal(h, days)).toEqual(expectedGlobal(expected));
  }, 180_000);

  it('a graceful restart in the middle of a stream keeps counts exact', async () => {
    const user = uid('term');
    const now = Date.now();
    const events = generateListens(5, user, now - 2 * 86_400_000, now, { listensPerDay: 300 }).map((l) => ({ v: 1 as const, user_id: user, source: 'simulator', ...l, published_at: now }));
    const a = startAggregator();
    await a.ready;
    await pub.publish(events.slice(0, 300));
    await until('some progress', async () => (await storedCounts(h, user, daysBack(3))).size > 0, 60_000);
    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    await pub.publish(events.slice(200)); // overlap of 100 with the first part
    const b = startAggregator();
    await b.ready;
    await waitForLag0(h, 90_000);
    b.child.kill('SIGTERM');
    await b.exited;
    expect(await storedCounts(h, user, daysBack(3))).toEqual(asComparable(expectedCounts(events).get(user)));
  }, 180_000);
});
