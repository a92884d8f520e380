import { LRUCache } from 'lru-cache';
import type { CassandraClient } from '../cassandra';
import { chartRow, takesPart } from '../chart-rows';
import type { NamedListen, Naming } from '../chart-rows';
import { mapLimit } from '../concurrency';
import { trackKey } from '../same-play';
import { allRows, run } from './rows';

const SELECT = 'SELECT song_id, source FROM track_names WHERE track_key = ?';
const INSERT = 'INSERT INTO track_names (track_key, named_at, song_id, source) VALUES (?, ?, ?, ?)';

/**
 * `track_names`: which ids (and sources) named each track, earliest first — the input of `chartRow`.
 * A process reads a name's ids once (then every 10 minutes, to see what other processes
 * added) and writes an id under its name the first time it counts it. Two processes naming
 * one new track in the same instant may each take its own id as the row until they re-read;
 * counts stay exact either way (each play is counted once, under one row).
 */
export class TrackNameStore {
  private readonly named = new LRUCache<string, readonly Naming[]>({ max: 100_000, ttl: 10 * 60_000 });

  constructor(
    private readonly db: CassandraClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Names the listens' ids under their tracks and returns each listen's chart row. */
  async chartRows(listens: Iterable<NamedListen>, concurrency: number): Promise<(l: NamedListen) => string> {
    // per name, its ids in this batch with the source of each id's first listen here
    const byKey = new Map<string, Map<string, string>>();
    for (const l of listens) {
      if (!takesPart(l)) continue;
      const key = trackKey(l.artist, l.title);
      let ids = byKey.get(key);
      if (!ids) byKey.set(key, (ids = new Map()));
      if (!ids.has(l.song_id)) ids.set(l.song_id, l.source);
    }
    const known = new Map<string, readonly Naming[]>();
    await mapLimit([...byKey], concurrency, async ([key, ids]) => {
      let named = this.named.get(key) ?? (await allRows(this.db, SELECT, [key], (r) => ({ song_id: String(r.get('song_id')), source: String(r.get('source')) })));
      // new ids of one batch share a time; the table orders them by id, and so does this list
      const fresh = [...ids].filter(([id]) => !named.some((n) => n.song_id === id)).sort(([a], [b]) => (a < b ? -1 : 1));
      if (fresh.length > 0) {
        const at = new Date(this.now());
        for (const [id, source] of fresh) await run(this.db, INSERT, [key, at, id, source]);
        named = [...named, ...fresh.map(([song_id, source]) => ({ song_id, source }))];
      }
      this.named.set(key, named);
      known.set(key, named);
    });
    return (l) => (takesPart(l) ? chartRow(l, known.get(trackKey(l.artist, l.title)) ?? []) : l.song_id);
  }
}
