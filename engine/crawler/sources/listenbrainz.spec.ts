import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenBrainzSource } from './listenbrainz';
import type { CrawlContext, SourcePage } from './types';

// a real collection between the request and its timeout: Node 20 could collect an
// AbortSignal.timeout() that only an AbortSignal.any() referred to, so it never fired
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local server that leaves the first `hang` requests unanswered, then answers with `listens`. */
async function server(hang: number, listens: unknown[]): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const s = createServer((_req: IncomingMessage, res: ServerResponse) => {
    if (++n <= hang) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ payload: { count: listens.length, listens } }));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, requests: () => n };
}

function ctx(): CrawlContext {
  return { userId: 'u', config: { username: 'someone' }, cursor: null, now: Date.now(), retentionDays: 7, lookbackMs: 7 * 86_400_000, signal: new AbortController().signal, log: pino({ level: 'silent' }) };
}

async function crawlAll(src: ListenBrainzSource): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const p of src.crawl(ctx())) pages.push(p);
  return pages;
}

/** Runs `fn` while collecting garbage every 20 ms; rejects with "still waiting" after `ms`. */
async function underGc<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const timer = setInterval(gc, 20);
  let deadline: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([fn(), new Promise<never>((_, reject) => (deadline = setTimeout(() => reject(new Error('still waiting')), ms)))]);
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
  }
}

describe('ListenBrainzSource request timeout', () => {
  it('gives up on a request that never answers after requestTimeoutMs, even while garbage is collected', async () => {
    const s = await server(Infinity, []);
    const src = new ListenBrainzSource({ baseUrl: s.url, requestTimeoutMs: 300, maxRetries: 1, backoffBaseMs: 10 });
    const err = await underGc(5000, () => crawlAll(src)).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/ListenBrainz unreachable/);
    expect(s.requests()).toBe(2);
  });

  it('retries a timed-out request and goes on with the answer', async () => {
    const now = Math.floor(Date.now() / 1000) - 60;
    const s = await server(1, [{ listened_at: now, recording_msid: 'm-1', track_metadata: { artist_name: 'A', track_name: 'T' } }]);
    const src = new ListenBrainzSource({ baseUrl: s.url, requestTimeoutMs: 300, maxRetries: 2, backoffBaseMs: 10 });
    const pages = await underGc(5000, () => crawlAll(src));
    expect(pages.flatMap((p) => p.listens).map((l) => l.listened_at)).toEqual([now * 1000]);
    expect(pages.at(-1)?.cursor).toBe(String(now));
    expect(s.requests()).toBe(2);
  });
});
