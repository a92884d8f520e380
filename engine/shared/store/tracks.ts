import { LRUCache } from 'lru-cache';
import { READ } from '../cassandra-policies';
import type { CassandraClient } from '../cassandra';
import { mapLimit } from '../concurrency';
import { PartitionBatches } from './batches';
import { oneRow, textOrNull } from './rows';
import type { Row } from './rows';

export interface TrackMeta {
  title: string | null;
  artist: string | null;
  album: string | null;
}

export interface TrackRow {
  song_id: string;
  title: string;
  artist: string;
  album?: string | null;
}

const UPSERT = 'INSERT INTO tracks (song_id, title, artist, album) VALUES (?, ?, ?, ?)';
const SELECT_IN = 'SELECT song_id, title, artist, album FROM tracks WHERE song_id IN ?';
const SELECT_ONE = 'SELECT title, artist, album FROM tracks WHERE song_id = ?';

const toMeta = (r: Row): TrackMeta => ({ title: textOrNull(r.get('title')), artist: textOrNull(r.get('artist')), album: textOrNull(r.get('album')) });

/** Bound of TrackStore's written set (the aggregator's live heap: engine-flags.ts). */
const WRITTEN_MAX = 25_000;

/**
 * Track metadata (`tracks`). Reads go through an LRU (metadata of a song id
 * rarely changes); writes skip metadata this process wrote already.
 */
export class TrackStore {
  /** created on the first read: writers never need it; ABSENT marks an id the table did not hold */
  private readCache: LRUCache<string, TrackMeta | typeof ABSENT> | undefined;
  /**
   * songs whose row this process wrote recently, with the metadata written: at most WRITTEN_MAX
   * (~350 bytes of heap each, ≈ 9 MB); clearing it costs one idempotent upsert per song
   */
  private readonly written = new Map<string, string>();

  constructor(private readonly db: CassandraClient) {}

  /**
   * Upsert the tracks whose metadata this process has not written yet, nor is writing: chunks of
   * several partitions naming the same new song at once write it once (a failed write is forgotten).
   */
  async upsert(tracks: Iterable<TrackRow>, concurrency: number): Promise<void> {
    const todo = new Map<string, TrackRow>();
    for (const t of tracks) if (this.written.get(t.song_id) !== signature(t)) todo.set(t.song_id, t);
    if (this.written.size + todo.size > WRITTEN_MAX) this.written.clear();
    if (todo.size === 0) return;
    const batches = new PartitionBatches();
    for (const t of todo.values()) {
      this.written.set(t.song_id, signature(t));
      batches.add(t.song_id, { query: UPSERT, params: [t.song_id, t.title, t.artist, t.album ?? null] });
    }
    try {
      // a song a partition: a catalogue's new songs go ~10 to a request (PartitionBatches.requests)
      await batches.run(this.db, concurrency, false);
    } catch (err) {
      // any of them may be unwritten: each is written again with its next listen
      for (const t of todo.values()) if (this.written.get(t.song_id) === signature(t)) this.written.delete(t.song_id);
      throw err;
    }
  }

  /** Metadata of one song, read from Cassandra every time (the seed design's lookup). */
  one(songId: string): Promise<TrackMeta | null> {
    return oneRow(this.db, SELECT_ONE, [songId], toMeta);
  }

  /**
   * Metadata of the given songs (unknown ones absent), read 50 ids per query. An id the table
   * does not hold is remembered as absent for a minute: the aggregator writes a song's row before
   * its first counter, so a counted song without one (counters written by other means, e.g. the
   * global benchmark's) would otherwise cost a query on every answer that names it.
   */
  async get(songIds: string[], concurrency: number): Promise<Map<string, TrackMeta>> {
    const cache = (this.readCache ??= new LRUCache<string, TrackMeta | typeof ABSENT>({ max: 50_000, ttl: 10 * 60_000 }));
    const out = new Map<string, TrackMeta>();
    const missing: string[] = [];
    for (const id of songIds) {
      const m = cache.get(id);
      if (m === ABSENT) continue;
      if (m) out.set(id, m);
      else missing.push(id);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += 50) chunks.push(missing.slice(i, i + 50));
    await mapLimit(chunks, concurrency, async (chunk) => {
      const rs = await this.db.execute(SELECT_IN, [chunk], READ);
      for (const r of rs.rows) {
        const id = String(r.get('song_id'));
        const m = toMeta(r);
        out.set(id, m);
        cache.set(id, m);
      }
      for (const id of chunk) if (!out.has(id)) cache.set(id, ABSENT, { ttl: ABSENT_TTL_MS });
    });
    return out;
  }
}

/** What the read cache keeps for an id the table did not hold, and for how long. */
const ABSENT = Symbol('absent');
const ABSENT_TTL_MS = 60_000;

const signature = (t: TrackRow): string => `${t.title}\u0001${t.artist}\u0001${t.album ?? ''}`;
