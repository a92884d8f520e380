/**
 * Property: every Top-K answer (user, friends, global; tracks and artists; any
 * window, k up to 1 000, offsets) equals a full ranking of the listens written
 * so far, over random histories with late listens into past days, listens past
 * the retention, GDPR deletions and a song whose artist changes — whatever
 * structure serves the reads. Listens are written either as the counters alone
 * (the ranked sets rebuilt from them) or through the aggregator's ListenWriter
 * (the ranked sets incremented). The model is the list of listens and each
 * song's latest artist; the ranking is recomputed from it per query.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../engine/api/server';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { ListenWriter } from '../../engine/aggregator/listen-writer';
import { createStore } from '../../engine/shared/store/store';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { apiServer, DAY_MS, dayStartMs, quietLog, uid, useApiTestClients, writeListens } from './helpers';
import type { TestListen } from './helpers';

const RETENTION = 7;
const t = useApiTestClients({ TOPK_RETENTION_DAYS: String(RETENTION) });
let server: ApiServer;
let writer: ListenWriter;
const now = Date.now();
const auth = () => ({ authorization: `Bearer ${t.config.apiToken}` });

/** every listen written in this file and not deleted: global answers see all of them */
const model: TestListen[] = [];
const follows = new Map<string, string[]>();
/** each song's artist as last written */
const artistOf = new Map<string, string>();

beforeAll(async () => {
  server = await apiServer(t, { now: () => now });
  writer = new ListenWriter({ store: createStore(t.db), ranked: new RankedSets(t.redis, t.config.keyspace), log: quietLog, retentionDays: RETENTION, stream: `test/${t.config.listensTopic}`, now: () => now });
}, 180_000);

afterAll(() => server?.close());

const byCountThenKey = (a: { key: string; listen_count: number }, b: { key: string; listen_count: number }): number =>
  b.listen_count - a.listen_count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Plays per song of the window. */
function windowCounts(listens: TestListen[], days: number): Map<string, number> {
  const from = dayStartMs(now, days - 1);
  const counts = new Map<string, number>();
  for (const l of listens) if (l.listened_at >= from && l.listened_at <= now) counts.set(l.song_id, (counts.get(l.song_id) ?? 0) + 1);
  return counts;
}

function ranking(listens: TestListen[], days: number): Array<{ song_id: string; listen_count: number }> {
  return [...windowCounts(listens, days)]
    .map(([key, listen_count]) => ({ key, listen_count }))
    .sort(byCountThenKey)
    .map((r) => ({ song_id: r.key, listen_count: r.listen_count }));
}

/** Plays per artist (each song's latest artist) and distinct tracks, count descending, ties by artist. */
function artistRanking(listens: TestListen[], days: number): Array<{ artist: string; listen_count: number; track_count: number }> {
  const byArtist = new Map<string, { listen_count: number; track_count: number }>();
  for (const [song, n] of windowCounts(listens, days)) {
    const a = byArtist.get(artistOf.get(song)!) ?? { listen_count: 0, track_count: 0 };
    byArtist.set(artistOf.get(song)!, { listen_count: a.listen_count + n, track_count: a.track_count + 1 });
  }
  return [...byArtist]
    .map(([key, a]) => ({ key, ...a }))
    .sort(byCountThenKey)
    .map((r) => ({ artist: r.key, listen_count: r.listen_count, track_count: r.track_count }));
}

const event = (l: TestListen): ListenEvent => ({ v: 1, user_id: l.user_id, source: l.source ?? 'simulator', listened_at: l.listened_at, song_id: l.song_id, title: l.title, artist: l.artist, published_at: now });

interface Query {
  scope: 'user' | 'friends' | 'global';
  kind: 'tracks' | 'artists';
  who: number;
  days: number;
  limit: number;
  offset: number;
}

const history = fc.record({
  // (user index, song index, days ago — up to 3 days past the retention —, ms into that day)
  listens: fc.array(fc.tuple(fc.nat(3), fc.nat(11), fc.nat(RETENTION + 2), fc.nat(DAY_MS - 1)), { minLength: 1, maxLength: 40 }),
  deleted: fc.option(fc.nat(3), { nil: undefined }),
  // counters written directly (sets rebuilt from them) or through the aggregator (sets incremented)
  via: fc.constantFrom<'counters' | 'aggregator'>('counters', 'aggregator'),
  // a song heard again, through the aggregator, under another artist
  renamed: fc.option(fc.nat(11), { nil: undefined }),
  queries: fc.array(
    fc.record({
      scope: fc.constantFrom<Query['scope']>('user', 'friends', 'global'),
      kind: fc.constantFrom<Query['kind']>('tracks', 'artists'),
      who: fc.nat(3),
      days: fc.integer({ min: 1, max: RETENTION }),
      limit: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(1000)),
      offset: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

describe('Top-K answers equal a full ranking', () => {
  it('over random histories with late listens, expired days, deletions, k up to 1000 and offsets', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const run = uid('prop');
        const users = [0, 1, 2, 3].map((i) => `${run}-u${i}`);
        const viewer = `${run}-viewer`;
        // the viewer follows users 0..2
        follows.set(viewer, users.slice(0, 3));
        for (const f of users.slice(0, 3)) await t.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [viewer, f], { prepare: true });
        const written: TestListen[] = h.listens.map(([u, s, ago, ms], i) => {
          // a listen "now" must not lie in the future: today's listens fall before now
          const at = Math.min(now - 1 - i, dayStartMs(now, ago) + ms);
          return { user_id: users[u]!, listened_at: at, song_id: `${run}-s${s}`, title: `T${s}`, artist: `A${s % 4}` };
        });
        // identity: the same (user, source, listened_at, song) is one listen
        const unique = [...new Map(written.map((l) => [`${l.user_id}|${l.listened_at}|${l.song_id}`, l])).values()];
        if (h.via === 'counters') await writeListens(t.db, unique, new RankedSets(t.redis, t.config.keyspace));
        else await writer.write(unique.map(event), 0);
        for (const l of unique) artistOf.set(l.song_id, l.artist);
        model.push(...unique);
        // what the aggregator's invalidation message does in every API process after a counted batch
        await server.ctx.cache.invalidate(users);
        if (h.deleted !== undefined) {
          const gone = users[h.deleted]!;
          const res = await server.app.inject({ method: 'DELETE', url: `/v1/users/${gone}`, headers: auth() });
          expect(res.statusCode).toBe(202);
          for (let i = model.length - 1; i >= 0; i--) if (model[i]!.user_id === gone) model.splice(i, 1);
        }
        const expectAnswers = async (): Promise<void> => {
          for (const q of h.queries) {
            const query = `${q.kind}?days=${q.days}&limit=${q.limit}&offset=${q.offset}`;
            const url = q.scope === 'global' ? `/v1/top/${query}` : q.scope === 'user' ? `/v1/users/${users[q.who]}/top/${query}` : `/v1/users/${viewer}/friends/top/${query}`;
            const scoped = q.scope === 'global' ? model : q.scope === 'user' ? model.filter((l) => l.user_id === users[q.who]) : model.filter((l) => follows.get(viewer)!.includes(l.user_id));
            const full: Array<Record<string, unknown>> = q.kind === 'tracks' ? ranking(scoped, q.days) : artistRanking(scoped, q.days);
            const want = full.slice(q.offset, q.offset + q.limit).map((r, i) => ({ ...r, rank: q.offset + i + 1 }));
            for (const cache of ['&cache=bypass', '']) {
              const res = await server.app.inject({ url: url + cache, headers: auth() });
              expect(res.statusCode, url).toBe(200);
              const body = res.json() as { total: number; results: Array<Record<string, unknown>> };
              const fields = q.kind === 'tracks' ? ['song_id', 'listen_count', 'rank'] : ['artist', 'listen_count', 'track_count', 'rank'];
              const got = body.results.map((r) => Object.fromEntries(fields.map((f) => [f, r[f]])));
              expect(got, `${url}${cache}`).toEqual(want);
              expect(body.total, `${url}${cache} total`).toBe(full.length);
            }
          }
        };
        await expectAnswers();
        if (h.renamed !== undefined) {
          // one more play of the song, credited to another artist, into the sets the queries just built:
          // every play of the song now counts for the new artist
          const again: TestListen = { user_id: users.find((_, i) => i !== h.deleted)!, listened_at: now - 100_000, song_id: `${run}-s${h.renamed}`, title: `T${h.renamed}`, artist: `B${h.renamed}` };
          await writer.write([event(again)], 0);
          artistOf.set(again.song_id, again.artist);
          model.push(again);
          await server.ctx.cache.invalidate(users);
          await expectAnswers();
        }
      }),
      { numRuns: Number(process.env.TOPK_PROPERTY_RUNS ?? 12), endOnFailure: true },
    );
  }, 600_000);
});
